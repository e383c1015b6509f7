package crmtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crm"
)

// Env is a running crmd server for one test.
type Env struct {
	URL    string
	Server *cli.Server
	Client *http.Client
}

// Start starts crmd on 127.0.0.1:0 over dsn and stops it at cleanup.
// Request limits are off: tests send many requests fast (StartLimited).
func Start(t testing.TB, dsn string) *Env {
	t.Helper()
	return start(t, cli.ServerConfig{DSN: dsn})
}

// StartLimited is Start with the request limits on, as crmd serve runs by
// default. Move the limiter's clock with env.Server.DB.Now.
func StartLimited(t testing.TB, dsn string) *Env {
	t.Helper()
	return start(t, cli.ServerConfig{DSN: dsn, Limits: true})
}

// StartWebhooks is Start with webhook delivery let reach loopback and
// private addresses (a test's receiver listens on 127.0.0.1) and the
// history looked at every 20 ms.
func StartWebhooks(t testing.TB, dsn string) *Env {
	t.Helper()
	return start(t, cli.ServerConfig{DSN: dsn, WebhookAllowPrivate: true, WebhookPoll: 20 * time.Millisecond})
}

func start(t testing.TB, c cli.ServerConfig) *Env {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	c.Addr, c.Logger = "127.0.0.1:0", logger
	srv, err := cli.Start(ctx, c)
	if err != nil {
		t.Fatalf("start crmd: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shut down crmd: %v", err)
		}
	})
	return &Env{URL: srv.URL(), Server: srv, Client: &http.Client{Timeout: 30 * time.Second}}
}

// StartEach runs fn once per backend with a fresh server.
func StartEach(t *testing.T, fn func(t *testing.T, env *Env)) {
	ForEachBackend(t, func(t *testing.T, dsn string) { fn(t, Start(t, dsn)) })
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// NewAccount creates an account with its administrator.
func (e *Env) NewAccount(t testing.TB, name string) auth.AccountCredentials {
	t.Helper()
	creds, err := e.Server.Authority.CreateAccount(context.Background(), crm.NewAccount{Name: name})
	if err != nil {
		t.Fatalf("create account %q: %v", name, err)
	}
	return creds
}

// NewUser adds a user with the given role to an account.
func (e *Env) NewUser(t testing.TB, accountID int64, role crm.Role) auth.UserCredentials {
	t.Helper()
	creds, err := e.Server.Authority.CreateUser(context.Background(), crm.NewUser{AccountID: accountID, Name: "User " + string(role), Role: role})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	return creds
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value, failing the test if it is not JSON.
func (r *Response) JSON(t testing.TB) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
	return v
}

// Object decodes the body as a JSON object.
func (r *Response) Object(t testing.TB) map[string]any {
	t.Helper()
	m, ok := r.JSON(t).(map[string]any)
	if !ok {
		t.Fatalf("response is not a JSON object: %s", r.Body)
	}
	return m
}

// Do sends a request with an optional bearer token and body and reads the
// whole response. headers are extra "Key: Value" pairs.
func (e *Env) Do(t testing.TB, method, path, token, body string, headers ...string) *Response {
	t.Helper()
	resp, err := e.send(method, path, token, body, headers)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// send is Do without a test, for goroutines other than the test's.
func (e *Env) send(method, path, token, body string, headers []string) (*Response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}
