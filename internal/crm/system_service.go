package crm

import "context"

// Administrator is the actor that acts for an account when no credential
// names one (the website widget records its leads as it): the account's
// first administrator, with the account's time zone.
// Errors: not found (no such account, or one without an administrator).
func (s *Service) Administrator(ctx context.Context, accountID int64) (Actor, error) {
	var actor Actor
	err := s.store.View(ctx, accountID, func(tx Tx) error {
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.Role == RoleAdmin && (actor.UserID == 0 || u.ID < actor.UserID) {
				actor = Actor{AccountID: accountID, UserID: u.ID, Role: RoleAdmin}
			}
		}
		if actor.UserID == 0 {
			return Errorf(KindNotFound, "Account %d has no administrator", accountID)
		}
		account, err := tx.Account(ctx)
		if err != nil {
			return err
		}
		actor.TimeZone = account.TimeZone
		return nil
	})
	return actor, err
}

// Ping reports whether the store answers: the health check's question,
// asked of the service so that the server needs nothing behind it.
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }
