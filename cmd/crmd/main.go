// Command crmd is a self-hosted CRM server; see internal/cli for its commands.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/crmd/crmd/internal/cli"
)

func main() {
	err := cli.NewMain().Run(context.Background(), os.Args[1:])
	switch {
	case err == nil:
	case cli.IsUsage(err):
		fmt.Fprintln(os.Stderr, "crmd:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "crmd:", err)
		os.Exit(1)
	}
}
