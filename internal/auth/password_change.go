package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/crmd/crmd/internal/crm"
)

// ErrWrongCurrentPassword refuses a password change whose current password
// is wrong: invalid input on a form the user is signed in to, not a failed
// sign-in.
var ErrWrongCurrentPassword = crm.Invalid(crm.Violation{Path: "current_password", Code: crm.ViolationInvalid,
	Detail: "The current password is wrong."})

// ChangePassword replaces a signed-in user's own password after checking
// their current one, under SetPassword's rule (MinPasswordLength). The
// check goes through Login, so wrong guesses count against the same
// LoginPolicy as the sign-in form's: a stolen session cannot try passwords
// faster there than here. from is the client's address, as for Login.
// The user's other sessions end (whoever knew the old password is signed
// out); the session of the token keep, the one the change was made in,
// stays. Errors: invalid (too short, ErrWrongCurrentPassword), limit
// (*LoginLimitError), not found.
func (a *Authority) ChangePassword(ctx context.Context, userID int64, current, next, from, keep string) error {
	if utf8.RuneCountInString(next) < MinPasswordLength {
		return crm.Invalid(crm.Violation{Path: "password", Code: crm.ViolationInvalid,
			Detail: fmt.Sprintf("The password must have at least %d characters.", MinPasswordLength)})
	}
	actor, err := a.Login(ctx, strconv.FormatInt(userID, 10), current, from)
	switch {
	case errors.Is(err, ErrWrongLogin):
		return ErrWrongCurrentPassword
	case err != nil:
		return err
	case actor.UserID != userID:
		return ErrWrongCurrentPassword
	}
	h, err := HashPassword(next)
	if err != nil {
		return err
	}
	var keepID int64
	if s, err := a.store.SessionByHash(ctx, hash(keep)); err == nil && s.UserID == userID {
		keepID = s.ID
	}
	return a.store.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
		if err := tx.SetUserPasswordHash(ctx, userID, h); err != nil {
			return err
		}
		return tx.EndUserSessions(ctx, userID, keepID)
	})
}
