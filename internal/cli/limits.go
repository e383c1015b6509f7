package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/crmd/crmd/internal/ratelimit"
	"github.com/crmd/crmd/internal/server"
	"github.com/crmd/crmd/internal/store"
)

// limitsSet is "crmd limits set": an account's own request limits for one
// dialect, stored in the database, so every running crmd on it applies them
// from the next request on. A window's flag left out keeps what is stored;
// 0 means no limit; -1 goes back to the dialect's default.
func (m *Main) limitsSet(ctx context.Context, args []string) error {
	// The dialects the server limits, so that a name is refused here,
	// before the database is opened, exactly when the server would not
	// know it.
	dialects := server.LimitDialects()
	names := ratelimit.Names(dialects)
	fs := m.flags("limits set")
	dsn := fs.String("db", m.env("CRMD_DB", DefaultDB), "database `DSN` (env CRMD_DB)")
	account := fs.Int64("account", 0, "account `ID` (required)")
	dialect := fs.String("dialect", "", "`DIALECT`: "+oneOf(names)+" (required)")
	perSecond := fs.Int64("per-second", 0, "requests per second (0: no limit, -1: the default)")
	perMinute := fs.Int64("per-minute", 0, "requests per minute (0: no limit, -1: the default)")
	perDay := fs.Int64("per-day", 0, "requests per day (0: no limit, -1: the default)")
	asJSON := fs.Bool("json", false, "print the limits in force as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	d := *dialect
	if _, known := ratelimit.Find(dialects, d); *account <= 0 || !known {
		return fmt.Errorf("%w: --account and --dialect %s are required", errUsage, strings.Join(names, "|"))
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	stored, err := db.AccountLimits(ctx, *account, d)
	if err != nil {
		return err
	}
	o := stored.Override
	fs.Visit(func(f *flag.Flag) {
		var field **int64
		var value int64
		switch f.Name {
		case "per-second":
			field, value = &o.PerSecond, *perSecond
		case "per-minute":
			field, value = &o.PerMinute, *perMinute
		case "per-day":
			field, value = &o.PerDay, *perDay
		default:
			return
		}
		if value == -1 {
			*field = nil
		} else {
			*field = &value
		}
	})
	limits, err := ratelimit.NewLimiter(db, db.Now, dialects...).SetLimits(ctx, *account, d, o)
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(map[string]any{
			"account_id": *account, "dialect": d,
			"per_second": limits.PerSecond, "per_minute": limits.PerMinute, "per_day": limits.PerDay,
		})
	}
	fmt.Fprintf(m.Stdout, "account %d, %s: %s per second, %s per minute, %s per day\n", *account, d,
		limitText(limits.PerSecond), limitText(limits.PerMinute), limitText(limits.PerDay))
	return nil
}

func limitText(n int64) string {
	if n == 0 {
		return "no limit"
	}
	return fmt.Sprint(n)
}

// oneOf renders names as "a, b or c".
func oneOf(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
