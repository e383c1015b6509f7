package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func run(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	err := m.Run(context.Background(), args)
	if err != nil {
		t.Logf("stderr: %s", errOut.String())
	}
	return out.String(), err
}

func TestAccountAndUserCreate(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		// A server is running on the same database the whole time.
		env := crmtest.Start(t, dsn)
		out, err := run(t, nil, "account", "create", "--db", dsn, "--name", "Acme Trading", "--json")
		if err != nil {
			t.Fatalf("account create: %v", err)
		}
		var acc map[string]any
		dec := json.NewDecoder(strings.NewReader(out))
		if err := dec.Decode(&acc); err != nil {
			t.Fatalf("not JSON: %q", out)
		}
		if dec.More() {
			t.Fatalf("more than one JSON value: %q", out)
		}
		for _, k := range []string{"account_id", "subdomain", "user_id", "amocrm_token", "envybox_api_key", "uis_access_token"} {
			if _, ok := acc[k]; !ok {
				t.Errorf("missing %s in %s", k, out)
			}
		}
		if len(acc) != 6 || acc["subdomain"] != "acme-trading" {
			t.Errorf("account create printed %s", out)
		}
		resp := env.Do(t, "GET", "/api/v4/account", acc["amocrm_token"].(string), "")
		if resp.Status != 200 || !strings.Contains(string(resp.Body), `"subdomain":"acme-trading"`) {
			t.Fatalf("the new token against the running server: %d %s", resp.Status, resp.Body)
		}

		accountID := fmt.Sprint(acc["account_id"])
		out, err = run(t, nil, "user", "create", "--db", dsn, "--account", accountID, "--name", "Olga", "--role", "member", "--json")
		if err != nil {
			t.Fatalf("user create: %v", err)
		}
		var user map[string]any
		if err := json.Unmarshal([]byte(out), &user); err != nil || len(user) != 3 || user["amocrm_token"] == nil || user["uis_access_token"] == nil {
			t.Fatalf("user create printed %q (%v)", out, err)
		}
		resp = env.Do(t, "GET", "/api/v4/account", user["amocrm_token"].(string), "")
		if resp.Status != 200 || !strings.Contains(string(resp.Body), fmt.Sprintf(`"current_user_id":%v`, user["user_id"])) {
			t.Fatalf("member token: %d %s", resp.Status, resp.Body)
		}
		resp = env.Do(t, "PATCH", "/api/v4/customers/mode", user["amocrm_token"].(string), `{"mode":"segments","is_enabled":true}`)
		if resp.Status != http.StatusForbidden {
			t.Errorf("member changed the mode: %d", resp.Status)
		}

		if _, err := run(t, nil, "account", "create", "--db", dsn, "--name", "Acme Trading", "--json"); err == nil {
			t.Error("a second account with the same subdomain was created")
		}
		if _, err := run(t, nil, "user", "create", "--db", dsn, "--account", "999999", "--name", "X", "--role", "admin", "--json"); err == nil {
			t.Error("a user was created in a missing account")
		}
		if _, err := run(t, nil, "user", "create", "--db", dsn, "--account", accountID, "--name", "X", "--role", "boss"); err == nil {
			t.Error("a user with role boss was created")
		}
	})
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"account"}, {"account", "create"}, {"serve", "--bogus"}, {"user", "create", "--name", "x"}} {
		if _, err := run(t, nil, args...); !cli.IsUsage(err) {
			t.Errorf("%q: err = %v, want a usage error", args, err)
		}
	}
	out, err := run(t, nil, "version")
	if err != nil || !strings.HasPrefix(out, "crmd ") {
		t.Errorf("version: %q %v", out, err)
	}
}

// TestServe runs `crmd serve` on an empty database: it bootstraps an account
// once, serves /healthz and the API, and exits cleanly on SIGTERM.
func TestServe(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		first := startServe(t, dsn)
		if !strings.Contains(first.out.String(), "amoCRM bearer token:") {
			t.Fatalf("no credentials printed: %s", first.out.String())
		}
		token := regexp.MustCompile(`amoCRM bearer token:\s+(\S+)`).FindStringSubmatch(first.out.String())[1]
		get := func(path string) (int, string) {
			req, _ := http.NewRequest("GET", first.url+path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if code, body := get("/healthz"); code != 200 || body != "ok\n" {
			t.Errorf("healthz: %d %q", code, body)
		}
		if code, body := get("/api/v4/account"); code != 200 || !strings.Contains(body, `"subdomain":"crmd"`) {
			t.Errorf("account: %d %s", code, body)
		}
		// The printed web sign-in works in the sign-in form.
		signIn := regexp.MustCompile(`web sign-in:\s+\S+/login\s+login (\d+)\s+password (\S+)`).FindStringSubmatch(first.out.String())
		if signIn == nil {
			t.Fatalf("no web sign-in printed: %s", first.out.String())
		}
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequest("POST", first.url+"/login", strings.NewReader(url.Values{"login": {signIn[1]}, "password": {signIn[2]}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/deals" || !strings.Contains(resp.Header.Get("Set-Cookie"), "crmd_session=") {
			t.Errorf("sign in with the printed password: HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		drainInFlight(t, first, token)

		second := startServe(t, dsn)
		if strings.Contains(second.out.String(), "token") {
			t.Errorf("credentials printed again on a non-empty database: %s", second.out.String())
		}
		second.stop(t)

		third := startServe(t, dsn, "CRMD_SHUTDOWN_TIMEOUT", "500ms")
		drainTrickle(t, third)
	})
}

type serving struct {
	url    string
	out    *syncBuffer
	errOut *syncBuffer
	sig    chan os.Signal
	done   chan error
}

// startServe runs serve on dsn; kv are further environment variables, as
// name, value pairs.
func startServe(t *testing.T, dsn string, kv ...string) *serving {
	t.Helper()
	s := &serving{out: &syncBuffer{}, errOut: &syncBuffer{}, sig: make(chan os.Signal, 1), done: make(chan error, 1)}
	errOut := s.errOut
	vars := env{"CRMD_ADDR": "127.0.0.1:0", "CRMD_DB": dsn}
	for i := 0; i+1 < len(kv); i += 2 {
		vars[kv[i]] = kv[i+1]
	}
	m := &cli.Main{Stdout: s.out, Stderr: errOut, Signals: s.sig, Getenv: vars.get}
	go func() { s.done <- m.Run(context.Background(), []string{"serve"}) }()
	deadline := time.Now().Add(20 * time.Second)
	re := regexp.MustCompile(`\burl"?[=:]"?(https?://[^\s"]+)`) // text or JSON logs
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(errOut.String()); m != nil {
			s.url = m[1]
			return s
		}
		select {
		case err := <-s.done:
			t.Fatalf("serve exited early: %v\n%s", err, errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start: %s", errOut.String())
	return nil
}

func (s *serving) stop(t *testing.T) {
	t.Helper()
	s.sig <- syscall.SIGTERM
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
}

// drainInFlight sends SIGTERM while a request is half uploaded, waits until
// the listener is closed (shutdown has begun), finishes the upload and checks
// that the request is still answered and serve exits 0.
func drainInFlight(t *testing.T, s *serving, token string) {
	t.Helper()
	addr := strings.TrimPrefix(s.url, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"mode":"segments","is_enabled":true}`
	fmt.Fprintf(conn, "PATCH /api/v4/customers/mode HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		addr, token, len(body), body[:10])
	// The server must have accepted the connection and read the headers
	// before the signal, or the request was never in flight; there is no
	// event to wait for from outside the process, so give it a moment.
	time.Sleep(200 * time.Millisecond)
	s.sig <- syscall.SIGTERM
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener stayed open after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatalf("finish the upload: %v", err)
	}
	resp, err := io.ReadAll(conn)
	if err != nil || !strings.HasPrefix(string(resp), "HTTP/1.1 200") || !strings.Contains(string(resp), `"mode":"segments"`) {
		t.Errorf("in-flight request during shutdown: %q %v", resp, err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
}

// drainTrickle sends SIGTERM while a client trickles a request body: serve
// waits out its drain window, closes the connection, warns, and exits 0.
func drainTrickle(t *testing.T, s *serving) {
	t.Helper()
	conn := trickle(t, strings.TrimPrefix(s.url, "http://"))
	start := time.Now()
	s.sig <- syscall.SIGTERM
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM with a trickling client, want 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after SIGTERM with a trickling client")
	}
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Errorf("serve stopped after %s, before its 500ms drain window", took)
	}
	assertCut(t, conn)
	if !regexp.MustCompile(`level=WARN .*drain window.* connections=1`).MatchString(s.errOut.String()) {
		t.Errorf("no warning about the connection cut: %s", s.errOut.String())
	}
}

func TestDepartmentAndPipelineCreate(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		out, err := run(t, nil, "account", "create", "--db", dsn, "--name", "Org", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var acc struct {
			AccountID int64 `json:"account_id"`
		}
		if err := json.Unmarshal([]byte(out), &acc); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint(acc.AccountID)
		out, err = run(t, nil, "department", "create", "--db", dsn, "--account", id, "--name", "Продажи", "--json")
		if err != nil || !strings.Contains(out, `"department_id":`) {
			t.Fatalf("department create: %q %v", out, err)
		}
		out, err = run(t, nil, "pipeline", "create", "--db", dsn, "--account", id, "--name", "Вебинар",
			"--stages", "Новая:2001,Думает:2002,Купил:2003,Отказ:2004", "--manual=false", "--json")
		var p struct {
			PipelineID int64   `json:"pipeline_id"`
			StageIDs   []int64 `json:"stage_ids"`
		}
		if err != nil || json.Unmarshal([]byte(out), &p) != nil || p.PipelineID == 0 || len(p.StageIDs) != 4 {
			t.Fatalf("pipeline create: %q %v", out, err)
		}
		if _, err := run(t, nil, "pipeline", "create", "--db", dsn, "--account", id, "--name", "X", "--stages", "Новая:7"); err == nil {
			t.Error("a stage status 7 was accepted")
		}
		if _, err := run(t, nil, "pipeline", "create", "--db", dsn, "--account", id, "--name", "X", "--stages", "garbage"); !cli.IsUsage(err) {
			t.Errorf("bad --stages: %v", err)
		}
		out, err = run(t, nil, "user", "create", "--db", dsn, "--account", id, "--name", "Диана", "--surname", "Гусева",
			"--profession", "основатель", "--role", "member", "--json")
		if err != nil || !strings.Contains(out, `"user_id":`) {
			t.Fatalf("employee create: %q %v", out, err)
		}
	})
}

// TestAccountCurrency: "account currency" sets the currency the account's
// prices are in, as the amoCRM account shows it to a server running on the
// same database; a malformed code is refused by name and changes nothing.
func TestAccountCurrency(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		out, err := run(t, nil, "account", "create", "--db", dsn, "--name", "Priced", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var acc struct {
			AccountID   int64  `json:"account_id"`
			AmoCRMToken string `json:"amocrm_token"`
		}
		if err := json.Unmarshal([]byte(out), &acc); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint(acc.AccountID)
		currency := func() string {
			t.Helper()
			resp := env.Do(t, "GET", "/api/v4/account", acc.AmoCRMToken, "")
			var a struct {
				Currency string `json:"currency"`
				Symbol   string `json:"currency_symbol"`
			}
			if resp.Status != 200 || json.Unmarshal(resp.Body, &a) != nil {
				t.Fatalf("GET /api/v4/account: %d %s", resp.Status, resp.Body)
			}
			return a.Currency + " " + a.Symbol
		}
		if got := currency(); got != "RUB ₽" {
			t.Errorf("a new account's currency: %s", got)
		}
		out, err = run(t, nil, "account", "currency", "--db", dsn, "--account", id, "--currency", "USD", "--json")
		if err != nil || strings.TrimSpace(out) != `{"account_id":`+id+`,"currency":"USD"}` {
			t.Fatalf("account currency: %q %v", out, err)
		}
		if got := currency(); got != "USD $" {
			t.Errorf("after account currency USD: %s", got)
		}
		out, err = run(t, nil, "account", "currency", "--db", dsn, "--account", id, "--currency", "KZT")
		if err != nil || out != "account "+id+": currency KZT\n" {
			t.Fatalf("account currency KZT: %q %v", out, err)
		}
		if _, err := run(t, nil, "account", "currency", "--db", dsn, "--account", id, "--currency", "usd"); err == nil ||
			!strings.HasPrefix(err.Error(), "--currency: ") {
			t.Errorf("a lower-case code: %v", err)
		}
		if _, err := run(t, nil, "account", "currency", "--db", dsn, "--account", "999999", "--currency", "EUR"); err == nil {
			t.Error("the currency of a missing account was set")
		}
		if _, err := run(t, nil, "account", "currency", "--db", dsn, "--account", id); !cli.IsUsage(err) {
			t.Errorf("without --currency: %v", err)
		}
		if got := currency(); got != "KZT ₸" {
			t.Errorf("after the refused calls: %s", got)
		}
	})
}
