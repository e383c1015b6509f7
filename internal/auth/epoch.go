package auth

import (
	"context"
	"sync"
)

// Checking a remembered credential reads its account's epoch (cache.go):
// one read per request, as costly as the smallest read transaction, and
// under load most of them read the same number. epochReads lets requests
// that arrive together share one read, and stays exact:
//
// A request may use the result of a read that began after the request
// itself arrived, never of one already under way. A revocation committed
// before the request arrived is then committed before that read began, and
// every read that begins after a commit sees it (SQLite WAL: a read
// transaction sees every commit before it starts; PostgreSQL READ
// COMMITTED: a statement sees every commit before it starts), by whichever
// process made it. So a revocation still applies to the very next request
// of every process, as with a read of its own.
//
// Per account at most one read is under way; requests arriving meanwhile
// queue for the next, which the first of them starts once the current one
// ends. With one request at a time that is one read each, as before; with
// many, one read serves all that arrived during the previous one.
type epochReads struct {
	read func(ctx context.Context, accountID int64) (int64, error)

	mu       sync.Mutex
	accounts map[int64]*epochQueue
}

// epochQueue is one account's read under way and the next, not yet begun.
type epochQueue struct {
	running, next *epochRead
}

// epochRead is one read of an epoch, shared by the requests that wait for it.
type epochRead struct {
	done  chan struct{}
	epoch int64
	err   error
}

// get returns the account's epoch as read by a read that began after the
// call.
func (e *epochReads) get(ctx context.Context, accountID int64) (int64, error) {
	e.mu.Lock()
	if e.accounts == nil {
		e.accounts = map[int64]*epochQueue{}
	}
	q := e.accounts[accountID]
	if q == nil {
		q = &epochQueue{}
		e.accounts[accountID] = q
	}
	if r := q.next; r != nil {
		// Queued, not begun: it begins after this call arrived.
		e.mu.Unlock()
		return r.wait(ctx)
	}
	r := &epochRead{done: make(chan struct{})}
	if prev := q.running; prev != nil {
		// One is under way and may have begun before this call: queue
		// the next one, and start it when that one ends.
		q.next = r
		e.mu.Unlock()
		select {
		case <-prev.done:
		case <-ctx.Done():
			// Whoever waits for r still needs it begun.
		}
		e.mu.Lock()
		q.running, q.next = r, nil
	} else {
		q.running = r
	}
	e.mu.Unlock()
	// The read serves other requests too: one whose client went away
	// must not fail theirs.
	r.epoch, r.err = e.read(context.WithoutCancel(ctx), accountID)
	e.mu.Lock()
	if q.running == r {
		q.running = nil
	}
	if q.running == nil && q.next == nil {
		delete(e.accounts, accountID)
	}
	e.mu.Unlock()
	close(r.done)
	return r.epoch, r.err
}

func (r *epochRead) wait(ctx context.Context) (int64, error) {
	select {
	case <-r.done:
		return r.epoch, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
