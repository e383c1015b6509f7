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
// Errors: invalid (too short, ErrWrongCurrentPassword), limit
// (*LoginLimitError), not found.
func (a *Authority) ChangePassword(ctx context.Context, userID int64, current, next, from string) error {
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
	return a.SetPassword(ctx, userID, next)
}
