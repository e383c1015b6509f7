package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// SQLite's checkpoints, off the write connection.
//
// In WAL mode every commit appends the pages it changed to the -wal file,
// and a checkpoint copies them back into the database file. By default the
// connection that commits runs one whenever the WAL holds 1,000 pages or
// more (wal_autocheckpoint), inside its COMMIT: on SQLite's one write
// connection, which every write waits for. Under crmdbench's stage changes
// (16 clients, 100,000 deals) those checkpoints were 26 % of the write
// connection's CPU (1.42 s of 5.39 s in a 12 s profile; 22 % for amoCRM's
// PATCH status), the writer reading and writing pages one system call each
// while the queued writes waited.
//
// So a goroutine of its own, on a connection of its own, runs the
// checkpoints instead: each write transaction's commit nudges it, and it
// runs a PASSIVE checkpoint at most once per checkpointEvery, the writer
// meanwhile going on appending to the WAL (WAL mode lets a checkpoint and a
// writer run at once; a PASSIVE checkpoint never waits for readers or the
// writer, it copies what it can). What it copies is what the writer's own
// checkpoint would have copied: the data, its durability (synchronous =
// NORMAL syncs at the checkpoint, as before) and what readers see are
// unchanged. The write connection keeps an automatic checkpoint as a
// backstop, at checkpointBackstop pages, for a checkpointer that falls
// behind (a starved goroutine, or long-running readers that keep a
// checkpoint from finishing, as they would the writer's own).
const (
	checkpointEvery    = 200 * time.Millisecond
	checkpointBackstop = 10_000
)

// checkpointer runs SQLite's checkpoints on conn (see above).
type checkpointer struct {
	conn *sql.DB
	// nudge holds one pending request: a commit that finds it full has
	// been noticed already.
	nudge chan struct{}
	stop  chan struct{}
	done  sync.WaitGroup
	// stopping makes close safe to call again, as DB.Close is.
	stopping sync.Once
	// runs counts the checkpoints run (tests).
	mu   sync.Mutex
	runs int
}

// startCheckpointer starts the checkpointing goroutine on its own
// connection pool conn (one connection), which it closes when stopped.
func startCheckpointer(conn *sql.DB) *checkpointer {
	c := &checkpointer{conn: conn, nudge: make(chan struct{}, 1), stop: make(chan struct{})}
	c.done.Add(1)
	go c.loop()
	return c
}

// committed tells the checkpointer that a write transaction committed;
// it never blocks. Nil (PostgreSQL, or a store without one) ignores it.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.nudge <- struct{}{}:
	default:
	}
}

// loop runs a checkpoint after each nudge, no sooner than checkpointEvery
// after the previous one, until close.
func (c *checkpointer) loop() {
	defer c.done.Done()
	var last time.Time
	for {
		select {
		case <-c.stop:
			return
		case <-c.nudge:
		}
		if wait := checkpointEvery - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-c.stop:
				t.Stop()
				return
			case <-t.C:
			}
		}
		last = time.Now()
		// A failed checkpoint (SQLITE_BUSY while another one runs, a
		// read error) copies nothing and loses nothing: the pages stay
		// in the WAL for the next one, or the writer's backstop.
		var busy, log, copied int
		c.conn.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &copied)
		c.mu.Lock()
		c.runs++
		c.mu.Unlock()
	}
}

// count returns the checkpoints run so far.
func (c *checkpointer) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs
}

// close stops the goroutine and closes its connection; closing again does
// nothing.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.stopping.Do(func() { close(c.stop) })
	c.done.Wait()
	return c.conn.Close()
}

// backgroundCheckpoints is whether SQLite stores opened from now on
// checkpoint off the write connection; tests turn it off to compare with
// the writer checkpointing itself.
var backgroundCheckpoints = true
