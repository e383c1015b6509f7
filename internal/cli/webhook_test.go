package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
	"github.com/crmd/crmd/internal/webhook"
)

// TestWebhookCommands: crmd webhook create, list, deliveries, replay,
// enable and delete on an account's webhooks, the errors each gives, and
// that another account reaches none of them.
func TestWebhookCommands(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		newAccount := func(name string) string {
			t.Helper()
			out, err := run(t, nil, "account", "create", "--db", dsn, "--name", name, "--json")
			var acc struct {
				AccountID int64 `json:"account_id"`
			}
			if err != nil || json.Unmarshal([]byte(out), &acc) != nil {
				t.Fatalf("account create: %q %v", out, err)
			}
			return fmt.Sprint(acc.AccountID)
		}
		account, other := newAccount("Hooks"), newAccount("Other")
		newPipeline := func(name string) (int64, []int64) {
			t.Helper()
			out, err := run(t, nil, "pipeline", "create", "--db", dsn, "--account", account, "--name", name, "--json")
			var p struct {
				PipelineID int64   `json:"pipeline_id"`
				StageIDs   []int64 `json:"stage_ids"`
			}
			if err != nil || json.Unmarshal([]byte(out), &p) != nil || len(p.StageIDs) < 2 {
				t.Fatalf("pipeline create: %q %v", out, err)
			}
			return p.PipelineID, p.StageIDs
		}
		pipeline, stages := newPipeline("Sales")
		_, otherStages := newPipeline("Support")

		// create
		out, err := run(t, nil, "webhook", "create", "--db", dsn, "--account", account, "--url", "https://hooks.example/all",
			"--events", "lead.added, lead.stage_changed,lead.added", "--json")
		if err != nil {
			t.Fatalf("webhook create: %v", err)
		}
		var created map[string]any
		if err := json.Unmarshal([]byte(out), &created); err != nil || len(created) != 2 || created["id"] == nil {
			t.Fatalf("webhook create printed %q (%v)", out, err)
		}
		if s, _ := created["secret"].(string); !strings.HasPrefix(s, "whsec_") || len(s) != len("whsec_")+64 {
			t.Errorf("secret %q", created["secret"])
		}
		all := fmt.Sprint(created["id"])
		out, err = run(t, nil, "webhook", "create", "--db", dsn, "--account", account, "--url", "https://hooks.example/won",
			"--events", "lead.stage_changed", "--pipeline", fmt.Sprint(pipeline), "--stages", fmt.Sprintf("%d,%d", stages[0], stages[1]))
		if err != nil || !strings.HasPrefix(out, "webhook ") || !strings.Contains(out, "\nsecret: whsec_") {
			t.Fatalf("webhook create (text): %q %v", out, err)
		}
		won := strings.TrimSuffix(strings.Fields(out)[1], ":")

		for _, c := range []struct {
			name  string
			args  []string
			usage bool
			want  string
		}{
			{"no --url", []string{"--account", account, "--events", "lead.added"}, true, "--url"},
			{"no --events", []string{"--account", account, "--url", "https://h.example"}, true, "--events"},
			{"no --account", []string{"--url", "https://h.example", "--events", "lead.added"}, true, "--account"},
			{"unknown event", []string{"--account", account, "--url", "https://h.example", "--events", "lead.added,lead.created"}, true,
				`--events: unknown event "lead.created"; known events: lead.added, lead.updated, lead.stage_changed`},
			{"amoCRM's name", []string{"--account", account, "--url", "https://h.example", "--events", "add_lead"}, true, `"add_lead"`},
			{"bad --stages", []string{"--account", account, "--url", "https://h.example", "--events", "lead.added", "--pipeline", "1", "--stages", "x"}, true, "--stages"},
			{"ftp URL", []string{"--account", account, "--url", "ftp://h.example/x", "--events", "lead.added"}, false, "--url: The destination must be an absolute http or https URL"},
			{"relative URL", []string{"--account", account, "--url", "/hooks", "--events", "lead.added"}, false, "--url: "},
			{"URL with credentials", []string{"--account", account, "--url", "https://u:p@h.example/", "--events", "lead.added"}, false, "--url: "},
			{"stage of another pipeline", []string{"--account", account, "--url", "https://h.example", "--events", "lead.added",
				"--pipeline", fmt.Sprint(pipeline), "--stages", fmt.Sprint(otherStages[0])}, false,
				fmt.Sprintf("--stages: Stage %d is not in pipeline %d.", otherStages[0], pipeline)},
			{"stages without pipeline", []string{"--account", account, "--url", "https://h.example", "--events", "lead.added",
				"--stages", fmt.Sprint(stages[0])}, false, "--pipeline: "},
			{"unknown pipeline", []string{"--account", account, "--url", "https://h.example", "--events", "lead.added",
				"--pipeline", "987654"}, false, "--pipeline: Pipeline 987654 not found."},
			{"another account's pipeline", []string{"--account", other, "--url", "https://h.example", "--events", "lead.added",
				"--pipeline", fmt.Sprint(pipeline)}, false, fmt.Sprintf("--pipeline: Pipeline %d not found.", pipeline)},
			{"missing account", []string{"--account", "987654", "--url", "https://h.example", "--events", "lead.added"}, false, "no administrator"},
		} {
			_, err := run(t, nil, append([]string{"webhook", "create", "--db", dsn}, c.args...)...)
			if err == nil || cli.IsUsage(err) != c.usage || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v (usage %v), want %q", c.name, err, cli.IsUsage(err), c.want)
			}
		}

		// list
		out, err = run(t, nil, "webhook", "list", "--db", dsn, "--account", account, "--json")
		if err != nil {
			t.Fatalf("webhook list: %v", err)
		}
		if strings.Contains(out, "whsec_") || strings.Contains(out, "secret") {
			t.Errorf("list shows the secret: %s", out)
		}
		var list []map[string]any
		if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 2 {
			t.Fatalf("webhook list printed %q (%v)", out, err)
		}
		wantFirst := fmt.Sprintf(`{"batch":false,"created_at":%q,"disabled":false,"events":["lead.added","lead.stage_changed"],"failures":0,"id":%s,"kind":"crmd","pipeline_id":0,"stage_ids":[],"url":"https://hooks.example/all"}`,
			list[0]["created_at"], all)
		if got, _ := json.Marshal(list[0]); string(got) != wantFirst {
			t.Errorf("first webhook:\n%s\nwant\n%s", got, wantFirst)
		}
		if list[1]["pipeline_id"] != float64(pipeline) || fmt.Sprint(list[1]["stage_ids"]) != fmt.Sprintf("[%d %d]", stages[0], stages[1]) {
			t.Errorf("second webhook: %v", list[1])
		}
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(list[0]["created_at"])); err != nil {
			t.Errorf("created_at: %v", err)
		}
		out, err = run(t, nil, "webhook", "list", "--db", dsn, "--account", account)
		if err != nil || !strings.HasPrefix(out, all+"\tcrmd\thttps://hooks.example/all\tlead.added,lead.stage_changed\tall pipelines\tfailures 0\tenabled\n") ||
			!strings.Contains(out, fmt.Sprintf("\tpipeline %d stages %d,%d\t", pipeline, stages[0], stages[1])) {
			t.Errorf("webhook list (text): %q %v", out, err)
		}
		if out, err := run(t, nil, "webhook", "list", "--db", dsn, "--account", other, "--json"); err != nil || out != "[]\n" {
			t.Errorf("another account's list: %q %v", out, err)
		}

		// deliveries: made as the outbox would, sent as a deliverer would.
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var hookID int64
		fmt.Sscan(all, &hookID)
		accountID := int64(0)
		fmt.Sscan(account, &accountID)
		ids := sendDeliveries(t, db, accountID, hookID)

		out, err = run(t, nil, "webhook", "deliveries", "--db", dsn, "--account", account, "--webhook", all, "--json")
		if err != nil {
			t.Fatalf("webhook deliveries: %v", err)
		}
		var dels []struct {
			ID          int64    `json:"id"`
			WebhookID   int64    `json:"webhook_id"`
			RecordKey   string   `json:"record_key"`
			EventIDs    []int64  `json:"event_ids"`
			EventTypes  []string `json:"event_types"`
			State       string   `json:"state"`
			NextAttempt string   `json:"next_attempt_at"`
			LastStatus  int      `json:"last_status"`
			LastError   string   `json:"last_error"`
			ReplayOf    int64    `json:"replay_of"`
			FinishedAt  string   `json:"finished_at"`
			ContentType string   `json:"content_type"`
			Body        string   `json:"body"`
			Attempts    []struct {
				At        string `json:"at"`
				Status    int    `json:"status"`
				LatencyMS int64  `json:"latency_ms"`
				Error     string `json:"error"`
				Response  string `json:"response"`
			} `json:"attempts"`
		}
		if err := json.Unmarshal([]byte(out), &dels); err != nil || len(dels) != 3 {
			t.Fatalf("webhook deliveries printed %q (%v)", out, err)
		}
		// Newest first: the pending one, the failed one, the delivered one.
		if d := dels[0]; d.ID != ids[2] || d.State != "pending" || d.NextAttempt == "" || len(d.Attempts) != 0 || d.FinishedAt != "" {
			t.Errorf("pending delivery: %+v", d)
		}
		if d := dels[1]; d.ID != ids[1] || d.State != "failed" || d.LastError != "no answer within 10s" || len(d.Attempts) != 1 ||
			d.Attempts[0].Status != 0 || d.Attempts[0].Error != "no answer within 10s" || d.NextAttempt != "" || d.FinishedAt == "" {
			t.Errorf("failed delivery: %+v", d)
		}
		d := dels[2]
		if d.ID != ids[0] || d.WebhookID != hookID || d.RecordKey != "deal:1" || fmt.Sprint(d.EventIDs) != "[101]" ||
			fmt.Sprint(d.EventTypes) != "[lead.added]" || d.State != "delivered" || d.LastStatus != 200 ||
			d.ContentType != "application/json" || d.Body != `{"id":"101","type":"lead.added"}` || len(d.Attempts) != 2 {
			t.Fatalf("delivered delivery: %+v", d)
		}
		if a := d.Attempts[0]; a.Status != 500 || a.LatencyMS != 1234 || a.Response != `{"error":"busy"}` || a.Error != "" {
			t.Errorf("first attempt: %+v", a)
		}
		if a := d.Attempts[1]; a.Status != 200 || a.Response != "ok" {
			t.Errorf("second attempt: %+v", a)
		}
		if _, err := time.Parse(time.RFC3339, d.Attempts[0].At); err != nil {
			t.Errorf("attempt time %q: %v", d.Attempts[0].At, err)
		}
		page := func(extra ...string) string {
			t.Helper()
			out, err := run(t, nil, append([]string{"webhook", "deliveries", "--db", dsn, "--account", account, "--webhook", all, "--json"}, extra...)...)
			if err != nil {
				t.Fatalf("webhook deliveries %v: %v", extra, err)
			}
			var got []struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not JSON: %q", out)
			}
			var ids []string
			for _, d := range got {
				ids = append(ids, fmt.Sprint(d.ID))
			}
			return strings.Join(ids, ",")
		}
		for _, c := range []struct {
			args []string
			want int64
		}{
			{[]string{"--state", "failed"}, ids[1]},
			{[]string{"--state", "delivered"}, ids[0]},
			{[]string{"--state", "pending"}, ids[2]},
			{[]string{"--limit", "1"}, ids[2]},
			{[]string{"--limit", "1", "--before", fmt.Sprint(ids[1])}, ids[0]},
		} {
			if got := page(c.args...); got != fmt.Sprint(c.want) {
				t.Errorf("deliveries %v: %s, want %d", c.args, got, c.want)
			}
		}
		out, err = run(t, nil, "webhook", "deliveries", "--db", dsn, "--account", account, "--webhook", all, "--state", "delivered")
		if err != nil || !strings.HasPrefix(out, fmt.Sprintf("delivery %d\tdelivered\tdeal:1\tlead.added\tcreated ", ids[0])) ||
			!strings.Contains(out, "\tHTTP 500\t1234ms\tresponse: \"{\\\"error\\\":\\\"busy\\\"}\"\n") || !strings.Contains(out, "\tHTTP 200\t") {
			t.Errorf("webhook deliveries (text): %q %v", out, err)
		}
		out, err = run(t, nil, "webhook", "deliveries", "--db", dsn, "--account", account, "--webhook", all, "--state", "failed")
		if err != nil || !strings.Contains(out, "\tno answer\t") || !strings.Contains(out, "\terror: no answer within 10s") {
			t.Errorf("webhook deliveries --state failed (text): %q %v", out, err)
		}

		// replay
		out, err = run(t, nil, "webhook", "replay", "--db", dsn, "--account", account, "--delivery", fmt.Sprint(ids[1]), "--json")
		var replay struct {
			ID        int64 `json:"id"`
			WebhookID int64 `json:"webhook_id"`
			ReplayOf  int64 `json:"replay_of"`
		}
		if err != nil || json.Unmarshal([]byte(out), &replay) != nil || replay.ID <= ids[2] || replay.ReplayOf != ids[1] || replay.WebhookID != hookID {
			t.Fatalf("webhook replay: %q %v", out, err)
		}
		if got := page("--state", "pending"); got != fmt.Sprintf("%d,%d", replay.ID, ids[2]) {
			t.Errorf("pending after the replay: %s", got)
		}
		out, err = run(t, nil, "webhook", "replay", "--db", dsn, "--account", account, "--delivery", fmt.Sprint(replay.ID))
		if err != nil || !strings.HasPrefix(out, "delivery ") || !strings.HasSuffix(out, fmt.Sprintf("queued for webhook %d (a copy of delivery %d)\n", hookID, ids[1])) {
			t.Errorf("webhook replay of a replay: %q %v", out, err)
		}

		// enable: the webhook is disabled as a failing one would be.
		disable(t, db, accountID, hookID)
		out, _ = run(t, nil, "webhook", "list", "--db", dsn, "--account", account)
		if !strings.Contains(out, "\tfailures 50\tdisabled ") || !strings.Contains(out, ": 50 attempts in a row failed\n") {
			t.Errorf("list of a disabled webhook: %q", out)
		}
		out, _ = run(t, nil, "webhook", "list", "--db", dsn, "--account", account, "--json")
		if !strings.Contains(out, `"disabled":true,"disabled_at":"`) || !strings.Contains(out, `"disabled_reason":"50 attempts in a row failed","failures":50`) {
			t.Errorf("JSON list of a disabled webhook: %s", out)
		}
		out, err = run(t, nil, "webhook", "enable", "--db", dsn, "--account", account, "--webhook", all)
		if err != nil || out != "webhook "+all+" enabled\n" {
			t.Errorf("webhook enable: %q %v", out, err)
		}
		out, err = run(t, nil, "webhook", "enable", "--db", dsn, "--account", account, "--webhook", all, "--json")
		if err != nil || !strings.Contains(out, `"disabled":false,`) || !strings.Contains(out, `"failures":0`) {
			t.Errorf("webhook enable --json: %q %v", out, err)
		}

		// delete
		out, err = run(t, nil, "webhook", "delete", "--db", dsn, "--account", account, "--webhook", won, "--json")
		if err != nil || out != `{"deleted":true,"id":`+won+"}\n" {
			t.Errorf("webhook delete: %q %v", out, err)
		}
		out, err = run(t, nil, "webhook", "delete", "--db", dsn, "--account", account, "--webhook", all)
		if err != nil || out != "webhook "+all+" deleted with its delivery log\n" {
			t.Errorf("webhook delete (text): %q %v", out, err)
		}
		if out, err := run(t, nil, "webhook", "list", "--db", dsn, "--account", account, "--json"); err != nil || out != "[]\n" {
			t.Errorf("list after deleting both: %q %v", out, err)
		}

		// Unknown webhooks and deliveries, another account's, and bad flags.
		notFound := [][]string{
			{"deliveries", "--webhook", all},
			{"replay", "--delivery", fmt.Sprint(ids[0])},
			{"enable", "--webhook", all},
			{"delete", "--webhook", all},
			{"deliveries", "--webhook", "987654"},
			{"replay", "--delivery", "987654"},
		}
		for _, args := range notFound {
			_, err := run(t, nil, append([]string{"webhook", args[0], "--db", dsn, "--account", account}, args[1:]...)...)
			if crm.KindOf(err) != crm.KindNotFound || !strings.Contains(err.Error(), "not found") {
				t.Errorf("%v: %v, want not found", args, err)
			}
		}
		out, err = run(t, nil, "webhook", "create", "--db", dsn, "--account", account, "--url", "https://hooks.example/kept",
			"--events", "contact.added", "--json")
		if err != nil || json.Unmarshal([]byte(out), &created) != nil {
			t.Fatalf("webhook create: %q %v", out, err)
		}
		kept := fmt.Sprint(created["id"])
		keptID := int64(0)
		fmt.Sscan(kept, &keptID)
		keptDeliveries := sendDeliveries(t, db, accountID, keptID)
		for _, args := range [][]string{
			{"deliveries", "--webhook", kept},
			{"replay", "--delivery", fmt.Sprint(keptDeliveries[0])},
			{"enable", "--webhook", kept},
			{"delete", "--webhook", kept},
		} {
			_, err := run(t, nil, append([]string{"webhook", args[0], "--db", dsn, "--account", other}, args[1:]...)...)
			if crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("another account's %v: %v, want not found", args, err)
			}
		}
		if got := countDeliveries(t, dsn, account, kept); got != 3 {
			t.Errorf("the kept webhook has %d deliveries after another account's attempts", got)
		}
		for _, args := range [][]string{
			{"webhook"},
			{"webhook", "frobnicate"},
			{"webhook", "list", "--db", dsn},
			{"webhook", "list", "--db", dsn, "--account", account, "extra"},
			{"webhook", "deliveries", "--db", dsn, "--account", account},
			{"webhook", "deliveries", "--db", dsn, "--webhook", kept},
			{"webhook", "deliveries", "--db", dsn, "--account", account, "--webhook", kept, "--state", "sent"},
			{"webhook", "deliveries", "--db", dsn, "--account", account, "--webhook", kept, "--limit", "0"},
			{"webhook", "deliveries", "--db", dsn, "--account", account, "--webhook", kept, "--limit", "251"},
			{"webhook", "deliveries", "--db", dsn, "--account", account, "--webhook", "x"},
			{"webhook", "replay", "--db", dsn, "--account", account},
			{"webhook", "replay", "--db", dsn, "--delivery", "1"},
			{"webhook", "enable", "--db", dsn, "--account", account},
			{"webhook", "enable", "--db", dsn, "--webhook", kept},
			{"webhook", "delete", "--db", dsn, "--account", account},
			{"webhook", "delete", "--db", dsn, "--account", account, "--webhook", "-1"},
			{"webhook", "create", "--db", dsn, "--account", account, "--url", "https://h.example", "--events", " , "},
		} {
			if _, err := run(t, nil, args...); !cli.IsUsage(err) {
				t.Errorf("%v: %v, want a usage error", args, err)
			}
		}
	})
}

// sendDeliveries stores three deliveries of a webhook, as the outbox hands
// them out, and records attempts as a deliverer would: the first delivered
// at its second attempt, the second given up after no answer, the third
// still pending. It returns their ids, oldest first.
func sendDeliveries(t *testing.T, db *store.DB, accountID, hookID int64) []int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	var made []crm.Delivery
	for i := range 3 {
		id := 101 + i
		due := now
		if i == 2 {
			due = now.Add(time.Hour) // not sent here
		}
		made = append(made, crm.Delivery{AccountID: accountID, WebhookID: hookID, RecordKey: fmt.Sprintf("deal:%d", i+1),
			EventIDs: []int64{int64(id)}, EventTypes: []string{"lead.added"}, ContentType: "application/json",
			Body: []byte(fmt.Sprintf(`{"id":"%d","type":"lead.added"}`, id)), NextAttemptAt: due})
	}
	b, err := db.OutboxEntries(ctx, 0)
	if err == nil {
		err = db.CommitOutbox(ctx, b, made)
	}
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := db.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %d: %v", len(claimed), err)
	}
	keep := func(crm.Webhook, crm.DeliveryAttempt, func(time.Time) (int, error)) (string, error) { return "", nil }
	attempt := func(d crm.Delivery, at time.Time, status int, latency time.Duration, errText, response string) crm.DeliveryAttempt {
		return crm.DeliveryAttempt{DeliveryID: d.ID, WebhookID: hookID, At: at, Status: status, Latency: latency, Error: errText, Response: response}
	}
	err = db.FinishDeliveries(ctx, []crm.DeliveryOutcome{
		{Delivery: claimed[0], Attempt: attempt(claimed[0], now, 500, 1234*time.Millisecond, "", `{"error":"busy"}`),
			State: crm.DeliveryPending, NextAttemptAt: now.Add(time.Second)},
		{Delivery: claimed[1], Attempt: attempt(claimed[1], now, 0, 10*time.Second, "no answer within 10s", ""), State: crm.DeliveryFailed},
	}, keep)
	if err != nil {
		t.Fatal(err)
	}
	again, err := db.ClaimDeliveries(ctx, now.Add(time.Second), now.Add(time.Minute), 10)
	if err != nil || len(again) != 1 || again[0].ID != claimed[0].ID {
		t.Fatalf("claimed again %+v: %v", again, err)
	}
	err = db.FinishDeliveries(ctx, []crm.DeliveryOutcome{{Delivery: again[0], Success: true, State: crm.DeliveryDelivered,
		Attempt: attempt(again[0], now.Add(time.Second), 200, 80*time.Millisecond, "", "ok")}}, keep)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err = db.View(ctx, accountID, func(tx crm.Tx) error {
		list, err := tx.Deliveries(ctx, crm.DeliveryQuery{WebhookID: hookID})
		for i := len(list) - 1; i >= 0; i-- {
			ids = append(ids, list[i].ID)
		}
		return err
	})
	if err != nil || len(ids) != 3 {
		t.Fatalf("deliveries %v: %v", ids, err)
	}
	return ids
}

// disable records the attempt after which crmd's rule disables a webhook.
func disable(t *testing.T, db *store.DB, accountID, hookID int64) {
	t.Helper()
	ctx := context.Background()
	err := db.Update(ctx, accountID, func(tx crm.Tx) error {
		list, err := tx.Webhooks(ctx, crm.WebhookQuery{IDs: []int64{hookID}})
		if err != nil || len(list) != 1 {
			return fmt.Errorf("webhook %d: %v", hookID, err)
		}
		w := list[0]
		w.DisabledAt, w.DisabledReason, w.Failures = time.Now(), "50 attempts in a row failed", 50
		return tx.UpdateWebhook(ctx, &w)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// countDeliveries counts a webhook's deliveries as webhook deliveries prints them.
func countDeliveries(t *testing.T, dsn, account, hook string) int {
	t.Helper()
	out, err := run(t, nil, "webhook", "deliveries", "--db", dsn, "--account", account, "--webhook", hook, "--json")
	var list []json.RawMessage
	if err != nil || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("webhook deliveries: %q %v", out, err)
	}
	return len(list)
}

// TestWebhookDelivered: a webhook made with the CLI receives a running
// server's lead events, signed with the secret the CLI printed, filtered
// by pipeline and stage; webhook deliveries shows each attempt.
func TestWebhookDelivered(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		type received struct {
			path   string
			header http.Header
			body   []byte
		}
		got := make(chan received, 16)
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			got <- received{r.URL.Path, r.Header.Clone(), body}
			io.WriteString(w, "thanks")
		}))
		defer receiver.Close()
		srv, err := cli.Start(ctx, cli.ServerConfig{DSN: dsn, Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
			WebhookAllowPrivate: true, WebhookPoll: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Shutdown(context.Background())
		env := &crmtest.Env{URL: srv.URL(), Server: srv, Client: &http.Client{Timeout: 10 * time.Second}}
		acc := env.NewAccount(t, "Delivered")
		account := fmt.Sprint(acc.AccountID)
		out, err := run(t, nil, "pipeline", "create", "--db", dsn, "--account", account, "--name", "Sales", "--json")
		var p struct {
			PipelineID int64   `json:"pipeline_id"`
			StageIDs   []int64 `json:"stage_ids"`
		}
		if err != nil || json.Unmarshal([]byte(out), &p) != nil {
			t.Fatalf("pipeline create: %q %v", out, err)
		}
		create := func(path string, extra ...string) (string, string) {
			t.Helper()
			out, err := run(t, nil, append([]string{"webhook", "create", "--db", dsn, "--account", account, "--url", receiver.URL + path, "--json"}, extra...)...)
			var w struct {
				ID     int64  `json:"id"`
				Secret string `json:"secret"`
			}
			if err != nil || json.Unmarshal([]byte(out), &w) != nil {
				t.Fatalf("webhook create: %q %v", out, err)
			}
			return fmt.Sprint(w.ID), w.Secret
		}
		allID, allSecret := create("/all", "--events", "lead.added,lead.stage_changed")
		wonID, wonSecret := create("/won", "--events", "lead.stage_changed", "--pipeline", fmt.Sprint(p.PipelineID),
			"--stages", fmt.Sprint(p.StageIDs[2]))

		resp := env.Do(t, "POST", "/api/v4/leads", acc.AmoCRMToken,
			fmt.Sprintf(`[{"name":"Website order #1042","price":12000,"pipeline_id":%d,"status_id":%d}]`, p.PipelineID, p.StageIDs[0]))
		var added struct {
			Embedded struct {
				Leads []struct {
					ID int64 `json:"id"`
				} `json:"leads"`
			} `json:"_embedded"`
		}
		if resp.Status != 200 || json.Unmarshal(resp.Body, &added) != nil || len(added.Embedded.Leads) != 1 {
			t.Fatalf("add a lead: %d %s", resp.Status, resp.Body)
		}
		lead := added.Embedded.Leads[0].ID
		byPath := map[string][]received{}
		dump := func(m map[string][]received) string {
			var b strings.Builder
			for path, list := range m {
				for _, r := range list {
					fmt.Fprintf(&b, "\n%s %s %s", path, r.header.Get("X-Crmd-Event-Id"), r.body)
				}
			}
			return b.String()
		}
		receive := func(n int) {
			t.Helper()
			deadline := time.After(15 * time.Second)
			for range n {
				select {
				case r := <-got:
					byPath[r.path] = append(byPath[r.path], r)
				case <-deadline:
					t.Fatalf("waiting for %d deliveries, received %s", n, dump(byPath))
				}
			}
		}
		receive(1) // /all: lead.added
		// Each move is awaited before the next, to check the deliveries one
		// by one (TestStageFilter in internal/webhook covers quick moves).
		for i, stage := range p.StageIDs[1:3] {
			resp = env.Do(t, "PATCH", fmt.Sprintf("/api/v4/leads/%d", lead), acc.AmoCRMToken, fmt.Sprintf(`{"status_id":%d}`, stage))
			if resp.Status != 200 {
				t.Fatalf("move the lead: %d %s", resp.Status, resp.Body)
			}
			receive(1 + i) // /all, then /all and /won
		}
		select {
		case r := <-got:
			t.Fatalf("one delivery too many: %s %s", r.path, r.body)
		case <-time.After(200 * time.Millisecond):
		}
		check := func(r received, secret, event string) webhook.Payload {
			t.Helper()
			h := r.header
			if !webhook.Verify(secret, h.Get("X-Crmd-Timestamp"), h.Get("X-Crmd-Signature"), r.body, time.Now(), 5*time.Minute) {
				t.Errorf("%s: the signature %q does not verify", r.path, h.Get("X-Crmd-Signature"))
			}
			var payload webhook.Payload
			if err := json.Unmarshal(r.body, &payload); err != nil {
				t.Fatalf("%s: %v: %s", r.path, err, r.body)
			}
			if h.Get("X-Crmd-Event") != event || payload.Type != crm.EventType(event) || h.Get("X-Crmd-Event-Id") != payload.ID ||
				h.Get("X-Crmd-Delivery") == "" || h.Get("Content-Type") != "application/json" || payload.Entity.ID != lead ||
				payload.Lead == nil || payload.Lead.Name != "Website order #1042" {
				t.Errorf("%s: %v %s", r.path, h, r.body)
			}
			t.Logf("%s %s: %s", r.path, event, r.body)
			return payload
		}
		all := byPath["/all"]
		if len(all) != 3 || len(byPath["/won"]) != 1 {
			t.Fatalf("received %s", dump(byPath))
		}
		check(all[0], allSecret, "lead.added")
		check(all[1], allSecret, "lead.stage_changed")
		check(all[2], allSecret, "lead.stage_changed")
		won := check(byPath["/won"][0], wonSecret, "lead.stage_changed")
		if won.Lead.StatusID != p.StageIDs[2] || won.ID != all[2].header.Get("X-Crmd-Event-Id") {
			t.Errorf("/won got %+v", won)
		}

		// The log shows the attempts; deliveries are recorded just after
		// they are answered.
		var dels []struct {
			State    string `json:"state"`
			Attempts []struct {
				Status   int    `json:"status"`
				Response string `json:"response"`
			} `json:"attempts"`
		}
		for wait := time.Now().Add(5 * time.Second); ; {
			out, err = run(t, nil, "webhook", "deliveries", "--db", dsn, "--account", account, "--webhook", allID, "--state", "delivered", "--json")
			if err != nil || json.Unmarshal([]byte(out), &dels) != nil {
				t.Fatalf("webhook deliveries: %q %v", out, err)
			}
			if len(dels) == 3 || time.Now().After(wait) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if len(dels) != 3 {
			t.Fatalf("delivered: %s", out)
		}
		for _, d := range dels {
			if len(d.Attempts) != 1 || d.Attempts[0].Status != 200 || d.Attempts[0].Response != "thanks" {
				t.Errorf("delivery log: %s", out)
			}
		}
		if n := countDeliveries(t, dsn, account, wonID); n != 1 {
			t.Errorf("/won has %d deliveries", n)
		}
	})
}

// TestWebhookCreateBatch: --batch makes a batching webhook, and list says
// so.
func TestWebhookCreateBatch(t *testing.T) {
	dsn := crmtest.NewDSN(t, crmtest.SQLite)
	out, err := run(t, nil, "account", "create", "--db", dsn, "--name", "Batch", "--json")
	var acc struct {
		AccountID int64 `json:"account_id"`
	}
	if err != nil || json.Unmarshal([]byte(out), &acc) != nil {
		t.Fatalf("account create: %q %v", out, err)
	}
	account := fmt.Sprint(acc.AccountID)
	if out, err := run(t, nil, "webhook", "create", "--db", dsn, "--account", account, "--url", "https://hooks.example/b",
		"--events", "unsorted.added", "--batch", "--json"); err != nil {
		t.Fatalf("webhook create --batch: %q %v", out, err)
	}
	out, err = run(t, nil, "webhook", "list", "--db", dsn, "--account", account, "--json")
	var list []struct {
		Batch bool `json:"batch"`
	}
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || !list[0].Batch {
		t.Fatalf("webhook list: %q %v", out, err)
	}
	if out, _ := run(t, nil, "webhook", "list", "--db", dsn, "--account", account); !strings.Contains(out, "batched") {
		t.Errorf("the list does not say the webhook batches: %q", out)
	}
}
