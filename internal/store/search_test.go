package store_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestLikeOnlyThroughHelper keeps every pattern match of the store on the
// one escaping helper (search.go): a LIKE written anywhere else would bring
// back wildcards in users' keywords, and a GLOB, ILIKE or SIMILAR TO would
// match differently on the two databases.
func TestLikeOnlyThroughHelper(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// SQL is written in capitals here; a lower-case operator is caught when
	// a placeholder or a literal follows it. Comment lines are skipped.
	pattern := regexp.MustCompile(`\b(LIKE|GLOB|ILIKE|SIMILAR TO)\b|(?i)\b(like|glob|ilike)\s+[?'$]`)
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "search.go" {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if pattern.MatchString(line) {
				t.Errorf("%s:%d: a pattern match outside search.go's like(): %s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
	for _, dir := range []string{"migrations/sqlite", "migrations/postgres"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if pattern.Match(src) {
				t.Errorf("%s: a pattern match in a migration", name)
			}
		}
	}
}

// TestDealKeywordFormsAgree: the deal keyword has two SQL forms — the
// folded search text (deal/list) and the field-value search's LIKE over the
// same texts, by sets or per deal — and both must
// find the same deals for keywords holding LIKE's special characters and
// letters whose case folds outside ASCII.
func TestDealKeywordFormsAgree(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		actor, _ := searchAccount(t, db)
		svc := crm.NewService(db)
		pipelines, err := svc.DealPipelines(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		stage := pipelines[0].Stages[0]
		names := map[string]int64{}
		if err := db.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
			c := crm.Contact{Name: "Клиент"}
			if err := tx.InsertContact(ctx, &c); err != nil {
				return err
			}
			for _, name := range []string{"a_b", "axb", "100% Ёлка", "100 ёлка", `x\y`, "xy", `50%_off\x`, "50a_off", "ÄÖÜ straße"} {
				d := crm.Deal{Name: name, ClientID: c.ID, PipelineID: stage.PipelineID, StageID: stage.ID}
				if err := tx.InsertDeal(ctx, &d); err != nil {
					return err
				}
				names[name] = d.ID
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			keyword string
			want    []string
		}{
			{"_", []string{"a_b", `50%_off\x`, "50a_off"}},
			{"a_b", []string{"a_b"}},
			{"%", []string{"100% Ёлка", `50%_off\x`}},
			{`\`, []string{`x\y`, `50%_off\x`}},
			{`50%_OFF\`, []string{`50%_off\x`}},
			{"% ЁЛКА", []string{"100% Ёлка"}},
			{"ёлка", []string{"100% Ёлка", "100 ёлка"}},
			{"äöü", []string{"ÄÖÜ straße"}},
			{"_%", nil},
		} {
			var want []int64
			for _, n := range tc.want {
				want = append(want, names[n])
			}
			slices.Sort(want)
			slices.Reverse(want)
			deals, _, err := svc.Deals(ctx, actor, crm.DealQuery{Keyword: tc.keyword})
			if err != nil {
				t.Fatal(err)
			}
			var text []int64
			for _, d := range deals {
				text = append(text, d.ID)
			}
			if !slices.Equal(text, want) {
				t.Errorf("search text %q: %v, want %v", tc.keyword, text, want)
			}
			for _, narrowed := range []bool{false, true} {
				f := crm.DealFilter{Keyword: tc.keyword}
				if narrowed {
					f.StageIDs = []int64{stage.ID}
				}
				page, err := svc.FilterDeals(ctx, actor, f)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(page.AllIDs, want) {
					t.Errorf("field-value search %q (narrowed %v): %v, want %v", tc.keyword, narrowed, page.AllIDs, want)
				}
			}
		}
	})
}
