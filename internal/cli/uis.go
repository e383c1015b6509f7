package cli

import (
	"context"
	"fmt"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/store"
)

// UIS: the passwords login.user checks and the agents acting for clients.

// userPassword sets a user's password, which UIS login.user checks.
func (m *Main) userPassword(ctx context.Context, args []string) error {
	fs := m.flags("user password")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	user := fs.Int64("user", 0, "user `ID` (required)")
	password := fs.String("password", "", "the new password (required; at least 8 characters)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *user <= 0 || *password == "" {
		return fmt.Errorf("%w: --user and --password are required", errUsage)
	}
	db, a, err := m.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := a.SetPassword(ctx, *user, *password); err != nil {
		return describe(err)
	}
	fmt.Fprintf(m.Stdout, "user %d: password set\n", *user)
	return nil
}

// accountLinkAgent lets an agent account act for a client account.
func (m *Main) accountLinkAgent(ctx context.Context, args []string) error {
	fs := m.flags("account link-agent")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	agent := fs.Int64("agent", 0, "the agent account `ID` (required)")
	client := fs.Int64("client", 0, "the client account `ID` (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *agent <= 0 || *client <= 0 {
		return fmt.Errorf("%w: --agent and --client are required", errUsage)
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := crm.NewService(db).LinkAgent(ctx, *agent, *client); err != nil {
		return describe(err)
	}
	fmt.Fprintf(m.Stdout, "account %d now acts for account %d\n", *agent, *client)
	return nil
}
