package auth

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// TestPasswordCheckers: half the cores check passwords, at least one.
func TestPasswordCheckers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for procs, want := range map[int]int{1: 1, 2: 1, 3: 1, 4: 2, 16: 8} {
		runtime.GOMAXPROCS(procs)
		if got := passwordCheckers(); got != want {
			t.Errorf("GOMAXPROCS %d: %d checkers, want %d", procs, got, want)
		}
	}
}

// TestLoginWaitForChecker: a login whose check waits for a checker gives
// up with its request, checks nothing, and gives its charge back; once a
// checker is free, the check runs.
func TestLoginWaitForChecker(t *testing.T) {
	hash, err := HashPassword("the password")
	if err != nil {
		t.Fatal(err)
	}
	fs := &fakeFailures{counts: map[string]int64{}}
	a := &Authority{store: fakeStore{hashes: []crm.UserPassword{{AccountID: 1, UserID: 7, Hash: hash}}}}
	a.failures, a.checkers = fs, make(chan struct{}, 1)
	a.SetLoginPolicy(LoginPolicy{PerLogin: 3, PerAddress: 3, Window: time.Minute})

	a.checkers <- struct{}{} // every checker busy
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := a.Login(ctx, "7", "a wrong guess", "192.0.2.1:1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting past the deadline: %v", err)
	}
	if n := a.PasswordChecks(); n != 0 {
		t.Errorf("%d checks ran while every checker was busy", n)
	}
	if fs.counts["user:7"] != 0 || fs.counts["addr:192.0.2.1"] != 0 {
		t.Errorf("an attempt that was never checked stays charged: %v", fs.counts)
	}
	<-a.checkers
	if _, err := a.Login(context.Background(), "7", "a wrong guess", "192.0.2.1:1"); !errors.Is(err, ErrWrongLogin) {
		t.Errorf("with a free checker: %v", err)
	}
	if n := a.PasswordChecks(); n != 1 || fs.counts["user:7"] != 1 || fs.counts["addr:192.0.2.1"] != 1 {
		t.Errorf("after a wrong password: %d checks, counts %v", n, fs.counts)
	}
	if _, err := a.Login(context.Background(), "7", "the password", "192.0.2.1:1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := fs.counts["user:7"]; ok || fs.counts["addr:192.0.2.1"] != 1 {
		t.Errorf("after a success, counts %v: want the user's cleared, the address's unchanged", fs.counts)
	}
}

// TestAddressKey: the address key is the host of host:port, IPv4 as is
// (also when written as IPv6), IPv6 by its /64, nothing for what is not an
// IP address.
func TestAddressKey(t *testing.T) {
	for from, want := range map[string]string{
		"192.0.2.1:443":               "addr:192.0.2.1",
		"192.0.2.1":                   "addr:192.0.2.1",
		"[::ffff:192.0.2.1]:80":       "addr:192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:80":   "addr:2001:db8:1:2::/64",
		"[fe80::1%eth0]:80":           "addr:fe80::/64",
		"2001:db8:1:2::1":             "addr:2001:db8:1:2::/64",
		"":                            "",
		"@":                           "",
		"example.com:80":              "",
		"[2001:db8:1:2:3:4:5:6]:port": "",
	} {
		if got := addressKey(from); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", from, got, want)
		}
	}
}

// fakeStore answers PasswordsByLogin and View (the user's role and the
// account's time zone); the rest of crm.Store is not used by Login.
type fakeStore struct {
	crm.Store
	hashes []crm.UserPassword
}

func (s fakeStore) PasswordsByLogin(context.Context, string) ([]crm.UserPassword, error) {
	return s.hashes, nil
}

func (s fakeStore) View(ctx context.Context, _ int64, fn func(crm.Tx) error) error {
	return fn(fakeTx{})
}

type fakeTx struct{ crm.Tx }

func (fakeTx) User(context.Context, int64) (crm.User, error) {
	return crm.User{Role: crm.RoleMember}, nil
}

func (fakeTx) Account(context.Context) (crm.Account, error) {
	return crm.Account{TimeZone: crm.DefaultTimeZone}, nil
}

// fakeFailures keeps counts in a map, with no windows.
type fakeFailures struct{ counts map[string]int64 }

func (f *fakeFailures) LoginFailures(_ context.Context, keys []string) ([]int64, error) {
	out := make([]int64, len(keys))
	for i, k := range keys {
		out[i] = f.counts[k]
	}
	return out, nil
}

func (f *fakeFailures) AddLoginFailures(_ context.Context, keys []string, _ time.Duration) ([]int64, error) {
	for _, k := range keys {
		f.counts[k]++
	}
	return f.LoginFailures(context.Background(), keys)
}

func (f *fakeFailures) RemoveLoginFailures(_ context.Context, keys []string) error {
	for _, k := range keys {
		f.counts[k] = max(f.counts[k]-1, 0)
	}
	return nil
}

func (f *fakeFailures) ClearLoginFailures(_ context.Context, keys []string) error {
	for _, k := range keys {
		delete(f.counts, k)
	}
	return nil
}

func (f *fakeFailures) DeleteExpiredLoginFailures(context.Context) error { return nil }
