package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// cardOrder is the order of a column's cards on the board page.
func cardOrder(t *testing.T, body string, stage int64) []string {
	t.Helper()
	re := regexp.MustCompile(fmt.Sprintf(`<li class="card" tabindex="0" data-id="(\d+)" data-price="\d+" data-stage="%d"`, stage))
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestPlaceDealWeb: a card placed between two others, or into another
// column, shows there on the board for everyone; a member may place
// cards; a locked pipeline and bad input are refused with clear errors.
func TestPlaceDealWeb(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Order")
		m.signIn(t)
		mem := m.newUser(t, crm.RoleMember, "Mia")
		mem.signIn(t)
		stages := m.stages(t)
		var d []string
		for i := range 4 {
			d = append(d, itoa(m.addDeal(t, fmt.Sprintf("Card %d", i), 100, stages[0])))
		}
		board := func(who *member) string { return who.get(t, "/deals").Body }
		if got := cardOrder(t, board(m), stages[0]); !slices.Equal(got, []string{d[3], d[2], d[1], d[0]}) {
			t.Fatalf("unplaced column %v", got)
		}
		// The member drops card 0 between 3 and 2.
		p := mem.post(t, "/deals/"+d[0]+"/place", url.Values{"stage_id": {itoa(stages[0])}, "above": {d[3]}, "below": {d[2]}}, fetchHeaders...)
		expect(t, p, http.StatusOK, `"message":"Deal “Card 0” placed in`)
		want := []string{d[3], d[0], d[2], d[1]}
		if got := cardOrder(t, board(m), stages[0]); !slices.Equal(got, want) {
			t.Errorf("after the drop the administrator sees %v, want %v", got, want)
		}
		// Card 1 into the next column, below nothing: its top; the stage
		// moved with the card.
		expect(t, m.post(t, "/deals/"+d[1]+"/place", url.Values{"stage_id": {itoa(stages[1])}}, fetchHeaders...), http.StatusOK)
		body := board(mem)
		if got := cardOrder(t, body, stages[1]); !slices.Equal(got, []string{d[1]}) {
			t.Errorf("next column %v", got)
		}
		if got := cardOrder(t, body, stages[0]); !slices.Equal(got, []string{d[3], d[0], d[2]}) {
			t.Errorf("first column after the move %v", got)
		}
		// Without the script: a redirect back.
		p = m.post(t, "/deals/"+d[2]+"/place", url.Values{"below": {d[3]}, "back": {"/deals"}})
		if p.Status != http.StatusSeeOther || p.Location != "/deals" {
			t.Errorf("form place: HTTP %d to %q", p.Status, p.Location)
		}
		if got := cardOrder(t, board(m), stages[0]); !slices.Equal(got, []string{d[2], d[3], d[0]}) {
			t.Errorf("after placing card 2 above 3: %v", got)
		}
		// Bad input and refusals.
		expect(t, m.post(t, "/deals/"+d[2]+"/place", url.Values{"above": {"x"}}, fetchHeaders...), http.StatusUnprocessableEntity, "above")
		expect(t, m.post(t, "/deals/999999/place", url.Values{}, fetchHeaders...), http.StatusNotFound)
		expect(t, m.post(t, "/deals/"+d[2]+"/place", url.Values{"stage_id": {"999999"}}, fetchHeaders...), http.StatusUnprocessableEntity, "No such stage")
		locked, err := m.service().CreatePipeline(t.Context(), m.Actor, crm.NewPipeline{Name: "Locked",
			Stages: []crm.NewStage{{Name: "One"}, {Name: "Two"}}})
		if err != nil {
			t.Fatal(err)
		}
		name, lockedID := "Locked card", locked.ID
		added, err := m.service().AddLeads(t.Context(), m.Actor, []crm.LeadInput{{Name: &name, PipelineID: &lockedID,
			Status: &crm.LeadStatusRef{StageID: locked.Stages[0].ID}}})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, mem.post(t, fmt.Sprintf("/deals/%d/place", added[0].ID), url.Values{"stage_id": {itoa(locked.Stages[1].ID)}}, fetchHeaders...),
			http.StatusForbidden, "does not allow changing stages")
		// Within its column a locked pipeline's card may still be ordered.
		expect(t, mem.post(t, fmt.Sprintf("/deals/%d/place", added[0].ID), url.Values{"stage_id": {itoa(locked.Stages[0].ID)}}, fetchHeaders...),
			http.StatusOK)
	})
}
