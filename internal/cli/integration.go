package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/webhook"
)

// crmd integration create|authorize|list|revoke: amoCRM OAuth 2.0
// integrations (docs/amocrm.md, "OAuth 2.0").

func (m *Main) integration(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return m.integrationCreate(ctx, args[1:])
		case "authorize":
			return m.integrationAuthorize(ctx, args[1:])
		case "list":
			return m.integrationList(ctx, args[1:])
		case "revoke":
			return m.integrationRevoke(ctx, args[1:])
		}
	}
	fmt.Fprint(m.Stderr, usage)
	return fmt.Errorf("%w: integration needs create, authorize, list or revoke", errUsage)
}

func (m *Main) integrationCreate(ctx context.Context, args []string) error {
	fs := m.flags("integration create")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	name := fs.String("name", "", "integration `NAME` (required)")
	redirect := fs.String("redirect-uri", "", "the integration's redirect `URL` (required)")
	disconnect := fs.String("disconnect-url", "", "`URL` called (GET, signed) when the integration is revoked")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *name == "" || *redirect == "" {
		return fmt.Errorf("%w: --account, --name and --redirect-uri are required", errUsage)
	}
	db, a, err := m.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	creds, err := a.CreateIntegration(ctx, *account, auth.NewIntegration{Name: *name, RedirectURI: *redirect, DisconnectURL: *disconnect})
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(creds)
	}
	fmt.Fprintf(m.Stdout, "client_id: %s\nclient_secret: %s (shown only now)\n", creds.ClientID, creds.ClientSecret)
	return nil
}

func (m *Main) integrationAuthorize(ctx context.Context, args []string) error {
	fs := m.flags("integration authorize")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	clientID := fs.String("client-id", "", "the integration's client_id (required)")
	user := fs.Int64("user", 0, "`ID` of the user who grants access, of the integration's account (required)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *clientID == "" || *user <= 0 {
		return fmt.Errorf("%w: --client-id and --user are required", errUsage)
	}
	db, a, err := m.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	code, err := a.Authorize(ctx, *user, *clientID)
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(map[string]string{"code": code})
	}
	fmt.Fprintf(m.Stdout, "authorization code (valid 20 minutes, once): %s\n", code)
	return nil
}

// integrationListing is one line of crmd integration list --json: never a
// secret, nor the signing key.
type integrationListing struct {
	ClientID      string     `json:"client_id"`
	Name          string     `json:"name"`
	RedirectURI   string     `json:"redirect_uri"`
	DisconnectURL string     `json:"disconnect_url"`
	CreatedAt     time.Time  `json:"created_at"`
	RevokedAt     *time.Time `json:"revoked_at"`
	LiveGrants    int        `json:"live_grants"`
}

func (m *Main) integrationList(ctx context.Context, args []string) error {
	fs := m.flags("integration list")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	asJSON := fs.Bool("json", false, "print the integrations as one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 {
		return fmt.Errorf("%w: --account is required", errUsage)
	}
	db, a, err := m.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := a.ListIntegrations(ctx, *account)
	if err != nil {
		return describe(err)
	}
	out := make([]integrationListing, len(list))
	for i, l := range list {
		out[i] = integrationListing{ClientID: l.ClientID, Name: l.Name, RedirectURI: l.RedirectURI,
			DisconnectURL: l.DisconnectURL, CreatedAt: l.CreatedAt, LiveGrants: l.LiveGrants}
		if !l.RevokedAt.IsZero() {
			out[i].RevokedAt = &l.RevokedAt
		}
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(out)
	}
	if len(out) == 0 {
		fmt.Fprintln(m.Stdout, "no integrations")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT_ID\tNAME\tREDIRECT_URI\tCREATED\tLIVE GRANTS\tREVOKED")
	for _, l := range out {
		revoked := "-"
		if l.RevokedAt != nil {
			revoked = l.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", l.ClientID, l.Name, l.RedirectURI, l.CreatedAt.Format(time.RFC3339),
			l.LiveGrants, revoked)
	}
	return tw.Flush()
}

// disconnectHookTimeout bounds the disconnect hook's one attempt, answer
// included: amoCRM waits 2 seconds for its webhooks; an operator running
// revoke can wait a little longer for a slow receiver to answer.
const disconnectHookTimeout = 5 * time.Second

// revokeResult is what crmd integration revoke --json prints.
type revokeResult struct {
	ClientID  string    `json:"client_id"`
	AccountID int64     `json:"account_id"`
	RevokedAt time.Time `json:"revoked_at"`
	// Hook is the disconnect hook's outcome; absent when the integration
	// has none.
	Hook *hookResult `json:"disconnect_hook,omitempty"`
}

type hookResult struct {
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

func (m *Main) integrationRevoke(ctx context.Context, args []string) error {
	fs := m.flags("integration revoke")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	clientID := fs.String("client-id", "", "the integration's client_id (required)")
	allowDefault, err := strconv.ParseBool(m.env("CRMD_WEBHOOK_ALLOW_PRIVATE", "false"))
	if err != nil {
		return fmt.Errorf("%w: CRMD_WEBHOOK_ALLOW_PRIVATE: %q is not a boolean", errUsage, m.Getenv("CRMD_WEBHOOK_ALLOW_PRIVATE"))
	}
	allowPrivate := fs.Bool("allow-private", allowDefault,
		"let the disconnect hook reach loopback, private and link-local addresses (env CRMD_WEBHOOK_ALLOW_PRIVATE)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *clientID == "" {
		return fmt.Errorf("%w: --account and --client-id are required", errUsage)
	}
	db, a, err := m.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rev, err := a.RevokeIntegration(ctx, *account, *clientID)
	if err != nil && rev.Integration.ID == 0 {
		return describe(err)
	}
	out := revokeResult{ClientID: rev.Integration.ClientID, AccountID: rev.Integration.AccountID, RevokedAt: rev.Integration.RevokedAt}
	switch {
	case err != nil: // revoked, but the hook could not be signed
		out.Hook = &hookResult{URL: rev.Integration.DisconnectURL, Error: err.Error()}
	case rev.HookURL != "":
		out.Hook = &hookResult{URL: rev.HookURL}
		out.Hook.Status, err = sendDisconnectHook(ctx, webhook.NewClient(*allowPrivate, "crmd integration revoke --allow-private"), rev.HookURL)
		if err != nil {
			out.Hook.Error = err.Error()
		}
	case rev.Integration.DisconnectURL != "":
		out.Hook = &hookResult{URL: rev.Integration.DisconnectURL, Error: "not sent: the integration predates crmd keeping a signing key"}
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(out)
	}
	fmt.Fprintf(m.Stdout, "revoked integration %s of account %d: its codes, refresh tokens and access tokens no longer work\n",
		out.ClientID, out.AccountID)
	switch {
	case out.Hook == nil:
		fmt.Fprintln(m.Stdout, "disconnect hook: none")
	case out.Hook.Error != "":
		fmt.Fprintf(m.Stdout, "disconnect hook: failed: %s (the revocation stands)\n", out.Hook.Error)
	default:
		fmt.Fprintf(m.Stdout, "disconnect hook: HTTP %d\n", out.Hook.Status)
	}
	return nil
}

// sendDisconnectHook makes the hook's one attempt: GET, bounded by
// disconnectHookTimeout, redirects not followed (a 3xx is the answer).
func sendDisconnectHook(ctx context.Context, client *http.Client, url string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, disconnectHookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "crmd/"+Version)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}
