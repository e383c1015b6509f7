package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// startTimeout bounds how long StartProcess waits for the health endpoint:
// long enough for a server to migrate a fresh database on a slow disk.
const startTimeout = 60 * time.Second

// tailSize is how much of a process's latest output StartProcess and Stop
// quote in their errors: the last lines are where a server says why it died.
const tailSize = 4 << 10

// Process is a server running as a separate operating-system process, so
// that its memory and CPU are its own and it starts and stops the way a
// user runs it.
type Process struct {
	cmd  *exec.Cmd
	tail *tailBuffer
	done chan struct{} // closed when the process has exited and its output is drained
	err  error         // the exit status; read only after done is closed

	mu         sync.Mutex
	terminated bool // SIGTERM was sent, so death by SIGTERM is a clean stop
}

// FreeAddr returns "127.0.0.1:PORT" for a port that was free a moment ago,
// to hand to a server process as its listen address. Another program may
// take the port in between; on a benchmark machine that is unlikely enough.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", err
	}
	return addr, nil
}

// StartProcess runs path with args and env (nil env inherits this
// process's), copying its stdout and stderr to log (nil discards them),
// and waits up to 60 s for GET healthURL to answer 200. If the process
// exits first, the wait times out or ctx is done, the process is killed and
// the error quotes the end of its output.
//
// ctx bounds only the start-up: once StartProcess returns, the process runs
// until Stop, so that a caller can start servers under a short context.
func StartProcess(ctx context.Context, path string, args, env []string, healthURL string, log io.Writer) (*Process, error) {
	if log == nil {
		log = io.Discard
	}
	cmd := exec.Command(path, args...)
	cmd.Env = env
	tail := &tailBuffer{}
	out := &lockedWriter{w: io.MultiWriter(log, tail)}
	cmd.Stdout, cmd.Stderr = out, out
	// Output is copied through a pipe; if the process leaves a child behind
	// that keeps the pipe open, Wait must not hang on it forever.
	cmd.WaitDelay = 5 * time.Second
	setParentDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	p := &Process{cmd: cmd, tail: tail, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()

	if err := p.waitHealthy(ctx, healthURL); err != nil {
		cmd.Process.Kill()
		<-p.done
		return nil, fmt.Errorf("%s (pid %d): %w; last output:\n%s", path, cmd.Process.Pid, err, tail.String())
	}
	return p, nil
}

// waitHealthy polls healthURL until it answers 200.
func (p *Process) waitHealthy(outer context.Context, healthURL string) error {
	ctx, cancel := context.WithTimeout(outer, startTimeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, healthURL, nil)
		if err != nil {
			return fmt.Errorf("health URL: %w", err)
		}
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET %s: status %d", healthURL, resp.StatusCode)
		}
		last = err
		select {
		case <-p.done:
			return fmt.Errorf("exited before it was healthy: %v", p.err)
		case <-ctx.Done():
			if err := outer.Err(); err != nil {
				return fmt.Errorf("start-up cancelled: %w (last health check: %v)", err, last)
			}
			return fmt.Errorf("not healthy within %s: %v", startTimeout, last)
		case <-tick.C:
		}
	}
}

// PID is the process id, for reports and for looking the process up in ps.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// PeakRSS is the process's peak resident set size in bytes (VmHWM in
// /proc/PID/status): the memory a machine must have for it, which the
// current RSS understates after a burst.
func (p *Process) PeakRSS() (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(p.PID()) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(rest), " ")
		kb, err := strconv.ParseInt(num, 10, 64)
		if err != nil || unit != "kB" {
			return 0, fmt.Errorf("unexpected VmHWM line %q", sc.Text())
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmHWM in /proc/" + strconv.Itoa(p.PID()) + "/status")
}

// ResetPeakRSS resets the peak that PeakRSS reads to the current RSS, so
// that each scenario's peak is its own and not the seeding's. Linux does
// this on writing "5" to /proc/PID/clear_refs; elsewhere, or where that is
// not permitted, the error says so and callers carry on with the old peak.
func (p *Process) ResetPeakRSS() error {
	return os.WriteFile("/proc/"+strconv.Itoa(p.PID())+"/clear_refs", []byte("5"), 0)
}

// Stop sends SIGTERM and waits for the process to exit; after timeout it
// sends SIGKILL. An exit with status 0, or death by the SIGTERM itself (a
// program that does not handle it), is a clean stop and returns nil; any
// other ending, including a process that had already exited, is an error
// that quotes the end of its output. Stop may be called more than once.
func (p *Process) Stop(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.exitError()
	default:
	}
	p.mu.Lock()
	p.terminated = true
	p.mu.Unlock()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("pid %d: SIGTERM: %w", p.PID(), err)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-p.done:
		return p.exitError()
	case <-timer.C:
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("pid %d did not exit within %s of SIGTERM and was killed; last output:\n%s", p.PID(), timeout, p.tail.String())
	}
}

// exitError interprets the exit status once the process is gone.
func (p *Process) exitError() error {
	if p.err == nil {
		return nil
	}
	p.mu.Lock()
	terminated := p.terminated
	p.mu.Unlock()
	var ee *exec.ExitError
	if terminated && errors.As(p.err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM {
			return nil
		}
	}
	return fmt.Errorf("pid %d: %w; last output:\n%s", p.PID(), p.err, p.tail.String())
}

// lockedWriter serialises writes: exec copies stdout and stderr from two
// goroutines when they are not files, and log need not be safe for that.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// tailBuffer keeps the last tailSize bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - tailSize; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(bytes.TrimSpace(t.buf)) == 0 {
		return "(no output)"
	}
	return string(t.buf)
}
