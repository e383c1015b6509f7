package crm

import (
	"context"
	"strings"
	"time"
	// The time zone database travels with the binary: whether an
	// administrator's zone name is valid must not depend on the host's
	// /usr/share/zoneinfo (a scratch container has none).
	_ "time/tzdata"
)

// AccountPatch changes an account's own settings; nil fields stay.
type AccountPatch struct {
	Name *string
	// TimeZone is an IANA zone name ("Europe/Moscow"): the days tasks,
	// reports and the date-speaking dialects count in.
	TimeZone *string
	// Currency is an ISO 4217 code, under SetAccountCurrency's rule.
	Currency *string
}

// ValidTimeZone reports whether name is an IANA time zone crmd can use:
// a name the zone database knows, not "" and not "Local" (the server's own
// zone, which means nothing to the account's users).
func ValidTimeZone(name string) bool {
	if name == "" || name == "Local" || strings.TrimSpace(name) != name {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// UpdateAccount renames the account and sets its time zone and currency,
// all or nothing (administrators only). The subdomain, which the APIs'
// addresses are made of, does not change with the name.
// Errors: forbidden, invalid (blank or too long name, unknown time zone,
// currency not an ISO 4217 code).
func (s *Service) UpdateAccount(ctx context.Context, actor Actor, p AccountPatch) (Account, error) {
	if err := actor.requireAdmin(); err != nil {
		return Account{}, err
	}
	var v violations
	if p.Name == nil && p.TimeZone == nil && p.Currency == nil {
		v.add(0, "", ViolationRequired, "At least one of name, time zone or currency must be given.")
	}
	validateName(&v, 0, "name", p.Name, false)
	if p.TimeZone != nil && !ValidTimeZone(*p.TimeZone) {
		v.add(0, "time_zone", ViolationInvalid, "The time zone must be an IANA name such as Europe/Moscow or Asia/Yekaterinburg.")
	}
	if p.Currency != nil && !ValidCurrency(*p.Currency) {
		v.add(0, "currency", ViolationInvalid, "The currency must be an ISO 4217 code: three upper-case latin letters such as RUB or USD.")
	}
	if err := v.err(); err != nil {
		return Account{}, err
	}
	var out Account
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		a, err := tx.Account(ctx)
		if err != nil {
			return err
		}
		if p.Name != nil {
			a.Name = strings.TrimSpace(*p.Name)
		}
		if p.TimeZone != nil {
			a.TimeZone = *p.TimeZone
		}
		if p.Currency != nil {
			a.Currency = *p.Currency
		}
		if err := tx.SetAccountSettings(ctx, a.Name, a.TimeZone, a.Currency); err != nil {
			return err
		}
		out, err = tx.Account(ctx)
		return err
	})
	return out, err
}
