package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// fetchHeaders make a request look like the table's script: JSON answers.
var fetchHeaders = []string{"X-Requested-With", "fetch", "Accept", "application/json"}

// bulk posts one bulk action on the deals ids from the table of pipeline.
func (m *member) bulk(t *testing.T, pipeline int64, action string, extra url.Values, ids ...int64) page {
	t.Helper()
	filter := "pipeline=all&view=table"
	if pipeline != 0 {
		filter = fmt.Sprintf("pipeline=%d&view=table", pipeline)
	}
	form := url.Values{"action": {action}, "filter": {filter}}
	for k, vs := range extra {
		form[k] = vs
	}
	for _, id := range ids {
		form.Add("id", itoa(id))
	}
	return m.post(t, "/deals/bulk", form, fetchHeaders...)
}

// deal reads a deal as the domain has it.
func (m *member) deal(t *testing.T, id int64) crm.Deal {
	t.Helper()
	fam, err := m.service().Deal(context.Background(), m.Actor, id, false)
	if err != nil {
		t.Fatalf("deal %d: %v", id, err)
	}
	return fam.Deal
}

// historyCount counts the history entries of a type per deal.
func (m *member) historyCount(t *testing.T, typeID int, ids ...int64) map[int64]int {
	t.Helper()
	list, err := m.service().History(context.Background(), m.Actor, crm.HistoryQuery{
		EntityTypes: []crm.EntityType{crm.EntityDeal}, EntityIDs: ids, TypeIDs: []int64{int64(typeID)}, Limit: 250})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int{}
	for _, e := range list {
		out[e.EntityID]++
	}
	return out
}

func hasTag(d crm.Deal, name string) bool {
	for _, t := range d.Tags {
		if t.Name == name {
			return true
		}
	}
	return false
}

// TestBulkDeals: each bulk action changes exactly the deals selected (by
// id or by the filter), writes each deal's history entry as a change one
// by one does, refuses what crm refuses with nothing changed (a locked
// pipeline, a stage of another pipeline, more than the cap), and the table
// shows the selection's controls.
func TestBulkDeals(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Bulk")
		m.signIn(t)
		mem := m.newUser(t, crm.RoleMember, "Mia")
		mem.signIn(t)
		pipeline := m.pipelineID(t)
		stages := m.stages(t)
		var d []int64
		for i := range 6 {
			var tags []string
			if i < 3 {
				tags = []string{"hot"}
			}
			d = append(d, m.addDeal(t, fmt.Sprintf("Deal %d", i), int64(100*(i+1)), stages[0], tags...))
		}

		// The table: a checkbox per row and the action bar.
		p := m.get(t, fmt.Sprintf("/deals?pipeline=%d&view=table", pipeline))
		expect(t, p, http.StatusOK, `<form method="post" action="/deals/bulk"`, fmt.Sprintf(`name="id" value="%d"`, d[0]),
			`data-bulk-page`, `value="stage"`, `value="won"`, `value="lost"`, `value="tag_add"`, `value="tag_remove"`,
			`/static/bulk.js`)

		// Set stage: exactly the three ticked, one stage entry each.
		p = m.bulk(t, pipeline, "stage", url.Values{"stage": {itoa(stages[1])}}, d[0], d[1], d[2])
		expect(t, p, http.StatusOK, `"count":3`, "Deals changed: 3.")
		for i, id := range d {
			want := stages[0]
			if i < 3 {
				want = stages[1]
			}
			if got := m.deal(t, id).StageID; got != want {
				t.Errorf("deal %d in stage %d, want %d", i, got, want)
			}
		}
		if got := m.historyCount(t, crm.LogDealStage, d...); len(got) != 3 || got[d[0]] != 1 || got[d[1]] != 1 || got[d[2]] != 1 {
			t.Errorf("stage entries %v: want one for each moved deal and none for the others", got)
		}

		// A member sets the responsible, as they may one by one.
		p = mem.bulk(t, pipeline, "responsible", url.Values{"responsible": {itoa(mem.UserID)}}, d[3], d[4])
		expect(t, p, http.StatusOK, `"count":2`)
		for i, id := range d {
			got := m.deal(t, id).ResponsibleUser()
			if (i == 3 || i == 4) != (got == mem.UserID) {
				t.Errorf("deal %d: responsible %d", i, got)
			}
		}
		if got := m.historyCount(t, crm.LogDealUpdated, d...); len(got) != 2 || got[d[3]] != 1 || got[d[4]] != 1 {
			t.Errorf("field-change entries %v, want one for deals 3 and 4", got)
		}

		// Won for every deal the filter matches (the tag "hot"), not only
		// the page's: the selection is the filter.
		tags, _, err := m.service().DictionaryTags(ctx, m.Actor, crm.EntityDeal, crm.TagQuery{Name: "hot", Limit: 10})
		if err != nil || len(tags) != 1 {
			t.Fatalf("tag hot: %v %v", tags, err)
		}
		p = mem.post(t, "/deals/bulk", url.Values{"action": {"won"}, "all": {"1"},
			"filter": {fmt.Sprintf("pipeline=%d&view=table&tag=%d", pipeline, tags[0].ID)}}, fetchHeaders...)
		expect(t, p, http.StatusOK, `"count":3`)
		for i, id := range d {
			won := m.deal(t, id).Stage.Status == crm.StageWon
			if won != (i < 3) {
				t.Errorf("deal %d won=%v", i, won)
			}
		}

		// Tags: added to three, "hot" taken off all six (three had it).
		expect(t, m.bulk(t, pipeline, "tag_add", url.Values{"tag": {"batch"}}, d[3], d[4], d[5]), http.StatusOK, `"count":3`)
		expect(t, m.bulk(t, pipeline, "tag_remove", url.Values{"tag": {"hot"}}, d...), http.StatusOK, `"count":6`)
		for i, id := range d {
			x := m.deal(t, id)
			if hasTag(x, "hot") || hasTag(x, "batch") != (i >= 3) {
				t.Errorf("deal %d tags %v", i, x.Tags)
			}
		}
		if got := m.historyCount(t, crm.LogDealTagsDeleted, d...); len(got) != 3 || got[d[0]] != 1 {
			t.Errorf("tags-deleted entries %v, want one for each of deals 0–2", got)
		}
		if got := m.historyCount(t, crm.LogDealTagsAdded, d[3], d[4], d[5]); len(got) != 3 {
			t.Errorf("tags-added entries %v, want one for each of deals 3–5", got)
		}

		// A pipeline that forbids moving stages by hand: the member is
		// refused in bulk what they are refused one by one, and nothing
		// of the batch is written — not even deal 5, which alone would move.
		locked, err := m.service().CreatePipeline(ctx, m.Actor, crm.NewPipeline{Name: "Locked",
			Stages: []crm.NewStage{{Name: "One"}, {Name: "Two"}}})
		if err != nil {
			t.Fatal(err)
		}
		name, lockedID := "Locked deal", locked.ID
		added, err := m.service().AddLeads(ctx, m.Actor, []crm.LeadInput{{Name: &name, PipelineID: &lockedID,
			Status: &crm.LeadStatusRef{StageID: locked.Stages[0].ID}}})
		if err != nil {
			t.Fatal(err)
		}
		l1 := added[0].ID
		one := mem.post(t, fmt.Sprintf("/deals/%d/stage", l1), url.Values{"stage_id": {itoa(locked.Stages[1].ID)}}, fetchHeaders...)
		expect(t, one, http.StatusForbidden)
		before := m.historyCount(t, crm.LogDealStage, d[5], l1)
		p = mem.bulk(t, 0, "lost", nil, d[5], l1)
		expect(t, p, http.StatusForbidden, "Nothing was changed", "Locked deal")
		if m.deal(t, d[5]).StageID != stages[0] || m.deal(t, l1).StageID != locked.Stages[0].ID {
			t.Error("a refused batch moved a deal")
		}
		if after := m.historyCount(t, crm.LogDealStage, d[5], l1); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("stage entries %v after a refused batch, were %v", after, before)
		}

		// A stage of another pipeline: refused for the deal not in it.
		p = m.bulk(t, pipeline, "stage", url.Values{"stage": {itoa(stages[2])}}, d[5], l1)
		expect(t, p, http.StatusUnprocessableEntity, "Nothing was changed", "Locked deal")
		if m.deal(t, d[5]).StageID != stages[0] {
			t.Error("a refused batch moved deal 5")
		}

		// Over the cap by ids: refused before anything is read or written
		// (the filter's cap is tested in crm, which can lower it).
		ids := []int64{d[5]}
		for i := range crm.MaxBulkDeals {
			ids = append(ids, int64(1_000_000+i))
		}
		if _, err := m.service().BulkUpdateDeals(ctx, m.Actor, crm.DealSelection{IDs: ids}, crm.DealBulkChange{Status: crm.StageWon}); crm.CodeOf(err) != crm.CodeBulkTooMany {
			t.Errorf("over cap: %v", err)
		}
		if m.deal(t, d[5]).StageID != stages[0] {
			t.Error("an over-cap batch moved deal 5")
		}

		// Bad input: a clear error, never a 500.
		expect(t, m.bulk(t, pipeline, "won", nil), http.StatusUnprocessableEntity, "Select at least one deal.")
		expect(t, m.bulk(t, pipeline, "stage", nil, d[5]), http.StatusUnprocessableEntity, "Choose a stage.")
		expect(t, m.bulk(t, pipeline, "explode", nil, d[5]), http.StatusUnprocessableEntity, "not understood")
		expect(t, m.bulk(t, pipeline, "tag_remove", url.Values{"tag": {"nope"}}, d[5]), http.StatusUnprocessableEntity, "No tag is called")
		expect(t, m.bulk(t, pipeline, "won", nil, 987654321), http.StatusNotFound, "Nothing was changed")

		// Without the script: a form post answered with a redirect back to
		// the table, in Russian errors too.
		p = m.post(t, "/deals/bulk", url.Values{"action": {"lost"}, "id": {itoa(d[5])},
			"filter": {fmt.Sprintf("pipeline=%d&view=table&offset=50", pipeline)}})
		if p.Status != http.StatusSeeOther || p.Location != fmt.Sprintf("/deals?pipeline=%d&view=table", pipeline) {
			t.Errorf("form post: HTTP %d to %q", p.Status, p.Location)
		}
		if m.deal(t, d[5]).Stage.Status != crm.StageLost {
			t.Error("the form post did not mark deal 5 lost")
		}
		p = m.post(t, "/deals/bulk", url.Values{"action": {"won"}, "filter": {""}}, "Accept-Language", "ru")
		if !strings.Contains(p.Body, "Выберите хотя бы одну сделку.") {
			t.Errorf("no Russian error: HTTP %d", p.Status)
		}
	})
}

// stageName is the name of a stage of the account's deal pipelines.
func (m *member) stageName(t *testing.T, id int64) string {
	t.Helper()
	list, err := m.service().DealPipelines(context.Background(), m.Actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if s, ok := p.StageByID(id); ok {
			return s.Name
		}
	}
	t.Fatalf("no stage %d", id)
	return ""
}
