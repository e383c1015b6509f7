package baseline

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crmtest"
)

// start runs serve on a fresh port and returns its base URL; the server is
// stopped, and must return nil, when the test ends.
func start(t *testing.T, serve func(context.Context, net.Listener) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln) }()
	t.Cleanup(func() {
		// The client may hold connections it dialled but never used; the
		// server counts those as busy for 5 s when shutting down.
		http.DefaultClient.CloseIdleConnections()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server returned %v after ctx was done", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("server did not stop after ctx was done")
		}
	})
	return "http://" + ln.Addr().String()
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestReadBody(t *testing.T) {
	var v struct {
		Result struct {
			ID     string `json:"id"`
			Values struct {
				Custom []map[string]any `json:"custom"`
			} `json:"values"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(ReadBody), &v); err != nil {
		t.Fatalf("ReadBody is not JSON: %v", err)
	}
	if v.Result.ID == "" || len(v.Result.Values.Custom) == 0 {
		t.Fatalf("ReadBody lacks a deal's shape: %+v", v)
	}
	if n := len(ReadBody); n < 1300 || n > 1800 {
		t.Fatalf("ReadBody is %d bytes, want about 1.5 KB", n)
	}
}

func TestServeRead(t *testing.T) {
	base := start(t, ServeRead)
	if status, body, _ := get(t, base+"/healthz"); status != http.StatusOK || body != "ok" {
		t.Fatalf("healthz: %d %q", status, body)
	}
	for _, path := range []string{"/read", "/anything/else?x=1"} {
		status, body, h := get(t, base+path)
		if status != http.StatusOK || body != ReadBody {
			t.Fatalf("GET %s: %d %q", path, status, body)
		}
		if ct := h.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("GET %s: Content-Type %q", path, ct)
		}
	}
}

// testServeWrite sends n leads concurrently and junk, and checks that dsn's
// baseline_leads holds exactly n rows with the ids answered.
func testServeWrite(t *testing.T, dsn, driver, countDSN string) {
	base := start(t, func(ctx context.Context, ln net.Listener) error { return ServeWrite(ctx, ln, dsn) })
	if status, body, _ := get(t, base+"/healthz"); status != http.StatusOK || body != "ok" {
		t.Fatalf("healthz: %d %q", status, body)
	}
	const n = 40
	ids := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			status, body := post(t, base+"/lead/set", `{"api_key":"k","phone":"+7 900 000-00-`+
				string(rune('0'+i%10))+`","name":"Иван","email":"ivan@example.com","comment":"перезвоните","utm_source":"yandex"}`)
			var out struct{ ID int64 }
			if status != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil || out.ID <= 0 {
				t.Errorf("lead %d: %d %q", i, status, body)
			}
			ids[i] = out.ID
		})
	}
	wg.Wait()
	for _, junk := range []string{"not json", `{"phone":`, `{"phone":5}`, ""} {
		if status, body := post(t, base+"/lead/set", junk); status != http.StatusBadRequest {
			t.Errorf("junk %q: %d %q, want 400", junk, status, body)
		}
	}

	db, err := sql.Open(driver, countDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var count, distinct int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT id) FROM baseline_leads`).Scan(&count, &distinct); err != nil {
		t.Fatal(err)
	}
	if count != n || distinct != n {
		t.Fatalf("%d rows (%d distinct ids), want %d", count, distinct, n)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(seen) != n {
		t.Fatalf("answered ids not distinct: %v", ids)
	}
	var name, utm string
	if err := db.QueryRow(`SELECT name, utm_source FROM baseline_leads WHERE id = 1`).Scan(&name, &utm); err != nil || name != "Иван" || utm != "yandex" {
		t.Fatalf("row 1: %q %q %v", name, utm, err)
	}
}

func TestServeWriteSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "baseline.db")
	testServeWrite(t, path, "sqlite", path)

	// crmd's "sqlite:" form names the same file, and the table is reused.
	base := start(t, func(ctx context.Context, ln net.Listener) error { return ServeWrite(ctx, ln, "sqlite:"+path) })
	if status, body := post(t, base, `{"phone":"1"}`); status != http.StatusOK || body != `{"id":41}` {
		t.Fatalf("sqlite: form: %d %q", status, body)
	}
}

func TestServeWritePostgres(t *testing.T) {
	dsn := crmtest.NewDSN(t, crmtest.Postgres)
	testServeWrite(t, dsn, "pgx", dsn)
}

func TestServeWriteBadDSN(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ServeWrite(ctx, ln, ""); err == nil {
		t.Fatal("ServeWrite with an empty DSN succeeded")
	}
}

func TestServePost(t *testing.T) {
	var v struct {
		Embedded struct {
			Leads []struct {
				ID int64 `json:"id"`
			} `json:"leads"`
		} `json:"_embedded"`
	}
	if err := json.Unmarshal([]byte(PostBody), &v); err != nil || len(v.Embedded.Leads) != 1 || v.Embedded.Leads[0].ID == 0 {
		t.Fatalf("PostBody is not a one-lead batch answer: %v %+v", err, v)
	}
	base := start(t, ServePost)
	if status, body, _ := get(t, base+"/healthz"); status != http.StatusOK || body != "ok" {
		t.Fatalf("healthz: %d %q", status, body)
	}
	// Any body, JSON or not, small or large, is read and answered alike.
	big := strings.Repeat(`{"name":"Иван"},`, 20_000)
	for _, body := range []string{`{"phone":"1"}`, "not json", "", big} {
		status, got := post(t, base+"/write", body)
		if status != http.StatusOK || got != PostBody {
			t.Fatalf("POST %.20q: %d %q", body, status, got)
		}
	}
	// Over the bound: refused, as crmd refuses an oversized body.
	if status, _ := post(t, base+"/write", strings.Repeat("x", maxLeadBody+1)); status != http.StatusBadRequest {
		t.Fatalf("oversized body: %d, want 400", status)
	}
}
