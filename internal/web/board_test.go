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

// addDeal creates a deal through the amoCRM lead write, in a stage.
func (m *member) addDeal(t testing.TB, name string, price, stageID int64, tags ...string) int64 {
	t.Helper()
	in := crm.LeadInput{Name: &name, Price: &price, Status: &crm.LeadStatusRef{StageID: stageID}}
	for _, tag := range tags {
		in.TagsToAdd = append(in.TagsToAdd, crm.TagRef{Name: tag})
	}
	out, err := m.service().AddLeads(context.Background(), m.Actor, []crm.LeadInput{in})
	if err != nil {
		t.Fatalf("add deal %q: %v", name, err)
	}
	return out[0].ID
}

// TestBoard: columns with exact counts and sums, cards, show more, the
// filters and their links, and the table with its total.
func TestBoard(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Board")
		m.signIn(t)
		stages := m.stages(t)
		for i := range 53 {
			m.addDeal(t, fmt.Sprintf("Deal %02d", i), 1000, stages[0])
		}
		vip := m.addDeal(t, "Big <b>order</b>", 250000, stages[1], "VIP")

		p := m.get(t, "/deals")
		expect(t, p, http.StatusOK, `class="board"`,
			fmt.Sprintf(`data-stage="%d"`, stages[0]), `data-count="53"`, `data-sum="53000"`, "₽53,000",
			`data-count="1"`, "₽250,000", "Big &lt;b&gt;order&lt;/b&gt;", `<span class="tag">VIP</span>`,
			"Show more (3)")
		if n := strings.Count(p.Body, `<li class="card"`); n != 51 {
			t.Errorf("%d cards, want 50 of the first column and 1", n)
		}
		// Links keep their query as a query.
		if strings.Contains(p.Body, "%26") || strings.Contains(p.Body, "%3d") {
			t.Errorf("an escaped query in a link:\n%s", p.Body)
		}
		more := fmt.Sprintf("/deals/column?offset=50&amp;pipeline=")
		if !strings.Contains(p.Body, more) {
			t.Errorf("no show-more link like %q", more)
		}

		// Show more: the next three cards, as a fragment.
		pipeline := m.pipelineID(t)
		frag := m.get(t, fmt.Sprintf("/deals/column?pipeline=%d&stage=%d&offset=50", pipeline, stages[0]))
		expect(t, frag, http.StatusOK, "Deal 02", "Deal 01", "Deal 00")
		if strings.Contains(frag.Body, "<html") || strings.Count(frag.Body, `<li class="card"`) != 3 || strings.Contains(frag.Body, "Show more") {
			t.Errorf("fragment:\n%s", frag.Body)
		}
		expect(t, m.get(t, fmt.Sprintf("/deals/column?pipeline=%d&stage=999999", pipeline)), http.StatusNotFound)

		// Filters: a tag, a keyword, a creation window, a responsible.
		tags, _, err := m.service().DictionaryTags(context.Background(), m.Actor, crm.EntityDeal, crm.TagQuery{Name: "VIP", Limit: 10})
		if err != nil || len(tags) != 1 {
			t.Fatalf("tag: %v %v", tags, err)
		}
		p = m.get(t, fmt.Sprintf("/deals?pipeline=%d&tag=%d", pipeline, tags[0].ID))
		expect(t, p, http.StatusOK, "Big &lt;b&gt;order&lt;/b&gt;")
		if strings.Contains(p.Body, "Deal 01") || !strings.Contains(p.Body, `data-count="0"`) {
			t.Errorf("tag filter shows other deals")
		}
		if strings.Contains(p.Body, "data-sum=") {
			t.Error("a filtered column shows a sum it does not have")
		}
		p = m.get(t, "/deals?q=deal+07")
		expect(t, p, http.StatusOK, "Deal 07")
		if strings.Contains(p.Body, "Deal 08") {
			t.Error("keyword filter shows other deals")
		}
		today := m.today()
		expect(t, m.get(t, "/deals?from="+today+"&to="+today), http.StatusOK, `data-count="53"`)
		expect(t, m.get(t, "/deals?to=2000-01-01"), http.StatusOK, `data-count="0"`)
		p = m.get(t, fmt.Sprintf("/deals?responsible=%d", m.UserID))
		expect(t, p, http.StatusOK)
		for _, bad := range []string{"/deals?pipeline=x", "/deals?from=yesterday", "/deals?responsible=bob", "/deals?tag=-1", "/deals?view=table&offset=-5"} {
			expect(t, m.get(t, bad), http.StatusUnprocessableEntity, "has a value that is not understood")
		}
		expect(t, m.get(t, "/deals?pipeline=999999"), http.StatusNotFound, "No such pipeline.")

		// The table: every pipeline, 50 a page, the total and the sum.
		p = m.get(t, fmt.Sprintf("/deals?view=table&pipeline=%d", pipeline))
		expect(t, p, http.StatusOK, `<table class="list">`, "Total: 54 deals, ₽303,000", "1–50 of 54")
		if !strings.Contains(p.Body, "offset=50") {
			t.Error("no next page link")
		}
		p = m.get(t, "/deals?view=table&pipeline=all&offset=50")
		expect(t, p, http.StatusOK, "Total: 54 deals", "51–54 of 54", "Previous")
		_ = vip

		// Money is in the account's currency, written the language's way.
		if err := m.service().SetAccountCurrency(context.Background(), m.Actor, "EUR"); err != nil {
			t.Fatal(err)
		}
		expect(t, m.get(t, "/deals"), http.StatusOK, "€53,000", "€250,000")
		expect(t, m.do(t, http.MethodGet, "/deals", nil, "Accept-Language", "ru-RU"), http.StatusOK,
			"53\u00a0000\u00a0€", "Сделки")
	})
}

// TestMoveDeal: the move select (a form) and a drop (the script's fetch)
// change the stage for every API; refusals are clear.
func TestMoveDeal(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Move")
		m.signIn(t)
		stages := m.stages(t)
		id := m.addDeal(t, "Mover", 700, stages[0])

		p := m.post(t, fmt.Sprintf("/deals/%d/stage", id), url.Values{"stage_id": {itoa(stages[1])}, "back": {"/deals?view=table"}})
		if p.Status != http.StatusSeeOther || p.Location != "/deals?view=table" {
			t.Fatalf("move: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		if got := m.amocrmStatus(t, id); got != stages[1] {
			t.Errorf("amoCRM sees stage %d", got)
		}
		p = m.post(t, fmt.Sprintf("/deals/%d/stage", id), url.Values{"stage_id": {itoa(stages[2])}}, "X-Requested-With", "fetch")
		expect(t, p, http.StatusOK, `"stage_id":`+itoa(stages[2]), `"message":"Deal “Mover” moved to`)
		if got := m.envyboxStage(t, id); got != stages[2] {
			t.Errorf("Envybox sees stage %d", got)
		}
		// The counts follow.
		expect(t, m.get(t, "/deals"), http.StatusOK, `data-count="1"`, `data-sum="700"`, "₽700")

		// Refusals: a stage of no pipeline of the deal, a deal of nobody,
		// junk, and for the script a JSON error.
		expect(t, m.post(t, fmt.Sprintf("/deals/%d/stage", id), url.Values{"stage_id": {"999999"}}), http.StatusUnprocessableEntity,
			"No such stage in the deal&#39;s pipeline.")
		p = m.post(t, fmt.Sprintf("/deals/%d/stage", id), url.Values{"stage_id": {"999999"}}, "X-Requested-With", "fetch")
		expect(t, p, http.StatusUnprocessableEntity, `{"error":"No such stage in the deal's pipeline."}`)
		expect(t, m.post(t, "/deals/999999/stage", url.Values{"stage_id": {itoa(stages[0])}}), http.StatusNotFound, "No such deal.")
		expect(t, m.post(t, fmt.Sprintf("/deals/%d/stage", id), url.Values{"stage_id": {"x"}}), http.StatusUnprocessableEntity)

		// A member moves it too, and the timeline says who.
		mike := m.newUser(t, crm.RoleMember, "Mike")
		mike.signIn(t)
		p = mike.post(t, fmt.Sprintf("/deals/%d/stage", id), url.Values{"stage_id": {itoa(stages[0])}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("a member's move: HTTP %d %s", p.Status, p.Body)
		}
		card := m.get(t, fmt.Sprintf("/deals/%d", id))
		expect(t, card, http.StatusOK, "Stage changed")
		if !strings.Contains(card.Body, "· Mike") {
			t.Errorf("the member's move is not signed by him:\n%s", card.Body)
		}
		if got := m.envyboxStage(t, id); got != stages[0] {
			t.Errorf("after the member's move Envybox sees %d", got)
		}

		// Another account's user cannot move it.
		other := newAccount(t, env, "Other")
		other.signIn(t)
		expect(t, other.post(t, fmt.Sprintf("/deals/%d/stage", id), url.Values{"stage_id": {itoa(stages[1])}}), http.StatusNotFound)
		if got := m.envyboxStage(t, id); got != stages[0] {
			t.Errorf("another account moved the deal to %d", got)
		}
	})
}

// pipelineID is the account's main deal pipeline.
func (m *member) pipelineID(t testing.TB) int64 {
	t.Helper()
	list, err := m.service().DealPipelines(context.Background(), m.Actor)
	if err != nil || len(list) == 0 {
		t.Fatalf("pipelines: %v", err)
	}
	for _, p := range list {
		if p.Primary {
			return p.ID
		}
	}
	return list[0].ID
}

// today is the account's current day, YYYY-MM-DD.
func (m *member) today() string {
	loc := m.Actor.Location()
	return m.env.Server.DB.Now().In(loc).Format("2006-01-02")
}
