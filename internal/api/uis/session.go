package uis

import (
	"context"
	"errors"

	"github.com/crmd/crmd/internal/crm"
)

// login serves login.user: params login and password; the login is a crmd
// user's email or id. The result is the session's access_token, expire_at (a
// Unix timestamp, as the parameter table names it; the docs' sample says
// "expire") and app_id (the user's account). peer is the client's address,
// by which failed logins are throttled besides the login.
func (h *handler) login(ctx context.Context, p params, peer string) (result, meta map[string]any, err error) {
	if err := p.only("login", "password"); err != nil {
		return nil, nil, err
	}
	login, _, err := p.str("login", true)
	if err != nil {
		return nil, nil, err
	}
	password, _, err := p.str("password", true)
	if err != nil {
		return nil, nil, err
	}
	actor, err := h.auth.Login(ctx, login, password, peer)
	var limited loginLimited
	switch {
	case errors.As(err, &limited):
		return nil, nil, loginLimitError(limited)
	case crm.KindOf(err) == crm.KindUnauthorized:
		return nil, nil, fail(mnAuth, "")
	case err != nil && ctx.Err() != nil:
		// The caller went away while its password waited to be
		// checked: nobody reads the answer, and it is no server fault
		// worth logging.
		return nil, nil, fail(mnInternal, "")
	case err != nil:
		return nil, nil, err
	}
	state, err := h.admit(ctx, actor)
	if err != nil {
		return nil, limitMeta(err), err
	}
	token, expires, err := h.auth.StartSession(ctx, actor)
	if err != nil {
		state = h.refund(ctx, state)
		return nil, metadata(state, nil), err
	}
	data := map[string]any{"access_token": token, "expire_at": expires.Unix(), "app_id": actor.AccountID}
	return map[string]any{"data": data, "metadata": metadata(state, nil)}, nil, nil
}

// logout serves logout.user: it ends the session its access_token names. A
// permanent key is not a session: logging out with one succeeds and changes
// nothing.
func (h *handler) logout(ctx context.Context, p params) (result, meta map[string]any, err error) {
	caller, err := h.authenticate(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	if err := p.only("access_token"); err != nil {
		return nil, nil, err
	}
	state, err := h.admit(ctx, caller)
	if err != nil {
		return nil, limitMeta(err), err
	}
	token, _, _ := p.str("access_token", true)
	if err := h.auth.Logout(ctx, token); err != nil {
		state = h.refund(ctx, state)
		if h.expired(err) {
			err = fail(mnTokenExpired, "access_token")
		}
		return nil, metadata(state, nil), err
	}
	return map[string]any{"data": map[string]any{}, "metadata": metadata(state, nil)}, nil, nil
}
