package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Failed logins and the cost of password checks.
//
// A password check is PBKDF2 with 600,000 iterations, tens of milliseconds
// of one core, so a flood of login attempts is a flood of CPU work. Two
// defences, in Login:
//
//   - Throttling. Every attempt is charged, before its password is checked,
//     to the login it names and to the client address it came from; an
//     attempt that finds either already at its limit is refused without a
//     check. A failure keeps its charge, a success gives the address its
//     charge back and clears the login's count. Charging first matters: a
//     burst of parallel attempts is counted as it arrives, so it cannot all
//     pass a "fewer than N failures so far" test before any has failed.
//   - A bound on concurrent checks (passwordCheckers), so that checks which
//     do run cannot take every core from the other requests.
//
// The counts live in the database (LoginFailureStore), like the request
// limits: several crmd processes on one PostgreSQL share them, so an
// attacker gets N guesses in total, not N per process, and the memory of
// a process does not grow with the number of logins or addresses tried.

// LoginPolicy says how many failed logins are tolerated. Each count runs
// in a window that starts with the first attempt it counts and lasts
// Window; once a count reaches its limit, attempts are refused until the
// window ends. Attempts that are refused are not counted. A policy with
// no Window, or with neither limit, throttles nothing.
type LoginPolicy struct {
	// PerLogin is the number of failures allowed for one login in a
	// window; 0: not limited. A login that names users counts against
	// those users (so a user's id and email share one count); a login that
	// names nobody counts against the login as typed (trimmed, case
	// folded).
	PerLogin int64
	// PerAddress is the number of failures allowed from one client address
	// (an IPv6 client: its /64) in a window, whatever logins they name;
	// 0: not limited.
	PerAddress int64
	// Window is how long a count lasts from its first attempt.
	Window time.Duration
}

// DefaultLoginPolicy is crmd's choice: 10 failures per login and 100 per
// address in 15 minutes. Ten is generous to someone mistyping and still
// holds a guesser to 40 tries an hour per user. The address allows more
// because behind a reverse proxy or a NAT many users share one address,
// and it still caps a single host's guesses, and the PBKDF2 work they
// cost, at 400 an hour.
var DefaultLoginPolicy = LoginPolicy{PerLogin: 10, PerAddress: 100, Window: 15 * time.Minute}

// on reports whether the policy limits anything.
func (p LoginPolicy) on() bool { return p.Window > 0 && (p.PerLogin > 0 || p.PerAddress > 0) }

// LoginFailureStore keeps the failed-login counts. The window arithmetic
// runs by the store's clock, so tests move it as they move every other
// store time. Keys are short strings the Authority makes (never a
// password, never the login as typed).
type LoginFailureStore interface {
	// LoginFailures returns each key's count, 0 for a key without one or
	// whose window has ended, in the order of keys.
	LoginFailures(ctx context.Context, keys []string) ([]int64, error)
	// AddLoginFailures adds one to each key's count in one statement; a
	// key without a count, or whose window has ended, starts a new window
	// of length window at 1. It returns the new counts in the order of
	// keys.
	AddLoginFailures(ctx context.Context, keys []string, window time.Duration) ([]int64, error)
	// RemoveLoginFailures takes one from each key's count in a window
	// that has not ended (never below 0).
	RemoveLoginFailures(ctx context.Context, keys []string) error
	// ClearLoginFailures deletes the keys' counts.
	ClearLoginFailures(ctx context.Context, keys []string) error
	// DeleteExpiredLoginFailures deletes every count whose window has
	// ended.
	DeleteExpiredLoginFailures(ctx context.Context) error
}

// LoginLimitError refuses a login attempt because its login or its client
// address has failed too often. It unwraps to a crm.Error of kind limit.
type LoginLimitError struct {
	// PerLogin is true when the login's count refused the attempt, false
	// when the address's did.
	PerLogin bool
	// Limit and Window are the policy's.
	Limit  int64
	Window time.Duration
}

var errLoginLimit = crm.Errorf(crm.KindLimit, "Too many failed logins")

// Error says which count refused the attempt, for logs.
func (e *LoginLimitError) Error() string {
	scope := "address"
	if e.PerLogin {
		scope = "login"
	}
	return fmt.Sprintf("too many failed logins for this %s: %d in %s", scope, e.Limit, e.Window)
}

// Unwrap makes the error a crm.Error of kind limit for errors.As and
// crm.KindOf.
func (e *LoginLimitError) Unwrap() error { return errLoginLimit }

// LoginLimit describes the refusal to a dialect that does not import this
// package: whether the login (not the address) was limited, the limit and
// its window.
func (e *LoginLimitError) LoginLimit() (perLogin bool, limit int64, window time.Duration) {
	return e.PerLogin, e.Limit, e.Window
}

// SetLoginPolicy replaces the failed-login policy (DefaultLoginPolicy
// until then); the zero LoginPolicy switches throttling off. Counts
// already stored are kept. Safe while logins run.
func (a *Authority) SetLoginPolicy(p LoginPolicy) { a.loginPolicy.Store(&p) }

func (a *Authority) policy() LoginPolicy {
	if p := a.loginPolicy.Load(); p != nil {
		return *p
	}
	return DefaultLoginPolicy
}

// PasswordChecks is the number of password checks (PBKDF2 runs) this
// Authority has made, for tests and for watching a flood.
func (a *Authority) PasswordChecks() uint64 { return a.checked.Load() }

// passwordCheckers is how many password checks run at once: half the
// cores, at least one. The rest of the server keeps the other half
// however many logins arrive; the checks queue.
func passwordCheckers() int { return max(runtime.GOMAXPROCS(0)/2, 1) }

// checkPassword is CheckPassword once a checker slot is free. A caller
// that gives up while waiting (its request went away) gets ctx's error and
// no check runs.
func (a *Authority) checkPassword(ctx context.Context, hash, password string) (bool, error) {
	select {
	case a.checkers <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-a.checkers }()
	a.checked.Add(1)
	return CheckPassword(hash, password), nil
}

// loginCharge is what one attempt charged, so that it can be settled.
type loginCharge struct {
	login   []string // the login's keys: one per user it names, or the login itself
	address string   // "" when the address is not limited or not known
}

func (c loginCharge) keys() []string {
	if c.address == "" {
		return c.login
	}
	return append(slices.Clip(c.login), c.address)
}

// chargeLogin checks the attempt against the policy and charges it. A
// refusal is a *LoginLimitError, with nothing charged.
func (a *Authority) chargeLogin(ctx context.Context, p LoginPolicy, login string, candidates []crm.UserPassword, from string) (loginCharge, error) {
	var c loginCharge
	if p.PerLogin > 0 {
		c.login = loginKeys(login, candidates)
	}
	if p.PerAddress > 0 {
		c.address = addressKey(from)
	}
	keys := c.keys()
	if len(keys) == 0 {
		return c, nil
	}
	a.sweepFailures(ctx)
	// Read first: a refused attempt then costs no write, which matters
	// when a flood is being refused.
	counts, err := a.failures.LoginFailures(ctx, keys)
	if err != nil {
		return loginCharge{}, fmt.Errorf("read failed logins: %w", err)
	}
	if err := c.refusal(p, counts, false); err != nil {
		return loginCharge{}, err
	}
	if counts, err = a.failures.AddLoginFailures(ctx, keys, p.Window); err != nil {
		return loginCharge{}, fmt.Errorf("count login attempt: %w", err)
	}
	// Parallel attempts may have charged in between: the counts now
	// include this attempt, and one over the limit is refused and given
	// back.
	if err := c.refusal(p, counts, true); err != nil {
		a.settle(context.WithoutCancel(ctx), c, "")
		return loginCharge{}, err
	}
	return c, nil
}

// refusal is the *LoginLimitError of the first count at its limit (counts
// without this attempt) or over it (with it), in the order of c.keys().
func (c loginCharge) refusal(p LoginPolicy, counts []int64, charged bool) error {
	for i, n := range counts {
		perLogin := i < len(c.login)
		limit := p.PerAddress
		if perLogin {
			limit = p.PerLogin
		}
		if n > limit || (!charged && n == limit) {
			return &LoginLimitError{PerLogin: perLogin, Limit: limit, Window: p.Window}
		}
	}
	return nil
}

// settle gives back what an attempt that did not fail charged. The count
// of clear, when it is one of the login's keys (the user who logged in),
// is deleted instead. A failure here fails nobody's login: it leaves a
// count that ends with its window.
func (a *Authority) settle(ctx context.Context, c loginCharge, clear string) {
	var back, gone []string
	for _, k := range c.keys() {
		if k == clear && slices.Contains(c.login, k) {
			gone = append(gone, k)
		} else {
			back = append(back, k)
		}
	}
	if len(gone) > 0 {
		_ = a.failures.ClearLoginFailures(ctx, gone)
	}
	if len(back) > 0 {
		_ = a.failures.RemoveLoginFailures(ctx, back)
	}
}

// sweepEvery is how often, per process, ended windows are deleted.
const sweepEvery = time.Minute

// sweepFailures deletes ended windows at most once per sweepEvery; a
// failure waits for the next sweep.
func (a *Authority) sweepFailures(ctx context.Context) {
	now := time.Now().Unix()
	at := a.nextSweep.Load()
	if now < at || !a.nextSweep.CompareAndSwap(at, now+int64(sweepEvery/time.Second)) {
		return
	}
	_ = a.failures.DeleteExpiredLoginFailures(ctx)
}

// userKey is the failure key of a user.
func userKey(userID int64) string { return "user:" + strconv.FormatInt(userID, 10) }

// loginKeys are the failure keys of a login: its users', or, when it names
// nobody, the login's own, as a hash (a login can be long, and people
// type passwords into login fields).
func loginKeys(login string, candidates []crm.UserPassword) []string {
	if len(candidates) == 0 {
		h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(login))))
		return []string{"login:" + hex.EncodeToString(h[:])}
	}
	keys := make([]string, len(candidates))
	for i, c := range candidates {
		keys[i] = userKey(c.UserID)
	}
	return keys
}

// addressKey is the failure key of a client address ("host:port" or a
// bare host): an IPv4 address, or an IPv6 address's /64, since one IPv6
// host is usually given a whole /64 to pick addresses from. "" when from
// is not an IP address.
func addressKey(from string) string {
	addr, err := netip.ParseAddr(from)
	if err != nil {
		ap, err := netip.ParseAddrPort(from)
		if err != nil {
			return ""
		}
		addr = ap.Addr()
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		return "addr:" + netip.PrefixFrom(addr, 64).Masked().String()
	}
	return "addr:" + addr.String()
}

// throttle is the Authority's part of this file.
type throttle struct {
	failures    LoginFailureStore
	loginPolicy atomic.Pointer[LoginPolicy]
	oauthPolicy atomic.Pointer[OAuthPolicy] // oauth_limit.go
	checkers    chan struct{}
	checked     atomic.Uint64
	nextSweep   atomic.Int64
}
