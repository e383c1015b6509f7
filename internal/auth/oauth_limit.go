package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/obs"
)

// Refused OAuth requests are throttled as failed logins are (throttle.go),
// in the same counts store under keys of their own: every token request is
// charged, before anything is checked, to the client_id it names and to
// the client address; a subdomain lookup to the address. A request that
// finds a count at its limit is refused without a check; a refused request
// keeps its charge, any other gives it back. A client secret is 64 random
// letters and digits and a code or refresh token 256 random bits, so
// guessing one is hopeless anyway; the limit keeps a flood of guesses from
// becoming a flood of database reads, and bounds the guesses should a
// secret ever be weaker than designed.

// OAuthPolicy says how many refused OAuth requests are tolerated, counted
// as LoginPolicy counts (a window from the first refusal counted; the
// zero policy, or one without Window, throttles nothing).
type OAuthPolicy struct {
	// PerClient is the number of refused token requests allowed for one
	// client_id (as sent) in a window; 0: not limited.
	PerClient int64
	// PerAddress is the number of refused token requests and subdomain
	// lookups allowed from one client address (IPv6: its /64) in a
	// window; 0: not limited.
	PerAddress int64
	// Window is how long a count lasts from its first refusal.
	Window time.Duration
}

// DefaultOAuthPolicy is crmd's choice: 20 refusals per client_id and 50
// per address in 15 minutes. A working integration is refused rarely (two
// of its processes refreshing with the same token at once, a code used
// late), far below either; a guesser gets 80 tries an hour at one
// integration. The address allows more because one server may run several
// integrations, each with its own mistakes.
// docs/amocrm.md and the API document (apidocs/docgen) state these numbers.
var DefaultOAuthPolicy = OAuthPolicy{PerClient: 20, PerAddress: 50, Window: 15 * time.Minute}

func (p OAuthPolicy) on() bool { return p.Window > 0 && (p.PerClient > 0 || p.PerAddress > 0) }

// SetOAuthPolicy replaces the OAuth throttling policy (DefaultOAuthPolicy
// until then); the zero OAuthPolicy switches it off. Safe while requests
// run.
func (a *Authority) SetOAuthPolicy(p OAuthPolicy) { a.oauthPolicy.Store(&p) }

func (a *Authority) oauthLimits() OAuthPolicy {
	if p := a.oauthPolicy.Load(); p != nil {
		return *p
	}
	return DefaultOAuthPolicy
}

// OAuthLimitError refuses an OAuth request because its client_id or its
// client address was refused too often. It unwraps to a crm.Error of kind
// limit.
type OAuthLimitError struct {
	// PerClient is true when the client_id's count refused the request,
	// false when the address's did.
	PerClient bool
	// Limit and Window are the policy's; Window is also the longest the
	// caller may have to wait.
	Limit  int64
	Window time.Duration
}

var errOAuthLimit = crm.Errorf(crm.KindLimit, "Too many refused OAuth requests")

// Error says which count refused the request, for logs and answers.
func (e *OAuthLimitError) Error() string {
	scope := "client address"
	if e.PerClient {
		scope = "client_id"
	}
	return fmt.Sprintf("Too many refused requests for this %s: the limit is %d in %s", scope, e.Limit, e.Window)
}

// Unwrap makes the error a crm.Error of kind limit.
func (e *OAuthLimitError) Unwrap() error { return errOAuthLimit }

// chargeOAuth charges a request to the client_id's count (unless clientID
// is "") and the address's, and returns the keys charged. A refusal is an
// *OAuthLimitError with nothing charged.
func (a *Authority) chargeOAuth(ctx context.Context, clientID, from string) ([]string, error) {
	p := a.oauthLimits()
	if !p.on() {
		return nil, nil
	}
	var keys []string
	var limits []int64
	if p.PerClient > 0 && clientID != "" {
		// Hashed: a client_id as sent may be anything, of any length.
		h := sha256.Sum256([]byte(clientID))
		keys, limits = append(keys, "oauth:client:"+hex.EncodeToString(h[:])), append(limits, p.PerClient)
	}
	if k := addressKey(from); p.PerAddress > 0 && k != "" {
		keys, limits = append(keys, "oauth:"+k), append(limits, p.PerAddress)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	a.sweepFailures(ctx)
	refusal := func(counts []int64, charged bool) error {
		for i, n := range counts {
			if n > limits[i] || (!charged && n == limits[i]) {
				perClient := clientID != "" && p.PerClient > 0 && i == 0
				obs.NoteRefusal(ctx, obs.RefusalLogin)
				return &OAuthLimitError{PerClient: perClient, Limit: limits[i], Window: p.Window}
			}
		}
		return nil
	}
	// Read first: refusing a flood then costs no writes.
	counts, err := a.failures.LoginFailures(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read refused OAuth requests: %w", err)
	}
	if err := refusal(counts, false); err != nil {
		return nil, err
	}
	if counts, err = a.failures.AddLoginFailures(ctx, keys, p.Window); err != nil {
		return nil, fmt.Errorf("count OAuth request: %w", err)
	}
	// Parallel requests may have charged in between: one over the limit
	// is refused and given back.
	if err := refusal(counts, true); err != nil {
		_ = a.failures.RemoveLoginFailures(context.WithoutCancel(ctx), keys)
		return nil, err
	}
	return keys, nil
}

// settleOAuth gives back the charge of a request that was not refused
// (answered, or failed inside crmd). A failure to give back leaves a count
// that ends with its window.
func (a *Authority) settleOAuth(ctx context.Context, keys []string, result error) {
	if len(keys) == 0 {
		return
	}
	if _, refused := errors.AsType[*OAuthError](result); refused {
		return
	}
	_ = a.failures.RemoveLoginFailures(context.WithoutCancel(ctx), keys)
}
