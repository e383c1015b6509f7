package auth

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/crmd/crmd/internal/crm"
)

// An administrator's secrets work: creating a user with a password,
// issuing and rotating users' credentials and the account's Envybox key,
// resetting passwords. Who may do what is crm's rule (crm.PrepareUserCredential
// and the others); this file makes and stores the secrets. Every secret is
// returned once and kept only as a hash.

// ValidatePassword refuses a password crmd would not store.
// Errors: invalid (too short).
func ValidatePassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return crm.Invalid(crm.Violation{Path: "password", Code: crm.ViolationInvalid,
			Detail: fmt.Sprintf("The password must have at least %d characters.", MinPasswordLength)})
	}
	return nil
}

// NewUserPassword is a created user's credentials and the password they
// sign in with (generated when none was given).
type NewUserPassword struct {
	UserCredentials
	Password string `json:"password"`
	// Generated says crmd made the password up, and it must be shown.
	Generated bool `json:"generated"`
}

// CreateUserAs is CreateUser for an administrator of the account (the web
// workspace's users page): the user, their amoCRM and UIS credentials and
// their password, in one transaction, so that nothing is left half made.
// An empty password is generated. Errors: forbidden, invalid.
func (a *Authority) CreateUserAs(ctx context.Context, actor crm.Actor, n crm.NewUser, password string) (NewUserPassword, error) {
	if !actor.IsAdmin() {
		return NewUserPassword{}, crm.Errorf(crm.KindForbidden, "Access denied: administrator rights are required")
	}
	n.AccountID = actor.AccountID
	if err := n.Normalize(); err != nil {
		return NewUserPassword{}, err
	}
	out := NewUserPassword{Password: password}
	if password == "" {
		var err error
		if out.Password, err = GeneratePassword(); err != nil {
			return NewUserPassword{}, err
		}
		out.Generated = true
	}
	if err := ValidatePassword(out.Password); err != nil {
		return NewUserPassword{}, err
	}
	// Hashing takes a tenth of a second: not while holding the account.
	h, err := HashPassword(out.Password)
	if err != nil {
		return NewUserPassword{}, err
	}
	err = a.store.Update(ctx, n.AccountID, func(tx crm.Tx) (err error) {
		u := crm.User{Name: n.Name, Role: n.Role, Surname: n.Surname, Email: n.Email, Profession: n.Profession, Phone: n.Phone}
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		out.UserID = u.ID
		if out.AmoCRMToken, out.UISAccessToken, err = a.issueUserSecrets(ctx, tx, u); err != nil {
			return err
		}
		return tx.SetUserPasswordHash(ctx, u.ID, h)
	})
	if err != nil {
		return NewUserPassword{}, err
	}
	return out, nil
}

// IssueUserCredential issues one of the account's users a new long-lived
// credential of a kind (amoCRM token or UIS access_token) and deletes the
// one they had: the old secret is refused from the next request, by every
// crmd process. Errors: those of crm.PrepareUserCredential.
func (a *Authority) IssueUserCredential(ctx context.Context, actor crm.Actor, userID int64, kind crm.CredentialKind) (string, error) {
	var secret string
	err := a.store.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
		u, err := crm.PrepareUserCredential(ctx, tx, actor, userID, kind)
		if err != nil {
			return err
		}
		if kind == crm.CredentialAmoCRM {
			secret, err = a.issueJWT(ctx, tx, u, crm.Integration{}, AmoCRMTokenTTL)
		} else {
			secret, err = a.issueOpaque(ctx, tx, kind, u.ID)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	a.seen.clear()
	return secret, nil
}

// RotateEnvyboxKey replaces the account's Envybox api_key with a new one
// acting as the administrator who rotates it; the old key is refused from
// the next request. Errors: those of crm.PrepareEnvyboxKey.
func (a *Authority) RotateEnvyboxKey(ctx context.Context, actor crm.Actor) (string, error) {
	var secret string
	err := a.store.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
		u, err := crm.PrepareEnvyboxKey(ctx, tx, actor)
		if err != nil {
			return err
		}
		secret, err = a.issueOpaque(ctx, tx, crm.CredentialEnvybox, u.ID)
		return err
	})
	if err != nil {
		return "", err
	}
	a.seen.clear()
	return secret, nil
}

// ResetPassword sets the password of one of the account's users, as an
// administrator; an empty password is generated (and returned, to be shown
// once), and every session of the user ends. Errors: forbidden, not
// found, invalid (too short).
func (a *Authority) ResetPassword(ctx context.Context, actor crm.Actor, userID int64, password string) (string, error) {
	if password == "" {
		var err error
		if password, err = GeneratePassword(); err != nil {
			return "", err
		}
	}
	if err := ValidatePassword(password); err != nil {
		return "", err
	}
	h, err := HashPassword(password)
	if err != nil {
		return "", err
	}
	err = a.store.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
		u, err := crm.CheckUserAdmin(ctx, tx, actor, userID)
		if err != nil {
			return err
		}
		if err := tx.SetUserPasswordHash(ctx, u.ID, h); err != nil {
			return err
		}
		// Whoever signed in with the old password is signed out: a reset
		// is what an administrator does when a password leaked.
		return tx.EndUserSessions(ctx, u.ID, 0)
	})
	if err != nil {
		return "", err
	}
	return password, nil
}
