package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"

	"github.com/crmd/crmd/internal/bench/baseline"
)

// ServeBaseline is the benchmark binary's hidden subcommand that Run starts
// as its baseline servers, each its own process as crmd is:
// "baseline read --addr A", "baseline post --addr A" or
// "baseline write --addr A --db DSN". It serves until ctx is done.
func ServeBaseline(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("baseline: read, post or write?")
	}
	kind := args[0]
	fs := flag.NewFlagSet("baseline "+kind, flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "`HOST:PORT` to listen on")
	dsn := fs.String("db", "", "database of the write baseline")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	switch Kind(kind) {
	case AgainstRead:
		return baseline.ServeRead(ctx, ln)
	case AgainstPost:
		return baseline.ServePost(ctx, ln)
	case AgainstWrite:
		return baseline.ServeWrite(ctx, ln, *dsn)
	}
	ln.Close()
	return fmt.Errorf("baseline: unknown kind %q", kind)
}
