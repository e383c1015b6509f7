package store

import "context"

// SetAccountSettings writes the settings an administrator changes on the
// account screen, in one statement.
func (t *tenantTx) SetAccountSettings(ctx context.Context, name, timeZone, currency string) error {
	res, err := t.exec(ctx, `UPDATE accounts SET name = ?, time_zone = ?, currency = ?, updated_at = ? WHERE id = ?`,
		name, timeZone, currency, unix(t.now), t.accountID)
	return affected(res, err, "Account")
}
