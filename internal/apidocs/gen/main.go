// Command gen writes crmd's API documents (internal/apidocs/docgen) into the
// current directory; go generate ./internal/apidocs runs it there.
package main

import (
	"fmt"
	"os"

	"github.com/crmd/crmd/internal/apidocs/docgen"
)

func main() {
	docs, err := docgen.Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for _, name := range docgen.Files {
		if err := os.WriteFile(name, docs[name], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
