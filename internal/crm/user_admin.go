package crm

import (
	"context"
	"time"
)

// Running an account's users: roles, deactivation, and who may hold which
// credential. The rules are here so that the web workspace's settings and
// the CLI (crmd user role|deactivate|activate) refuse the same things with
// the same errors; issuing the secrets themselves is internal/auth's.

// The codes of the refusals below, for a caller that words them itself
// (the web workspace, in the user's language).
const (
	// CodeLastAdmin: the change would leave the account without an
	// active administrator, and nobody could run it any more.
	CodeLastAdmin Code = "last_admin"
	// CodeUserInactive: the user is deactivated, and a deactivated user
	// holds no credential.
	CodeUserInactive Code = "user_inactive"
	// CodeUserNotFound: no user of the account has this id.
	CodeUserNotFound Code = "user_not_found"
	// CodeUnchanged: the user already is what the request asks for
	// (deactivating a deactivated user).
	CodeUnchanged Code = "unchanged"
)

func errLastAdmin() *Error {
	return &Error{Kind: KindConflict, Code: CodeLastAdmin,
		Message: "The account must keep at least one active administrator: make another user an administrator first."}
}

func errUserInactive() *Error {
	return &Error{Kind: KindConflict, Code: CodeUserInactive,
		Message: "The user is deactivated: activate them before issuing credentials."}
}

func errUserNotFound() *Error {
	return &Error{Kind: KindNotFound, Code: CodeUserNotFound, Message: "No user of this account has this id."}
}

// adminUser checks that the actor administers the account and reads the
// user id names in the transaction's account.
func adminUser(ctx context.Context, tx Tx, actor Actor, id int64) (User, error) {
	if err := actor.requireAdmin(); err != nil {
		return User{}, err
	}
	u, err := tx.User(ctx, id)
	if KindOf(err) == KindNotFound {
		return User{}, errUserNotFound()
	}
	return u, err
}

// otherActiveAdmin reports whether an active administrator other than the
// user with id except exists. Updates of one account are serialized, so
// two administrators demoting each other at once cannot both pass.
func otherActiveAdmin(ctx context.Context, tx Tx, except int64) (bool, error) {
	users, err := tx.Users(ctx)
	if err != nil {
		return false, err
	}
	for _, u := range users {
		if u.ID != except && u.Role == RoleAdmin && u.Active() {
			return true, nil
		}
	}
	return false, nil
}

// SetUserRole gives one of the account's users a role. Demoting the last
// active administrator is refused. The new role applies to the user's
// next request through any credential or session.
// Errors: forbidden (not an administrator), invalid (role), not found,
// conflict (CodeLastAdmin).
func (s *Service) SetUserRole(ctx context.Context, actor Actor, id int64, role Role) (User, error) {
	if err := actor.requireAdmin(); err != nil {
		return User{}, err
	}
	if !role.Valid() {
		return User{}, Invalid(Violation{Path: "role", Code: ViolationChoice, Detail: "The role must be admin or member."})
	}
	var out User
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		u, err := adminUser(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if u.Role == role {
			out = u
			return nil
		}
		if u.Role == RoleAdmin && u.Active() {
			ok, err := otherActiveAdmin(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			if !ok {
				return errLastAdmin()
			}
		}
		if err := tx.SetUserRole(ctx, u.ID, role); err != nil {
			return err
		}
		u.Role = role
		out = u
		return nil
	})
	return out, err
}

// DeactivateUser deactivates one of the account's users: at once, for
// every crmd process on the database, their web and UIS sessions end,
// their amoCRM and UIS tokens (and the account's Envybox key, when it acts
// as them) stop working, the OAuth grants made as them are revoked, and
// they can no longer sign in. Their records stay theirs. Deactivating the
// last active administrator is refused.
// Errors: forbidden, not found, conflict (CodeLastAdmin; CodeUnchanged
// when already deactivated).
func (s *Service) DeactivateUser(ctx context.Context, actor Actor, id int64) (User, error) {
	var out User
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		u, err := adminUser(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if !u.Active() {
			return &Error{Kind: KindConflict, Code: CodeUnchanged, Message: "The user is deactivated already."}
		}
		if u.Role == RoleAdmin {
			ok, err := otherActiveAdmin(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			if !ok {
				return errLastAdmin()
			}
		}
		if err := tx.DeactivateUser(ctx, u.ID); err != nil {
			return err
		}
		u.DeactivatedAt = tx.Now()
		out = u
		return nil
	})
	return out, err
}

// ActivateUser lets a deactivated user sign in again. What deactivation
// revoked stays revoked: an administrator issues new credentials.
// Errors: forbidden, not found, conflict (CodeUnchanged when active).
func (s *Service) ActivateUser(ctx context.Context, actor Actor, id int64) (User, error) {
	var out User
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		u, err := adminUser(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if u.Active() {
			return &Error{Kind: KindConflict, Code: CodeUnchanged, Message: "The user is active already."}
		}
		if err := tx.ActivateUser(ctx, u.ID); err != nil {
			return err
		}
		u.DeactivatedAt = time.Time{}
		out = u
		return nil
	})
	return out, err
}

// PrepareUserCredential is the rule for issuing (or rotating) a user's
// long-lived credential of a kind (amoCRM or UIS), run inside the
// transaction that then stores the new one: the actor administers the
// account, the user is one of its active users, and the user's previous
// credential of the kind is deleted, so that it stops working at once.
// Errors: forbidden, invalid (kind), not found, conflict (CodeUserInactive).
func PrepareUserCredential(ctx context.Context, tx Tx, actor Actor, userID int64, kind CredentialKind) (User, error) {
	if kind != CredentialAmoCRM && kind != CredentialUIS {
		return User{}, Invalid(Violation{Path: "kind", Code: ViolationChoice, Detail: "A user's credential is amocrm or uis."})
	}
	u, err := adminUser(ctx, tx, actor, userID)
	if err != nil {
		return User{}, err
	}
	if !u.Active() {
		return User{}, errUserInactive()
	}
	return u, tx.DeleteCredentials(ctx, kind, u.ID)
}

// PrepareEnvyboxKey is the rule for rotating the account's Envybox
// api_key, run inside the transaction that stores the new one: the actor
// administers the account, every previous key is deleted (stops working at
// once), and the new key acts as the actor, an active administrator.
// Errors: forbidden, conflict (CodeUserInactive).
func PrepareEnvyboxKey(ctx context.Context, tx Tx, actor Actor) (User, error) {
	u, err := adminUser(ctx, tx, actor, actor.UserID)
	if err != nil {
		return User{}, err
	}
	if !u.Active() {
		return User{}, errUserInactive()
	}
	return u, tx.DeleteCredentials(ctx, CredentialEnvybox, 0)
}

// CheckUserAdmin is the rule for an administrator's change to one of the
// account's users that involves no other rule (setting their password):
// the actor administers the account and the user is one of its users.
// Errors: forbidden, not found.
func CheckUserAdmin(ctx context.Context, tx Tx, actor Actor, userID int64) (User, error) {
	return adminUser(ctx, tx, actor, userID)
}

// AccountCredentials lists the account's long-lived credentials (amoCRM
// tokens, UIS access tokens, the Envybox key): which kind, whose, issued
// when; never the secrets, which crmd does not keep.
// Errors: forbidden (not an administrator).
func (s *Service) AccountCredentials(ctx context.Context, actor Actor) ([]Credential, error) {
	if err := actor.requireAdmin(); err != nil {
		return nil, err
	}
	var out []Credential
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) (err error) {
		out, err = tx.Credentials(ctx)
		return err
	})
	for i := range out {
		out[i].Hash = nil
	}
	return out, err
}
