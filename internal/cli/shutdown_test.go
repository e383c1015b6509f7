package cli_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// trickle opens a connection that posts a widget lead announcing a
// 1,000-byte body and sends only a few bytes of it. It returns once the
// handler is reading the body: the request asks for 100-continue, which
// the server answers only when the handler first reads, so the request is
// known to be in flight without guessing at timing. The connection keeps
// trickling a byte every 50 ms until it is closed.
func trickle(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /widget/v1/1/lead HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n", addr)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("the server did not start reading the body: %q %v", line, err)
	}
	conn.SetReadDeadline(time.Time{})
	if _, err := io.WriteString(conn, `{"phone": "`); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			time.Sleep(50 * time.Millisecond)
			if _, err := io.WriteString(conn, "7"); err != nil {
				return
			}
		}
	}()
	return conn
}

// assertCut checks that the server closed the connection: a read ends
// (EOF or reset) well before the read deadline, with no answer that would
// complete the request.
func assertCut(t *testing.T, conn net.Conn) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	rest, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the trickling connection is still open after shutdown (read %q)", rest)
	}
	if strings.Contains(string(rest), "HTTP/1.1 200") {
		t.Errorf("the cut request was answered as a success: %q", rest)
	}
}

// TestShutdownCutsTrickle: a client trickling a request body keeps the
// drain busy for the whole window; Shutdown then closes its connection and
// returns nil shortly after the window, not the window's deadline error.
func TestShutdownCutsTrickle(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		logs := &syncBuffer{}
		const drain = 300 * time.Millisecond
		srv, err := cli.Start(context.Background(), cli.ServerConfig{Addr: "127.0.0.1:0", DSN: dsn,
			Logger: slog.New(slog.NewTextHandler(logs, nil)), ShutdownTimeout: drain})
		if err != nil {
			t.Fatal(err)
		}
		conn := trickle(t, srv.Addr().String())
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		start := time.Now()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v, want nil after closing what the drain left", err)
		}
		if took := time.Since(start); took < drain || took > drain+5*time.Second {
			t.Errorf("Shutdown took %s with a drain window of %s", took, drain)
		}
		assertCut(t, conn)
		if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "connections=1") {
			t.Errorf("no warning naming the one connection cut: %s", logs.String())
		}
	})
}

// TestShutdownCallerDeadline: a caller's deadline shorter than the drain
// window ends the drain early, the same way: connections closed, nil.
func TestShutdownCallerDeadline(t *testing.T) {
	dsn := crmtest.NewDSN(t, crmtest.SQLite)
	srv, err := cli.Start(context.Background(), cli.ServerConfig{Addr: "127.0.0.1:0", DSN: dsn,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	conn := trickle(t, srv.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Shutdown took %s with a 300ms deadline", took)
	}
	assertCut(t, conn)
}

// TestShutdownTimeoutFlag: --shutdown-timeout and CRMD_SHUTDOWN_TIMEOUT
// must be positive durations.
func TestShutdownTimeoutFlag(t *testing.T) {
	dsn := crmtest.NewDSN(t, crmtest.SQLite)
	for _, tt := range []struct {
		env  string
		args []string
	}{
		{"soon", nil},
		{"-1s", nil},
		{"", []string{"--shutdown-timeout", "0s"}},
		{"", []string{"--shutdown-timeout", "never"}},
	} {
		m := &cli.Main{Stdout: io.Discard, Stderr: io.Discard, Signals: make(chan os.Signal),
			Getenv: env{"CRMD_ADDR": "127.0.0.1:0", "CRMD_SHUTDOWN_TIMEOUT": tt.env}.get}
		// A server that starts anyway is stopped by the context.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := m.Run(ctx, append([]string{"serve", "--db", dsn}, tt.args...)); !cli.IsUsage(err) {
			t.Errorf("env %q, args %q: %v, want a usage error", tt.env, tt.args, err)
		}
		cancel()
	}
}
