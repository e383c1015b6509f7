package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/crmd/crmd/internal/crm"
)

// userAdmin is "crmd user role|deactivate|activate": the changes an
// administrator makes on the web workspace's users page, by the same rules
// (crm.Service.SetUserRole, DeactivateUser, ActivateUser), acting as the
// account's first active administrator. Deactivating revokes the user's
// sessions, tokens and OAuth grants for every crmd process on the database
// at once.
func (m *Main) userAdmin(ctx context.Context, command string, args []string) error {
	fs := m.flags("user " + command)
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	user := fs.Int64("user", 0, "user `ID` (required)")
	var role *string
	if command == "role" {
		role = fs.String("role", "", "`ROLE`: admin or member (required)")
	}
	asJSON := fs.Bool("json", false, "print the user as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *account <= 0 || *user <= 0 || (role != nil && *role == "") {
		if role != nil {
			return fmt.Errorf("%w: --account, --user and --role are required", errUsage)
		}
		return fmt.Errorf("%w: --account and --user are required", errUsage)
	}
	db, admin, err := openAsAdmin(ctx, *dsn, *account)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := crm.NewService(db)
	var u crm.User
	switch command {
	case "role":
		u, err = svc.SetUserRole(ctx, admin, *user, crm.Role(*role))
	case "deactivate":
		u, err = svc.DeactivateUser(ctx, admin, *user)
	default:
		u, err = svc.ActivateUser(ctx, admin, *user)
	}
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(map[string]any{"user_id": u.ID, "account_id": *account, "role": u.Role, "active": u.Active()})
	}
	state := "active"
	if !u.Active() {
		state = "deactivated"
	}
	fmt.Fprintf(m.Stdout, "user %d (%s): %s, %s\n", u.ID, u.Name, u.Role, state)
	return nil
}
