package server_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crm"
)

// syncBuffer collects a server's log lines while its goroutines write them.
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

// observed is a crmd server on 127.0.0.1:0 logging JSON into logs, as
// crmd serve --log-format json does.
type observed struct {
	t    *testing.T
	srv  *cli.Server
	url  string
	logs *syncBuffer
}

// startObserved starts crmd over dsn with c (its address and logger set
// here) and stops it at cleanup.
func startObserved(t *testing.T, dsn string, c cli.ServerConfig) *observed {
	t.Helper()
	logs := &syncBuffer{}
	log, err := cli.NewLogger(logs, cli.LogJSON)
	if err != nil {
		t.Fatal(err)
	}
	c.Addr, c.DSN, c.Logger = "127.0.0.1:0", dsn, log
	srv, err := cli.Start(context.Background(), c)
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
	return &observed{t: t, srv: srv, url: srv.URL(), logs: logs}
}

// account creates an account with its administrator's credentials.
func (o *observed) account(name string) (accountID, userID int64, amoToken, envyboxKey, uisToken string) {
	o.t.Helper()
	c, err := o.srv.Authority.CreateAccount(context.Background(), crm.NewAccount{Name: name})
	if err != nil {
		o.t.Fatal(err)
	}
	return c.AccountID, c.UserID, c.AmoCRMToken, c.EnvyboxAPIKey, c.UISAccessToken
}

// reply is a finished exchange.
type reply struct {
	status int
	header http.Header
	body   string
}

// do sends a request; headers are "Key: Value" pairs.
func (o *observed) do(method, path, body string, headers ...string) reply {
	o.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, o.url+path, rd)
	if err != nil {
		o.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		o.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// logLines parses every line the server logged, failing the test on one
// that is not a JSON object.
func (o *observed) logLines() []map[string]any {
	o.t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(o.logs.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			o.t.Errorf("a log line is not JSON (%v): %s", err, sc.Text())
			continue
		}
		out = append(out, line)
	}
	return out
}

// accessLine returns the access log line of the request with that id.
func (o *observed) accessLine(id string) map[string]any {
	o.t.Helper()
	for _, l := range o.logLines() {
		if l["msg"] == "request" && l["request_id"] == id {
			return l
		}
	}
	o.t.Fatalf("no access log line with request_id %q in:\n%s", id, o.logs.String())
	return nil
}

// sample is one line of the Prometheus text format.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// scrape reads the metrics at url.
func scrape(t *testing.T, url string) []sample {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: HTTP %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var out []sample
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, ok := parseSample(line)
		if !ok {
			t.Fatalf("scrape: unreadable line %q", line)
		}
		out = append(out, s)
	}
	return out
}

// parseSample reads `name{k="v",…} value`.
func parseSample(line string) (sample, bool) {
	s := sample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		return s, false
	}
	s.name, line = line[:i], line[i:]
	if line[0] == '{' {
		line = line[1:]
		for {
			if strings.HasPrefix(line, "}") {
				line = line[1:]
				break
			}
			eq := strings.Index(line, `="`)
			if eq <= 0 {
				return s, false
			}
			key := line[:eq]
			line = line[eq+2:]
			var v strings.Builder
			for {
				if line == "" {
					return s, false
				}
				c := line[0]
				line = line[1:]
				if c == '"' {
					break
				}
				if c == '\\' && line != "" {
					switch line[0] {
					case 'n':
						c = '\n'
					default:
						c = line[0]
					}
					line = line[1:]
				}
				v.WriteByte(c)
			}
			s.labels[key] = v.String()
			line = strings.TrimPrefix(line, ",")
		}
	}
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return s, false
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return s, false
	}
	s.value = v
	return s, true
}

// value is the sample of name whose labels are exactly labels (pairs).
func value(samples []sample, name string, labels ...string) (float64, bool) {
	for _, s := range samples {
		if s.name != name || len(s.labels) != len(labels)/2 {
			continue
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			if s.labels[labels[i]] != labels[i+1] {
				match = false
				break
			}
		}
		if match {
			return s.value, true
		}
	}
	return 0, false
}

// rawDB opens the database behind dsn directly, outside the store, to
// break it the way an operator's mistake would.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, name := "sqlite", strings.TrimPrefix(dsn, "sqlite:")
	if strings.HasPrefix(dsn, "postgres") {
		driver, name = "pgx", dsn
	}
	db, err := sql.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
