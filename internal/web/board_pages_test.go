package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

var (
	cardIDs = regexp.MustCompile(`<li class="card"[^>]* data-id="(\d+)"`)
	rowIDs  = regexp.MustCompile(`<td [^>]*><a href="/deals/(\d+)">`)
)

// ids are the deal ids re finds in a page, in its order.
func ids(re *regexp.Regexp, body string) []int64 {
	var out []int64
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, id)
	}
	return out
}

// TestBoardPages: a column shows its stage's newest 50 deals and its full
// count, and "show more" walks the rest 50 at a time to the end, with and
// without a filter alike; the table pages through the pipeline with its
// total. Unfiltered, the board reads only the cards it shows (DealPage)
// and the kept totals; filtered, it searches: both must show the same.
func TestBoardPages(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Board")
		svc := m.service()
		pipelines, err := svc.DealPipelines(ctx, m.Actor)
		if err != nil {
			t.Fatal(err)
		}
		p := pipelines[0]
		first, second := p.Stages[0], p.Stages[1]
		var in []crm.LeadInput
		for i := range 123 {
			name, price := fmt.Sprintf("Сделка %d", i), int64(1000)
			in = append(in, crm.LeadInput{Name: &name, Price: &price})
			if i%41 == 0 {
				in[i].Status = &crm.LeadStatusRef{StageID: second.ID}
			}
		}
		leads, err := svc.AddLeads(ctx, m.Actor, in)
		if err != nil {
			t.Fatal(err)
		}
		var newest, all []int64 // of the first stage, of the pipeline
		for _, l := range leads {
			all = append(all, l.ID)
			if l.StageID == first.ID {
				newest = append(newest, l.ID)
			}
		}
		slices.Reverse(newest)
		slices.Reverse(all)
		if len(newest) != 120 {
			t.Fatalf("%d deals on the first stage, want 120", len(newest))
		}
		m.signIn(t)

		pipeline := strconv.FormatInt(p.ID, 10)
		for _, filter := range []string{"", "&responsible=" + itoa(m.UserID)} {
			board := m.get(t, "/deals?pipeline="+pipeline+filter)
			expect(t, board, http.StatusOK, `data-count="120"`, `data-count="3"`, "Show more (70)")
			got := ids(cardIDs, board.Body)
			if len(got) != 53 || !slices.Equal(got[:50], newest[:50]) {
				t.Errorf("board%s: cards %v, want the first stage's newest 50 then the second's 3", filter, got)
			}
			// "Show more" to the end of the column.
			for offset := 50; offset < 120; offset += 50 {
				more := m.get(t, "/deals/column?pipeline="+pipeline+"&stage="+itoa(first.ID)+"&offset="+strconv.Itoa(offset)+filter)
				expect(t, more, http.StatusOK)
				end := min(offset+50, 120)
				if got := ids(cardIDs, more.Body); !slices.Equal(got, newest[offset:end]) {
					t.Errorf("column%s at %d: cards %v, want %v", filter, offset, got, newest[offset:end])
				}
				next := fmt.Sprintf("offset=%d", end)
				if end < 120 {
					expect(t, more, http.StatusOK, fmt.Sprintf("Show more (%d)", 120-end), next)
				} else if regexp.MustCompile(`data-more`).MatchString(more.Body) {
					t.Errorf("column%s at %d: a \"show more\" past the end:\n%s", filter, offset, more.Body)
				}
			}
		}

		// The table: the pipeline's total and sum, 50 rows a page.
		table := m.get(t, "/deals?view=table&pipeline="+pipeline)
		expect(t, table, http.StatusOK, "Total: 123 deals", "1–50 of 123", "Next")
		if got := ids(rowIDs, table.Body); !slices.Equal(got, all[:50]) {
			t.Errorf("table: rows %v, want %v", got, all[:50])
		}
		last := m.get(t, "/deals?view=table&pipeline="+pipeline+"&offset=100")
		expect(t, last, http.StatusOK, "101–123 of 123")
		if got := ids(rowIDs, last.Body); !slices.Equal(got, all[100:]) {
			t.Errorf("the table's last page: rows %v, want %v", got, all[100:])
		}
		filtered := m.get(t, "/deals?view=table&pipeline="+pipeline+"&offset=100&responsible="+itoa(m.UserID))
		expect(t, filtered, http.StatusOK, "101–123 of 123")
		if got := ids(rowIDs, filtered.Body); !slices.Equal(got, all[100:]) {
			t.Errorf("the filtered table's last page: rows %v, want %v", got, all[100:])
		}
	})
}
