package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
)

// SQLite statements are compiled by the library itself, on the CPU that
// serves the request: profiling a read by id showed half of crmd's time in
// SQLite's parser, because database/sql hands the driver the SQL text of
// every call and the driver compiles and finalizes it each time. (pgx keeps
// its own per-connection statement cache, so PostgreSQL needs none of this.)
//
// cachingConnector wraps the driver's connections so that each keeps its
// compiled statements by SQL text. A connection is used by one goroutine at
// a time, but one statement can be asked for again while its rows are still
// open (a query inside a loop over another query's rows), so a statement
// lent out is marked busy and a second request for it gets a fresh one.

// stmtCacheSize bounds the statements kept per connection: crmd's queries
// are a few hundred texts, but lists with IN (?, ?, …) of every length
// would otherwise grow it without end.
const stmtCacheSize = 512

type cachingConnector struct {
	dsn string
	drv driver.Driver
}

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	prep, ok := conn.(driver.ConnPrepareContext)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlite driver cannot prepare with a context")
	}
	return &cachingConn{Conn: conn, prep: prep, stmts: map[string]*cachedStmt{}}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.drv }

// cachingConn deliberately does not implement driver.QueryerContext or
// driver.ExecerContext: without them database/sql prepares every call, and
// preparing is where the cache answers.
type cachingConn struct {
	driver.Conn
	prep  driver.ConnPrepareContext
	mu    sync.Mutex // database/sql may close a statement from another goroutine
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	driver.Stmt
	busy bool
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.mu.Lock()
	if s, ok := c.stmts[query]; ok && !s.busy {
		s.busy = true
		c.mu.Unlock()
		return &lentStmt{s: s, conn: c}, nil
	}
	c.mu.Unlock()
	ds, err := c.prep.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.stmts[query]; taken || len(c.stmts) >= stmtCacheSize {
		return ds, nil // not cached: database/sql closes it after use
	}
	s := &cachedStmt{Stmt: ds, busy: true}
	c.stmts[query] = s
	return &lentStmt{s: s, conn: c}, nil
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the fallback database/sql itself uses
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Close finalizes the kept statements before the connection: SQLite will
// not close a connection with statements still open.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	var errs []error
	for q, s := range c.stmts {
		errs = append(errs, s.Stmt.Close())
		delete(c.stmts, q)
	}
	c.mu.Unlock()
	return errors.Join(append(errs, c.Conn.Close())...)
}

// lentStmt is a kept statement in use; closing it gives it back.
type lentStmt struct {
	s    *cachedStmt
	conn *cachingConn
	once sync.Once
}

func (l *lentStmt) Close() error {
	l.once.Do(func() {
		l.conn.mu.Lock()
		l.s.busy = false
		l.conn.mu.Unlock()
	})
	return nil
}

func (l *lentStmt) NumInput() int { return l.s.NumInput() }

func (l *lentStmt) Exec(args []driver.Value) (driver.Result, error) {
	return l.s.Exec(args) //nolint:staticcheck // database/sql only calls it when ExecContext is missing
}

func (l *lentStmt) Query(args []driver.Value) (driver.Rows, error) {
	return l.s.Query(args) //nolint:staticcheck // as Exec
}

func (l *lentStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := l.s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	return nil, errors.New("sqlite statement cannot execute with a context")
}

func (l *lentStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := l.s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	return nil, errors.New("sqlite statement cannot query with a context")
}

// openCachingSQLite opens a pool over the registered sqlite driver whose
// connections keep their statements.
func openCachingSQLite(dsn string) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	return sql.OpenDB(cachingConnector{dsn: dsn, drv: drv}), nil
}
