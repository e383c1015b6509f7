package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/crmd/crmd/internal/store"
)

// seededDatabase is what --reuse keeps beside a seeded database: where it
// is and the dataset the scenarios draw their requests from, which cannot
// be read back from the rows cheaply.
type seededDatabase struct {
	Backend string   `json:"backend"`
	DSN     string   `json:"dsn"`
	Dataset *Dataset `json:"dataset"`
}

// datasetPath names the file one scale and backend keep in Dir, so that a
// SQLite million and a PostgreSQL 100,000 can sit side by side.
func datasetPath(c Config) string {
	// A DSN ParseDSN refuses fails in freshDatabase, with its reason.
	backend, _, _ := store.ParseDSN(c.DB)
	return filepath.Join(c.Dir, fmt.Sprintf("dataset-%s-%d.json", backend, c.Deals))
}

// loadSeeded reads path; no file, or a SQLite database that is gone, is
// no error but nothing to reuse (nil), and the run seeds afresh.
func loadSeeded(path string) (*seededDatabase, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s seededDatabase
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w (delete it to seed afresh)", path, err)
	}
	if s.Dataset == nil || s.DSN == "" {
		return nil, fmt.Errorf("%s names no database (delete it to seed afresh)", path)
	}
	if s.Backend == "sqlite" {
		if _, err := os.Stat(s.DSN); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
	}
	return &s, nil
}

// saveSeeded writes s to path through a temporary file, so that a run
// stopped halfway never leaves a dataset naming a half-seeded database.
func saveSeeded(path string, s *seededDatabase) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
