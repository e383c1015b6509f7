package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain doubles as the server process of the Process tests: re-executed
// with TEST_LOAD_HELPER set, the test binary plays the server instead.
func TestMain(m *testing.M) {
	switch os.Getenv("TEST_LOAD_HELPER") {
	case "":
		os.Exit(m.Run())
	case "fail":
		fmt.Println("helper: cannot open database: disk on fire")
		os.Exit(3)
	default:
		helperServe(os.Getenv("TEST_LOAD_HELPER_ADDR"))
	}
}

// helperServe serves /healthz until SIGTERM, then exits 0 like crmd does.
func helperServe(addr string) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	srv := &http.Server{Addr: addr, Handler: mux}
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	fmt.Println("helper: listening on", addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		fmt.Println("helper:", err)
		os.Exit(1)
	}
	fmt.Println("helper: stopped")
	os.Exit(0)
}

func startHelper(t *testing.T, mode string, log io.Writer) (*Process, error) {
	t.Helper()
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TEST_LOAD_HELPER="+mode, "TEST_LOAD_HELPER_ADDR="+addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return StartProcess(ctx, exe, []string{"-test.run=^$"}, env, "http://"+addr+"/healthz", log)
}

func TestProcess(t *testing.T) {
	var log bytes.Buffer
	p, err := startHelper(t, "1", &log)
	if err != nil {
		t.Fatal(err)
	}
	if p.PID() <= 0 || p.PID() == os.Getpid() {
		t.Fatalf("pid %d", p.PID())
	}
	rss, err := p.PeakRSS()
	if err != nil || rss <= 0 {
		t.Fatalf("PeakRSS = %d, %v", rss, err)
	}
	if err := p.ResetPeakRSS(); err != nil {
		t.Logf("ResetPeakRSS (best effort): %v", err)
	}
	if err := p.Stop(5 * time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := p.Stop(time.Second); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if !strings.Contains(log.String(), "helper: stopped") {
		t.Fatalf("output not copied to the log: %q", log.String())
	}
	if _, err := p.PeakRSS(); err == nil {
		t.Fatal("PeakRSS of a stopped process succeeded")
	}
}

func TestProcessExitsEarly(t *testing.T) {
	start := time.Now()
	p, err := startHelper(t, "fail", nil)
	if err == nil {
		p.Stop(time.Second)
		t.Fatal("StartProcess succeeded for a process that exits at once")
	}
	msg := err.Error()
	for _, want := range []string{"exited before it was healthy", "exit status 3", "disk on fire"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v to notice the exit", time.Since(start))
	}
}

func TestStartProcessMissingBinary(t *testing.T) {
	_, err := StartProcess(context.Background(), "/nonexistent/crmd", nil, nil, "http://127.0.0.1:1/healthz", nil)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/crmd") {
		t.Fatalf("err = %v", err)
	}
}

func TestFreeAddr(t *testing.T) {
	addr, err := FreeAddr()
	if err != nil || !strings.HasPrefix(addr, "127.0.0.1:") || strings.HasSuffix(addr, ":0") {
		t.Fatalf("FreeAddr = %q, %v", addr, err)
	}
}
