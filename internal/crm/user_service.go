package crm

import "context"

// Users as the dialects show them. crmd's users are made, given roles and
// deactivated by an administrator (the CLI's user commands, the web
// workspace's settings; user_admin.go), never through an API; a user is an
// administrator or a member
// (Role), and that is the only difference in rights crmd enforces:
// administrators may change settings and reference data (pipelines, custom
// fields, statuses, segments, periods, reports), members may not; both may
// read, add, edit and delete every record of the account.

// AccountUsers lists the account's users in id order. Every user of the
// account may list them: integrations map responsible ids to names with it.
func (s *Service) AccountUsers(ctx context.Context, actor Actor) ([]User, error) {
	var out []User
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = tx.Users(ctx)
		return err
	})
	return out, err
}

// AccountUser returns one of the account's users.
// Errors: not found.
func (s *Service) AccountUser(ctx context.Context, actor Actor, id int64) (User, error) {
	var out User
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = tx.User(ctx, id)
		return err
	})
	return out, err
}

// RunAs returns the actor a call runs as when the caller asks to act as
// another user of its account (amoCRM's X-Context-User-ID): an
// administrator may act as any user of the account and then has that user's
// role; anybody may name themselves. The account's time zone is kept.
// Errors: unauthorized (no such user in the account: amoCRM refuses the
// authorization), forbidden (a member naming another user).
func (s *Service) RunAs(ctx context.Context, caller Actor, userID int64) (Actor, error) {
	if userID == caller.UserID {
		return caller, nil
	}
	if !caller.IsAdmin() {
		return Actor{}, Errorf(KindForbidden, "Access denied: only an administrator's token may act as another user")
	}
	u, err := s.AccountUser(ctx, caller, userID)
	if KindOf(err) == KindNotFound {
		return Actor{}, Errorf(KindUnauthorized, "User %d is not a user of this account", userID)
	}
	if err != nil {
		return Actor{}, err
	}
	return Actor{AccountID: caller.AccountID, UserID: u.ID, Role: u.Role, TimeZone: caller.TimeZone}, nil
}
