package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestEpochReadsBeginAfterTheCall checks what keeps a shared epoch exact:
// every call gets the result of a read that began after the call arrived.
// The clock is a counter: a call notes it on arrival, a read returns its
// reading when it begins, so each result must exceed its call's arrival.
func TestEpochReadsBeginAfterTheCall(t *testing.T) {
	var clock, reads atomic.Int64
	e := epochReads{read: func(context.Context, int64) (int64, error) {
		reads.Add(1)
		began := clock.Add(1)
		time.Sleep(200 * time.Microsecond)
		return began, nil
	}}
	const callers, calls = 16, 200
	var wg sync.WaitGroup
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				arrived := clock.Add(1)
				got, err := e.get(context.Background(), int64(1+g%2))
				if err != nil {
					t.Error(err)
					return
				}
				if got <= arrived {
					t.Errorf("a call that arrived at %d got a read that began at %d", arrived, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := reads.Load(); n >= callers*calls {
		t.Errorf("%d reads for %d calls: none shared", n, callers*calls)
	}
	if len(e.accounts) != 0 {
		t.Errorf("%d accounts still queued after every call ended", len(e.accounts))
	}
}

// TestEpochReadsCancelledWaiter checks that a caller whose context ends
// while it waits gives up, and that the read it queued still serves the
// others.
func TestEpochReadsCancelledWaiter(t *testing.T) {
	release := make(chan struct{})
	var reads atomic.Int64
	e := epochReads{read: func(context.Context, int64) (int64, error) {
		if reads.Add(1) == 1 {
			<-release
		}
		return 7, nil
	}}
	first := make(chan error, 1)
	go func() { _, err := e.get(context.Background(), 1); first <- err }()
	for reads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan error, 1)
	go func() { _, err := e.get(ctx, 1); queued <- err }()
	time.Sleep(5 * time.Millisecond)
	joined := make(chan int64, 1)
	go func() { n, _ := e.get(context.Background(), 1); joined <- n }()
	time.Sleep(5 * time.Millisecond)
	cancel()
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	<-queued
	if n := <-joined; n != 7 {
		t.Errorf("the joined call got %d, want 7", n)
	}
}
