package cli

import (
	"context"
	"encoding/json"
	"fmt"
)

// crmd integration create|authorize: amoCRM OAuth 2.0 integrations
// (docs/amocrm.md, "OAuth 2.0").

func (m *Main) integration(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return m.integrationCreate(ctx, args[1:])
		case "authorize":
			return m.integrationAuthorize(ctx, args[1:])
		}
	}
	fmt.Fprint(m.Stderr, usage)
	return fmt.Errorf("%w: integration needs create or authorize", errUsage)
}

func (m *Main) integrationCreate(ctx context.Context, args []string) error {
	fs := m.flags("integration create")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	name := fs.String("name", "", "integration `NAME` (required)")
	redirect := fs.String("redirect-uri", "", "the integration's redirect `URL` (required)")
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
	creds, err := a.CreateIntegration(ctx, *account, *name, *redirect)
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
