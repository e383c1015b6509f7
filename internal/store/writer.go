package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// The write path. Every Update of one write group queues one behind another
// anyway: on SQLite there is one write connection, on PostgreSQL the
// account's row lock (lockAccount) serializes the writers of an account.
// Much of a short write's transaction is not the write: BEGIN, the account
// check and, above all, COMMIT, which writes every changed page to the log
// (a third of a lone deal creation's CPU on SQLite) and on PostgreSQL waits
// for the log's flush. So concurrent calls share transactions ("group
// commit").
//
// The first caller to find nobody writing in its group becomes the writer:
// it begins a transaction and runs its own call, then every call that
// arrives meanwhile, one after another in arrival order, and commits when
// none is waiting (or after maxCallsPerCommit). Then it hands the writing of
// the next transaction to the first caller that queued meanwhile and
// answers the calls. A lone call is written at once, in its caller's own
// goroutine, with nothing added but a mutex — except that, when several
// calls have lately been writing together, the writer waits a moment for
// them (see linger).
//
// Each call stays all or nothing, alone: every call but a transaction's
// first runs inside a SAVEPOINT, and its error (or its fn's panic) rolls
// back to it, so only that call fails. The first needs none: if it fails,
// nothing else is in the transaction yet, which is rolled back whole. A
// large call (UpdateBatch) is always a transaction's first: the writer
// commits what it holds and hands the writing on before one (see
// UpdateBatch for why). Each
// call has its own tenant binding (its account, its Now reading, its
// derived-state flush inside its savepoint; the deal search texts the
// calls made stale are recomputed once, before COMMIT). Callers are answered only
// after the COMMIT: nothing a call wrote reads as committed before it is.
// Calls of one transaction may hand each other what they read alike
// (Shared), as the lead intake does with the account's pipelines.
//
// A write group is the whole database on SQLite (one connection; calls of
// different accounts share transactions, each bound to its own account) and
// one account on PostgreSQL, whose writers take the account's row lock at
// the start of the transaction, outside any savepoint (a savepoint rolled
// back would release it). One transaction holding the locks of several
// accounts could deadlock with another process doing the same the other way
// round, and accounts written concurrently run on connections of their own.

// maxCallsPerCommit bounds the calls of one transaction: their callers are
// answered only after the last of them, and on PostgreSQL the transaction
// holds the account's lock meanwhile.
const maxCallsPerCommit = 32

// savepoint names the savepoint each call after a transaction's first runs
// in; it is released after every call, so one name serves.
const savepoint = "crmd_call"

// writer holds the queues of Update calls per write group. The zero value
// is ready to use.
type writer struct {
	mu     sync.Mutex
	queues map[int64]*writeQueue
	// calls and commits count committed calls and their transactions
	// (WriteStats).
	calls, commits atomic.Uint64
}

// writeQueue is the calls of one write group waiting to be written. A
// group's queue stays once made (one small value per account a PostgreSQL
// process has written): it remembers how its last transactions went.
type writeQueue struct {
	writing bool // a caller is writing; the others wait in calls
	calls   []*writeCall
	// arrived, when not nil, is closed by the next caller to queue: the
	// writer is waiting for one (linger).
	arrived chan struct{}
	// ended is when the last transaction ended; peak is the most calls a
	// transaction had in the second or so since peakAt.
	ended  time.Time
	peak   int
	peakAt time.Time
}

// writeCall is one Update call.
type writeCall struct {
	ctx       context.Context
	accountID int64
	fn        func(crm.Tx) error
	// large calls are run only first in a transaction (UpdateBatch).
	large    bool
	err      error
	panicked *fnPanic
	// search is what the call marked for search text recomputation
	// (deal_search.go), handed to the transaction once the call is in.
	search searchDirt
	// wake tells a waiting caller that its call is answered (false) or
	// that it is to write the next transaction (true).
	wake chan bool
}

// fnPanic is a panic of an Update's fn, recovered by the writer (which may
// be another caller's goroutine) and raised again in the caller's own, with
// the stack where it happened.
type fnPanic struct {
	value any
	stack []byte
}

func (p *fnPanic) Error() string { return fmt.Sprintf("panic in a write: %v\n\n%s", p.value, p.stack) }

// Unwrap returns the panic's value when it is an error.
func (p *fnPanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}

// WriteStats counts what the write path did since Open.
type WriteStats struct {
	// Calls is the number of Update calls whose writes committed.
	Calls uint64
	// Commits is the number of transactions that committed them.
	Commits uint64
}

// WriteStats returns the write path's counts: Calls/Commits is how many
// calls a transaction carried on average.
func (db *DB) WriteStats() WriteStats {
	return WriteStats{Calls: db.writer.calls.Load(), Commits: db.writer.commits.Load()}
}

// Update runs fn in a read-write transaction bound to one account: all of
// fn's writes commit or none. Writers of one account are serialized, so fn
// sees every write committed before it, and concurrent calls may share a
// transaction with it (see the write path above), which changes nothing for
// fn but when the transaction commits. fn may run in another caller's
// goroutine; it returns only when the transaction has committed (nil) or
// fn's writes are undone (an error). A panic in fn is raised again in the
// caller's goroutine, with nothing of fn's written.
//
// A ctx that ends before fn's turn fails the call with ctx's error; once fn
// runs, ctx fails fn's next statement, never one under way, which would
// undo the calls sharing its transaction. fn must not wait for another
// Update (its own writer may be the one running fn).
func (db *DB) Update(ctx context.Context, accountID int64, fn func(crm.Tx) error) error {
	return db.update(ctx, accountID, fn, false)
}

// UpdateBatch is Update for a call that writes many rows (a batch of
// records): it runs first in its transaction, never inside a savepoint.
// Calls after it may still share its transaction (and its COMMIT).
//
// Why: inside a savepoint, SQLite journals every page each statement
// changes into the savepoint's statement journal (in memory: temp_store)
// and, at the statement's end, truncates that journal back to where the
// statement began by walking it from its start. So a call's statements
// each cost as much as the journal the call has built so far: quadratic in
// the call's writes. A 250-lead batch that queued behind another call
// spent 27–44% of its CPU in that walk (memjrnlTruncate). Alone at the
// start of its transaction, each statement's journal is dropped whole at
// its end.
func (db *DB) UpdateBatch(ctx context.Context, accountID int64, fn func(crm.Tx) error) error {
	return db.update(ctx, accountID, fn, true)
}

// update is Update (large false) and UpdateBatch (large true).
func (db *DB) update(ctx context.Context, accountID int64, fn func(crm.Tx) error, large bool) error {
	c := &writeCall{ctx: ctx, accountID: accountID, fn: fn, large: large, wake: make(chan bool, 1)}
	q, lead := db.writer.enqueue(db.dialect.writeGroup(accountID), c)
	// A waiting caller does not give up when its ctx ends: it may be handed
	// the writing, or its fn be running. The writer skips calls whose ctx
	// has ended.
	if lead || <-c.wake {
		db.writeTx(q)
	}
	if c.panicked != nil {
		panic(c.panicked)
	}
	return db.counted(c.err)
}

// enqueue queues c in its group and reports whether its caller is to write
// (nobody was writing).
func (w *writer) enqueue(group int64, c *writeCall) (*writeQueue, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.queues == nil {
		w.queues = map[int64]*writeQueue{}
	}
	q := w.queues[group]
	if q == nil {
		q = &writeQueue{}
		w.queues[group] = q
	}
	q.calls = append(q.calls, c)
	if q.arrived != nil {
		close(q.arrived)
		q.arrived = nil
	}
	lead := !q.writing
	q.writing = true
	return q, lead
}

// The callers a transaction answers come back together, a moment apart
// (an HTTP client reads its answer and sends its next request). Without
// waiting, the first of them would find nobody writing and commit alone,
// the others queuing behind it: transactions alternated between one call
// and all the others. So a writer that has fewer calls than the largest
// transaction of the last second waits up to linger for each further one,
// when a transaction of its group ended less than recent ago (PostgreSQL's
// commit_delay in spirit), and no more than lingerMax in all: it holds the
// write lock meanwhile. A wait in vain ends the waiting and lowers the
// expectation to what came, so once a burst is over a lone caller waits
// once, at most linger; a caller after a quiet spell never waits. On
// SQLite the linger took BenchmarkWrites' parallel transactions (8
// goroutines) from 1.4–3.7 calls to 7.8–8, and crmdbench's lead/set (8
// clients, 2,000 deals) from 0.22× to 0.32–0.34× of the write baseline (the
// intake's own queue, which lingered the same way, did 0.26–0.36× in the
// same session); on PostgreSQL, whose calls take long enough for the
// others to queue anyway, it changed nothing measurable.
const (
	linger    = 500 * time.Microsecond
	lingerMax = 2 * time.Millisecond
	recent    = 5 * time.Millisecond
)

// lingering is how one transaction waits for calls (see linger).
type lingering struct {
	want   int           // calls to wait for
	waited time.Duration // spent waiting so far
	missed bool          // a wait ended with nobody come
}

// next takes the next call of q for a transaction that has taken taken
// calls so far, waiting for one while it has fewer than l.want (see
// linger); nil when the transaction is to commit. A large call is left
// queued when the transaction holds calls (open): it is to be the first
// of the next transaction, whose writing finish hands to it.
func (w *writer) next(q *writeQueue, taken int, open bool, l *lingering) *writeCall {
	w.mu.Lock()
	defer w.mu.Unlock()
	if wait := min(linger, lingerMax-l.waited); len(q.calls) == 0 && taken < l.want && wait > 0 && !l.missed {
		arrived := make(chan struct{})
		q.arrived = arrived
		w.mu.Unlock()
		start := time.Now()
		t := time.NewTimer(wait)
		select {
		case <-arrived:
		case <-t.C:
		}
		t.Stop()
		l.waited += time.Since(start)
		w.mu.Lock()
		if q.arrived == arrived {
			q.arrived = nil
		}
		l.missed = len(q.calls) == 0
	}
	if len(q.calls) == 0 || (open && q.calls[0].large) {
		return nil
	}
	c := q.calls[0]
	q.calls[0] = nil // the array outlives the call otherwise
	q.calls = q.calls[1:]
	return c
}

// finish ends a transaction of q, whose waiting for calls went as l says:
// it hands the writing to the first caller waiting, if any, and answers the
// calls of batch but the writer's own (batch[0]).
func (w *writer) finish(q *writeQueue, batch []*writeCall, l lingering) {
	w.mu.Lock()
	q.ended = time.Now()
	if len(batch) >= q.peak || l.missed || q.ended.Sub(q.peakAt) > time.Second {
		q.peak, q.peakAt = len(batch), q.ended
	}
	var next *writeCall
	if len(q.calls) > 0 {
		next = q.calls[0]
	} else {
		q.writing = false
	}
	w.mu.Unlock()
	// The next transaction first: the write connection (or the account's
	// lock) is what every caller waits for.
	if next != nil {
		next.wake <- true
	}
	for i, c := range batch {
		if i > 0 {
			c.wake <- false
		}
	}
}

// writeTx writes one transaction of q's calls, the first of them the
// caller's own: the queue was empty when it came, or it was first in line
// when handed the writing.
func (db *DB) writeTx(q *writeQueue) {
	g := &commitGroup{db: db}
	l := lingering{want: 1}
	defer func() {
		// A panic of the writer itself, outside any fn (a bug): no call
		// of the transaction commits; its callers are answered and the
		// writing handed on, so the queue does not stall.
		if p := recover(); p != nil {
			g.abort(fmt.Errorf("store: writer panicked: %v", p))
			for _, c := range g.batch {
				if c.err == nil && c.panicked == nil {
					c.err = fmt.Errorf("store: writer panicked: %v", p)
				}
			}
			db.writer.finish(q, g.batch, l)
			panic(p)
		}
	}()
	db.writer.mu.Lock()
	if time.Since(q.ended) < recent {
		l.want = q.peak
	}
	db.writer.mu.Unlock()
	for len(g.batch) < maxCallsPerCommit {
		c := db.writer.next(q, len(g.batch), len(g.live) > 0, &l)
		if c == nil {
			break
		}
		g.batch = append(g.batch, c)
		g.run(c)
	}
	g.commit()
	db.writer.finish(q, g.batch, l)
}

// commitGroup is one shared transaction and the calls it carries.
type commitGroup struct {
	db    *DB
	batch []*writeCall // every call taken, answered or not
	// tx is the open transaction on conn, nil before the first call and
	// after a rollback; ctx is its context, which no caller can cancel.
	conn *sql.Conn
	tx   *sql.Tx
	ctx  context.Context
	// live are the calls written in tx, to be answered by its COMMIT.
	live []*writeCall
	// accounts are the accounts locked (PostgreSQL) and found in tx.
	accounts map[int64]bool
	// shared are the readings calls hand on to the next (Shared); last is
	// the binding of the call run last.
	shared map[sharedKey]*sharedRead
	last   *tenantTx
	// search is what the calls in tx marked for search text
	// recomputation, per account: recomputed once, before COMMIT
	// (flushSearch). Each call recomputing its own inside its savepoint
	// cost a statement per call and, on SQLite, made the keyword index
	// (an FTS5 table, migration 0035) write a segment at every following
	// SAVEPOINT and merge them: a quarter of a deal creation's time on
	// the write connection.
	search map[int64]*searchDirt
}

// run writes c in the shared transaction, beginning one if needed, and
// leaves c.err set if c failed (nothing of it is then in the transaction).
func (g *commitGroup) run(c *writeCall) {
	if c.err = c.ctx.Err(); c.err != nil {
		return
	}
	if g.tx == nil {
		if err := g.begin(c.ctx); err != nil {
			c.err = err
			return
		}
	}
	if err := g.account(c.accountID); err != nil {
		if crm.KindOf(err) == crm.KindNotFound {
			c.err = err // a query that found nothing: the transaction is fine
			return
		}
		g.broken(c, err)
		return
	}
	if len(g.live) == 0 {
		// The first call needs no savepoint: on its failure there is
		// nothing else to keep.
		if c.err = g.call(c); c.err != nil {
			g.rollback()
			return
		}
		g.live = append(g.live, c)
		g.keepSearch(c)
		g.settle(true)
		return
	}
	if _, err := g.tx.ExecContext(g.ctx, `SAVEPOINT `+savepoint); err != nil {
		g.broken(c, err)
		return
	}
	c.err = g.call(c)
	if c.err == nil {
		// RELEASE fails when a statement of c failed unreported
		// (PostgreSQL then refuses everything until the rollback).
		_, err := g.tx.ExecContext(g.ctx, `RELEASE SAVEPOINT `+savepoint)
		if err == nil {
			g.live = append(g.live, c)
			g.keepSearch(c)
			g.settle(true)
			return
		}
		c.err = g.db.mapError(fmt.Errorf("release savepoint: %w", err))
	}
	g.settle(false)
	if _, err := g.tx.ExecContext(g.ctx, `ROLLBACK TO SAVEPOINT `+savepoint); err != nil {
		// SQLite rolls the whole transaction back on a few errors (a full
		// disk, an I/O error): the savepoint is gone with it.
		g.abort(err)
		return
	}
	if _, err := g.tx.ExecContext(g.ctx, `RELEASE SAVEPOINT `+savepoint); err != nil {
		g.abort(err)
	}
}

// begin begins the shared transaction on a connection of its own (see
// commit), in a context no caller can cancel.
func (g *commitGroup) begin(ctx context.Context) error {
	g.ctx = context.WithoutCancel(ctx)
	conn, err := g.db.write.Conn(g.ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx, err := conn.BeginTx(g.ctx, nil)
	if err != nil {
		conn.Close()
		return fmt.Errorf("begin transaction: %w", err)
	}
	g.conn, g.tx, g.accounts, g.shared, g.search = conn, tx, map[int64]bool{}, map[sharedKey]*sharedRead{}, map[int64]*searchDirt{}
	return nil
}

// keepSearch adds what c, now in the transaction, marked for search text
// recomputation to what is recomputed before COMMIT.
func (g *commitGroup) keepSearch(c *writeCall) {
	if c.search.empty() {
		return
	}
	d := g.search[c.accountID]
	if d == nil {
		d = &searchDirt{}
		g.search[c.accountID] = d
	}
	d.merge(c.search)
	c.search = searchDirt{}
}

// flushSearch recomputes the search texts the transaction's calls marked,
// one statement per account (and per 500 deals).
func (g *commitGroup) flushSearch() error {
	for account, d := range g.search {
		if err := g.db.bind(g.tx, account).recomputeSearch(g.ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// broken handles a failure of the shared transaction itself before c's fn
// ran: the calls already in it cannot commit and fail with err; c, which
// wrote nothing yet, starts a transaction of its own (once: it is then the
// first call, so it cannot come back here but for its own account check).
func (g *commitGroup) broken(c *writeCall, err error) {
	if len(g.live) == 0 {
		g.rollback()
		c.err = err
		return
	}
	g.abort(err)
	g.run(c)
}

// account takes the lock of an account for the transaction and checks that
// it exists, once per account and transaction. On PostgreSQL this runs
// before any savepoint: rolling one back would release the lock.
func (g *commitGroup) account(id int64) error {
	if g.accounts[id] {
		return nil
	}
	if err := g.db.dialect.lockAccount(g.ctx, g.tx, id); err != nil {
		return err
	}
	if _, err := g.db.tenant(g.ctx, g.tx, id); err != nil {
		return err
	}
	g.accounts[id] = true
	return nil
}

// call runs c's fn and flushes its derived state in the shared transaction,
// turning a panic of fn into c's failure.
func (g *commitGroup) call(c *writeCall) (err error) {
	defer func() {
		if p := recover(); p != nil {
			c.panicked = &fnPanic{value: p, stack: debug.Stack()}
			err = c.panicked
		}
	}()
	t := g.db.bind(detached{g.tx}, c.accountID)
	t.group, g.last = g, t
	if err := c.fn(t); err != nil {
		return g.db.mapError(err)
	}
	if err := t.flushDerived(c.ctx); err != nil {
		return g.db.mapError(err)
	}
	c.search = t.search
	return nil
}

// commit commits the transaction and counts its calls; if COMMIT fails,
// every call in it fails with that error. No call is run again alone: a
// COMMIT fails for no call's fault (the schema defers no constraint to it)
// but for the database's — an I/O error, a full disk, a lost connection —
// which a retry would meet again, and after a lost connection the COMMIT
// may have landed: a retry would write every call twice. A lone Update
// answers such a failure with the error too.
func (g *commitGroup) commit() {
	if g.tx == nil {
		return
	}
	if err := g.flushSearch(); err != nil {
		// Part of every call's writes: none of them commits.
		err = g.db.mapError(fmt.Errorf("recompute search texts: %w", err))
		for _, c := range g.live {
			c.err = err
		}
		g.rollback()
		return
	}
	err := g.tx.Commit()
	if err != nil {
		// A COMMIT SQLite refuses (a deferred constraint) leaves the
		// transaction open, and database/sql would hand the connection,
		// transaction and all, to the next writer.
		g.conn.ExecContext(g.ctx, `ROLLBACK`)
		err = g.db.mapError(fmt.Errorf("commit: %w", err))
		for _, c := range g.live {
			c.err = err
		}
	} else {
		g.db.writer.commits.Add(1)
		g.db.writer.calls.Add(uint64(len(g.live)))
		g.db.checkpoints.committed()
	}
	g.end()
}

// rollback ends the transaction, which holds nothing to keep.
func (g *commitGroup) rollback() {
	if g.tx != nil {
		g.tx.Rollback()
	}
	g.end()
}

// end forgets the ended transaction and gives its connection back.
func (g *commitGroup) end() {
	if g.conn != nil {
		g.conn.Close()
	}
	g.conn, g.tx, g.live, g.accounts, g.shared, g.last, g.search = nil, nil, nil, nil, nil, nil, nil
}

// sharedKey names a reading the calls of a transaction share: Shared's key
// in one account.
type sharedKey struct {
	account int64
	key     any
}

// sharedRead is a shared reading and the binding of the call that last
// asked for it.
type sharedRead struct {
	value any
	user  *tenantTx
}

// Shared returns what make makes, made once for the calls of a shared
// transaction that ask for key one after another: each hands it to the
// next. A call that does not ask for key, or fails, drops it: it may have
// changed what make read. So a caller promises not to change, once it has
// asked, what make reads; in exchange, concurrent calls that read the same
// reference data (the intake's pipelines and inbox types) read it once per
// transaction. Outside a shared transaction it is make.
func (t *tenantTx) Shared(key any, make func() (any, error)) (any, error) {
	g := t.group
	if g == nil {
		return make()
	}
	k := sharedKey{t.accountID, key}
	if r, ok := g.shared[k]; ok {
		r.user = t
		return r.value, nil
	}
	v, err := make()
	if err != nil {
		return nil, err
	}
	g.shared[k] = &sharedRead{value: v, user: t}
	return v, nil
}

// settle keeps, after a call, only the shared readings it asked for, and
// none if it failed (see Shared).
func (g *commitGroup) settle(ok bool) {
	for k, r := range g.shared {
		if !ok || r.user != g.last {
			delete(g.shared, k)
		}
	}
}

// abort ends a broken transaction: the calls in it fail with err.
func (g *commitGroup) abort(err error) {
	err = fmt.Errorf("store: the shared write transaction failed: %w", err)
	for _, c := range g.live {
		c.err = err
	}
	g.rollback()
}

// detached runs a shared transaction's statements for one call. A
// statement whose context ends while it runs is interrupted, and an
// interrupted statement can end the whole transaction (SQLite rolls back
// an interrupted write; pgx closes the connection), every other call's
// writes with it. So a call's ended context fails its next statement at
// once, before it touches the transaction, and a statement under way runs
// to its end.
type detached struct{ tx *sql.Tx }

// detach returns ctx as it is if it has ended (database/sql then fails at
// once, without touching the transaction), else without its cancellation.
func detach(ctx context.Context) context.Context {
	if ctx.Err() != nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

func (d detached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.tx.ExecContext(detach(ctx), query, args...)
}

func (d detached) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.tx.QueryContext(detach(ctx), query, args...)
}

func (d detached) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.tx.QueryRowContext(detach(ctx), query, args...)
}

func (d detached) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return d.tx.PrepareContext(detach(ctx), query)
}
