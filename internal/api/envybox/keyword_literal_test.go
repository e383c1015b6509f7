package envybox_test

import (
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestKeywordLiteral checks that "%", "_" and "\" in a keyword are plain
// characters in every keyword search — deal/list (the folded search text,
// and its LIKE path for a keyword holding a newline), deal/list with a
// filter (both of its forms), client/list and lead/list — the same on both
// databases. They used to be LIKE wildcards ("%" dropped, "_" any
// character) and "\" an escape on PostgreSQL only.
func TestKeywordLiteral(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		client := a.plainClient(t, "Client")
		underscore := a.deal(t, client, "a_b")
		a.deal(t, client, "axb")
		percent := a.deal(t, client, "100% sure")
		a.deal(t, client, "100 sure")
		backslash := a.deal(t, client, `x\y`)
		a.deal(t, client, "xy")
		all := a.deal(t, client, `50%_off\x`)
		decoy := a.deal(t, client, "50a_off")

		newStage := a.stages[crm.StageNew].ID
		for _, tc := range []struct {
			keyword string
			want    []int64
		}{
			{"_", []int64{decoy, all, underscore}},
			{"a_b", []int64{underscore}},
			{"%", []int64{all, percent}},
			{"0% s", []int64{percent}},
			{`\`, []int64{backslash, all}},
			{`x\y`, []int64{backslash}},
			{`50%_OFF\`, []int64{all}},
			{"%%", nil},
			{"__", nil},
		} {
			want := newestFirst(tc.want...)
			dealIDs(t, "deal/list "+tc.keyword, a.ok(t, "deal/list/", fmt.Sprintf(`{"keyword": %q}`, tc.keyword)), want...)
			searchIDs(t, "filter "+tc.keyword, a.search(t, `{}`, fmt.Sprintf(`"keyword": %q`, tc.keyword)), want...)
			searchIDs(t, "filter narrowed "+tc.keyword, a.search(t, fmt.Sprintf(`{"dealStages": [%d]}`, newStage),
				fmt.Sprintf(`"keyword": %q`, tc.keyword)), want...)
		}
		// A keyword holding a newline skips the folded text for LIKE
		// (keywordMatch), which must be as literal.
		multiline := a.deal(t, client, "p_q\nr")
		a.deal(t, client, "pXq\nr")
		dealIDs(t, "newline", a.ok(t, "deal/list/", `{"keyword": "p_q\nr"}`), multiline)

		// client/list: the client's name, and its deals' names.
		named := a.createClient(t, `{"name": "ivan_petrov"}`)
		a.createClient(t, `{"name": "ivanXpetrov"}`)
		for _, tc := range []struct {
			keyword string
			want    []string
		}{
			{"n_p", ids(named)},
			{"_", ids(named, client)}, // client by its deals a_b, 50%_off\x
			{"%", ids(client)},
		} {
			a.ok(t, "client/list/", fmt.Sprintf(`{"keyword": %q}`, tc.keyword)).Equal("result.*.id", tc.want)
		}

		// lead/list.
		lead, err := env.Server.Service.CreateInbound(t.Context(), a.actor, crm.NewInbound{Values: map[string]string{"name": "lead_one", "phone": "74950000001"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Server.Service.CreateInbound(t.Context(), a.actor, crm.NewInbound{Values: map[string]string{"name": "leadXone", "phone": "74950000002"}}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			keyword string
			want    []string
		}{
			{"d_o", ids(lead.ID)},
			{"%", nil},
			{"+7 (495) 000-00-01", ids(lead.ID)},
		} {
			crmtest.Equal(t, "lead/list "+tc.keyword, a.leadIDs(t, fmt.Sprintf(`{"keyword": %q}`, tc.keyword)), tc.want)
		}
	})
}
