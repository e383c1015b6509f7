package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// crmd webhook create|list|deliveries|replay|enable|delete: an account's
// webhooks and their delivery log, as its first administrator would manage
// them (docs/webhooks.md). The commands only write the database: a running
// crmd serve on it sends the deliveries.

const webhookUsage = `  crmd webhook create --db DSN --account ID --url URL --events lead.added,…
                   [--pipeline ID] [--stages ID,…] [--batch] [--json]
                   a crmd webhook (signed JSON): prints its id and signing secret (once);
                   --batch sends the events handed out together in one POST
  crmd webhook list --db DSN --account ID [--json]
  crmd webhook deliveries --db DSN --account ID --webhook ID [--state pending|delivered|failed]
                   [--limit N] [--before DELIVERY_ID] [--json]
                   the delivery log, newest first, each delivery with its attempts
  crmd webhook replay --db DSN --account ID --delivery ID [--json]
                   send a delivery again (a copy, queued now)
  crmd webhook enable --db DSN --account ID --webhook ID [--json]
  crmd webhook delete --db DSN --account ID --webhook ID [--json]
`

// webhook dispatches the webhook subcommands.
func (m *Main) webhook(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return m.webhookCreate(ctx, args[1:])
		case "list":
			return m.webhookList(ctx, args[1:])
		case "deliveries":
			return m.webhookDeliveries(ctx, args[1:])
		case "replay":
			return m.webhookReplay(ctx, args[1:])
		case "enable":
			return m.webhookEnable(ctx, args[1:])
		case "delete":
			return m.webhookDelete(ctx, args[1:])
		}
	}
	fmt.Fprint(m.Stderr, webhookUsage)
	return fmt.Errorf("%w: crmd webhook create|list|deliveries|replay|enable|delete", errUsage)
}

func (m *Main) webhookCreate(ctx context.Context, args []string) error {
	fs := m.flags("webhook create")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	dest := fs.String("url", "", "destination `URL`, http or https (required)")
	eventList := fs.String("events", "", "event `NAMES`, comma-separated: lead.added, lead.stage_changed, … (required)")
	pipeline := fs.Int64("pipeline", 0, "send lead events of this pipeline `ID` only")
	stageList := fs.String("stages", "", "send lead events only at these stage `IDS` of --pipeline, comma-separated")
	batch := fs.Bool("batch", false, `send the events handed out together in one POST, {"events":[…]}, up to 100`)
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *dest == "" || strings.TrimSpace(*eventList) == "" {
		return fmt.Errorf("%w: --account, --url and --events are required", errUsage)
	}
	events, err := parseEvents(*eventList)
	if err != nil {
		return err
	}
	stages, err := parseIDs("--stages", *stageList)
	if err != nil {
		return err
	}
	if *pipeline < 0 {
		return fmt.Errorf("%w: --pipeline: %d is not an id", errUsage, *pipeline)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := crm.NewService(db).CreateWebhook(ctx, admin, crm.NewWebhook{Kind: crm.WebhookCRMD, Destination: *dest,
		Events: events, PipelineID: *pipeline, StageIDs: stages, Batch: *batch}, nil)
	if err != nil {
		return describeWebhook(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(map[string]any{"id": w.ID, "secret": w.Secret})
	}
	fmt.Fprintf(m.Stdout, "webhook %d: %s ← %s\nsecret: %s (shown only now; it signs X-Crmd-Signature)\n",
		w.ID, w.Destination, strings.Join(w.Events, ","), w.Secret)
	return nil
}

// parseEvents reads --events, refusing names outside the catalogue with
// the catalogue, so that a typo is answered with the right spelling.
func parseEvents(list string) ([]string, error) {
	var out, unknown []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
		case crm.KnownEventType(crm.EventType(name)):
			out = append(out, name)
		default:
			unknown = append(unknown, strconv.Quote(name))
		}
	}
	if len(unknown) > 0 {
		known := make([]string, 0, len(crm.EventTypes()))
		for _, t := range crm.EventTypes() {
			known = append(known, string(t))
		}
		return nil, fmt.Errorf("%w: --events: unknown event %s; known events: %s", errUsage,
			strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: --events names no event", errUsage)
	}
	return out, nil
}

// parseIDs reads a comma-separated list of positive ids ("": none).
func parseIDs(flagName, list string) ([]int64, error) {
	var out []int64
	for _, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%w: %s: %q is not an id", errUsage, flagName, part)
		}
		out = append(out, id)
	}
	return out, nil
}

// webhookFlags names the flag each of CreateWebhook's violation paths
// comes from, so that an error points at what to change on the command
// line.
var webhookFlags = map[string]string{"destination": "url", "settings": "events", "pipeline_id": "pipeline", "stage_ids": "stages"}

// describeWebhook is describe with the domain's paths renamed to flags.
func describeWebhook(err error) error {
	e, ok := crm.AsError(err)
	if !ok || len(e.Violations) == 0 {
		return err
	}
	c := *e
	c.Violations = make([]crm.Violation, len(e.Violations))
	for i, v := range e.Violations {
		head, _, _ := strings.Cut(v.Path, ".")
		if f, ok := webhookFlags[head]; ok {
			v.Path = f
		}
		c.Violations[i] = v
	}
	return describe(&c)
}

// webhookJSON is a webhook as the commands print it: never its secret.
type webhookJSON struct {
	ID             int64    `json:"id"`
	Kind           string   `json:"kind"`
	URL            string   `json:"url"`
	Events         []string `json:"events"`
	PipelineID     int64    `json:"pipeline_id"`
	StageIDs       []int64  `json:"stage_ids"`
	Batch          bool     `json:"batch"`
	Disabled       bool     `json:"disabled"`
	DisabledAt     string   `json:"disabled_at,omitempty"`
	DisabledReason string   `json:"disabled_reason,omitempty"`
	Failures       int      `json:"failures"`
	CreatedAt      string   `json:"created_at"`
}

func toWebhookJSON(w crm.Webhook) webhookJSON {
	out := webhookJSON{ID: w.ID, Kind: string(w.Kind), URL: w.Destination, Events: w.Events, PipelineID: w.PipelineID,
		StageIDs: w.StageIDs, Batch: w.Batch, Disabled: w.Disabled(), DisabledAt: stamp(w.DisabledAt), DisabledReason: w.DisabledReason,
		Failures: w.Failures, CreatedAt: stamp(w.CreatedAt)}
	if out.Events == nil {
		out.Events = []string{}
	}
	if out.StageIDs == nil {
		out.StageIDs = []int64{}
	}
	return out
}

// stamp is a time as the commands print it: RFC 3339 in UTC, "" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (m *Main) webhookList(ctx context.Context, args []string) error {
	fs := m.flags("webhook list")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	asJSON := fs.Bool("json", false, "print the result as one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 {
		return fmt.Errorf("%w: --account is required", errUsage)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := crm.NewService(db).Webhooks(ctx, admin, crm.WebhookQuery{})
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		out := make([]webhookJSON, 0, len(list))
		for _, w := range list {
			out = append(out, toWebhookJSON(w))
		}
		return json.NewEncoder(m.Stdout).Encode(out)
	}
	for _, w := range list {
		printWebhook(m.Stdout, w)
	}
	return nil
}

// printWebhook is a webhook's line of webhook list.
func printWebhook(out io.Writer, w crm.Webhook) {
	filter := "all pipelines"
	if w.PipelineID != 0 {
		filter = fmt.Sprintf("pipeline %d", w.PipelineID)
		if len(w.StageIDs) > 0 {
			ids := make([]string, len(w.StageIDs))
			for i, id := range w.StageIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			filter += " stages " + strings.Join(ids, ",")
		}
	}
	if w.Batch {
		filter += ", batched"
	}
	state := "enabled"
	if w.Disabled() {
		state = "disabled " + stamp(w.DisabledAt) + ": " + w.DisabledReason
	}
	fmt.Fprintf(out, "%d\t%s\t%s\t%s\t%s\tfailures %d\t%s\n", w.ID, w.Kind, w.Destination, strings.Join(w.Events, ","),
		filter, w.Failures, state)
}

// deliveryJSON is a delivery of the log with its attempts, oldest first.
type deliveryJSON struct {
	ID            int64         `json:"id"`
	WebhookID     int64         `json:"webhook_id"`
	RecordKey     string        `json:"record_key"`
	EventIDs      []int64       `json:"event_ids"`
	EventTypes    []string      `json:"event_types"`
	State         string        `json:"state"`
	NextAttemptAt string        `json:"next_attempt_at,omitempty"`
	LastStatus    int           `json:"last_status"`
	LastError     string        `json:"last_error,omitempty"`
	ReplayOf      int64         `json:"replay_of,omitempty"`
	CreatedAt     string        `json:"created_at"`
	FinishedAt    string        `json:"finished_at,omitempty"`
	ContentType   string        `json:"content_type"`
	Body          string        `json:"body"`
	Attempts      []attemptJSON `json:"attempts"`
}

// attemptJSON is one attempt of the delivery log.
type attemptJSON struct {
	At        string `json:"at"`
	Status    int    `json:"status"`
	LatencyMS int64  `json:"latency_ms"`
	Error     string `json:"error,omitempty"`
	Response  string `json:"response"`
}

func (m *Main) webhookDeliveries(ctx context.Context, args []string) error {
	fs := m.flags("webhook deliveries")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	hook := fs.Int64("webhook", 0, "webhook `ID` (required)")
	state := fs.String("state", "", "only deliveries in this `STATE`: pending, delivered or failed")
	limit := fs.Int("limit", crm.DefaultPageLimit, fmt.Sprintf("at most `N` deliveries (1 to %d)", crm.MaxPageLimit))
	before := fs.Int64("before", 0, "only deliveries older than this delivery `ID` (the next page)")
	asJSON := fs.Bool("json", false, "print the result as one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *hook <= 0 {
		return fmt.Errorf("%w: --account and --webhook are required", errUsage)
	}
	switch crm.DeliveryState(*state) {
	case "", crm.DeliveryPending, crm.DeliveryDelivered, crm.DeliveryFailed:
	default:
		return fmt.Errorf("%w: --state: %q is not pending, delivered or failed", errUsage, *state)
	}
	if *limit < 1 || *limit > crm.MaxPageLimit {
		return fmt.Errorf("%w: --limit: %d is not between 1 and %d", errUsage, *limit, crm.MaxPageLimit)
	}
	if *before < 0 {
		return fmt.Errorf("%w: --before: %d is not an id", errUsage, *before)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	page, err := crm.NewService(db).WebhookDeliveries(ctx, admin, crm.DeliveryQuery{WebhookID: *hook,
		State: crm.DeliveryState(*state), BeforeID: *before, Limit: *limit})
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		out := make([]deliveryJSON, 0, len(page.Deliveries))
		for _, d := range page.Deliveries {
			out = append(out, toDeliveryJSON(d, page.Attempts[d.ID]))
		}
		return json.NewEncoder(m.Stdout).Encode(out)
	}
	for _, d := range page.Deliveries {
		printDelivery(m.Stdout, d, page.Attempts[d.ID])
	}
	return nil
}

func toDeliveryJSON(d crm.Delivery, attempts []crm.DeliveryAttempt) deliveryJSON {
	out := deliveryJSON{ID: d.ID, WebhookID: d.WebhookID, RecordKey: d.RecordKey, EventIDs: d.EventIDs, EventTypes: d.EventTypes,
		State: string(d.State), LastStatus: d.LastStatus, LastError: d.LastError, ReplayOf: d.ReplayOf,
		CreatedAt: stamp(d.CreatedAt), FinishedAt: stamp(d.FinishedAt), ContentType: d.ContentType, Body: string(d.Body),
		Attempts: make([]attemptJSON, 0, len(attempts))}
	if d.State == crm.DeliveryPending {
		out.NextAttemptAt = stamp(d.NextAttemptAt)
	}
	for _, a := range attempts {
		out.Attempts = append(out.Attempts, attemptJSON{At: stamp(a.At), Status: a.Status, LatencyMS: a.Latency.Milliseconds(),
			Error: a.Error, Response: a.Response})
	}
	return out
}

// printDelivery is a delivery's lines of webhook deliveries: the delivery,
// then one indented line per attempt.
func printDelivery(out io.Writer, d crm.Delivery, attempts []crm.DeliveryAttempt) {
	line := fmt.Sprintf("delivery %d\t%s\t%s\t%s\tcreated %s", d.ID, d.State, d.RecordKey, strings.Join(d.EventTypes, ","), stamp(d.CreatedAt))
	if d.ReplayOf != 0 {
		line += fmt.Sprintf("\treplay of %d", d.ReplayOf)
	}
	if d.State == crm.DeliveryPending {
		line += "\tnext attempt " + stamp(d.NextAttemptAt)
	}
	fmt.Fprintln(out, line)
	for _, a := range attempts {
		status := "no answer"
		if a.Status != 0 {
			status = "HTTP " + strconv.Itoa(a.Status)
		}
		line := fmt.Sprintf("  %s\t%s\t%dms", stamp(a.At), status, a.Latency.Milliseconds())
		if a.Error != "" {
			line += "\terror: " + a.Error
		}
		if a.Response != "" {
			line += "\tresponse: " + strconv.Quote(a.Response)
		}
		fmt.Fprintln(out, line)
	}
}

func (m *Main) webhookReplay(ctx context.Context, args []string) error {
	fs := m.flags("webhook replay")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	delivery := fs.Int64("delivery", 0, "delivery `ID` to send again (required)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *delivery <= 0 {
		return fmt.Errorf("%w: --account and --delivery are required", errUsage)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := crm.NewService(db).ReplayDelivery(ctx, admin, *delivery)
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(map[string]any{"id": d.ID, "webhook_id": d.WebhookID, "replay_of": d.ReplayOf})
	}
	fmt.Fprintf(m.Stdout, "delivery %d queued for webhook %d (a copy of delivery %d)\n", d.ID, d.WebhookID, d.ReplayOf)
	return nil
}

func (m *Main) webhookEnable(ctx context.Context, args []string) error {
	return m.webhookChange(ctx, "enable", args, func(svc *crm.Service, admin crm.Actor, id int64) (any, string, error) {
		w, err := svc.EnableWebhook(ctx, admin, id)
		return toWebhookJSON(w), fmt.Sprintf("webhook %d enabled\n", id), err
	})
}

func (m *Main) webhookDelete(ctx context.Context, args []string) error {
	return m.webhookChange(ctx, "delete", args, func(svc *crm.Service, admin crm.Actor, id int64) (any, string, error) {
		err := svc.DeleteWebhook(ctx, admin, id)
		return map[string]any{"id": id, "deleted": true}, fmt.Sprintf("webhook %d deleted with its delivery log\n", id), err
	})
}

// webhookChange runs a command that acts on one webhook by --webhook.
func (m *Main) webhookChange(ctx context.Context, verb string, args []string,
	change func(svc *crm.Service, admin crm.Actor, id int64) (any, string, error)) error {
	fs := m.flags("webhook " + verb)
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	hook := fs.Int64("webhook", 0, "webhook `ID` (required)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *hook <= 0 {
		return fmt.Errorf("%w: --account and --webhook are required", errUsage)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	v, text, err := change(crm.NewService(db), admin, *hook)
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(v)
	}
	_, err = io.WriteString(m.Stdout, text)
	return err
}
