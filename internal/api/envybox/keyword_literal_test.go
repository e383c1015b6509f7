package envybox_test

import (
	"context"
	"fmt"
	"slices"
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
		e := dealSetup(t, env)
		ctx := context.Background()
		client := e.plainClient(t, "Client")
		underscore := e.deal(t, client, "a_b")
		e.deal(t, client, "axb")
		percent := e.deal(t, client, "100% sure")
		e.deal(t, client, "100 sure")
		backslash := e.deal(t, client, `x\y`)
		e.deal(t, client, "xy")
		all := e.deal(t, client, `50%_off\x`)
		decoy := e.deal(t, client, "50a_off")

		newStage := e.stages[crm.StageNew].ID
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
			want := slices.Clone(tc.want)
			slices.Sort(want)
			slices.Reverse(want) // newest first
			dealWantIDs(t, "deal/list "+tc.keyword, e.post(t, "/openapi/v1/deal/list/", fmt.Sprintf(`{"keyword": %q}`, tc.keyword)), want)
			searchWant(t, "filter "+tc.keyword, e.search(t, `{}`, fmt.Sprintf(`"keyword": %q`, tc.keyword)), want...)
			searchWant(t, "filter narrowed "+tc.keyword, e.search(t, fmt.Sprintf(`{"dealStages": [%d]}`, newStage),
				fmt.Sprintf(`"keyword": %q`, tc.keyword)), want...)
		}
		// A keyword holding a newline skips the folded text for LIKE
		// (keywordMatch), which must be as literal.
		multiline := e.deal(t, client, "p_q\nr")
		e.deal(t, client, "pXq\nr")
		dealWantIDs(t, "newline", e.post(t, "/openapi/v1/deal/list/", `{"keyword": "p_q\nr"}`), []int64{multiline})

		// client/list: the client's name, and its deals' names.
		a := &account{env: env, api: env.Envybox(e.key)}
		named := a.createClient(t, `{"name": "ivan_petrov"}`)
		a.createClient(t, `{"name": "ivanXpetrov"}`)
		for _, tc := range []struct {
			keyword string
			want    []string
		}{
			{"n_p", []string{fmt.Sprint(named)}},
			{"_", []string{fmt.Sprint(named), fmt.Sprint(client)}}, // client by its deals a_b, 50%_off\x
			{"%", []string{fmt.Sprint(client)}},
		} {
			var got []string
			for _, r := range a.ok(t, "client/list/", fmt.Sprintf(`{"keyword": %q}`, tc.keyword)).List("result") {
				got = append(got, fmt.Sprint(r.At("id")))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("client/list %q: %v, want %v", tc.keyword, got, tc.want)
			}
		}

		// lead/list.
		lead, err := env.Server.Service.CreateInbound(ctx, e.actor, crm.NewInbound{Values: map[string]string{"name": "lead_one", "phone": "74950000001"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Server.Service.CreateInbound(ctx, e.actor, crm.NewInbound{Values: map[string]string{"name": "leadXone", "phone": "74950000002"}}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			keyword string
			want    []string
		}{
			{"d_o", []string{fmt.Sprint(lead.ID)}},
			{"%", nil},
			{"+7 (495) 000-00-01", []string{fmt.Sprint(lead.ID)}},
		} {
			if got := (&account{env: env, api: env.Envybox(e.key)}).leadIDs(t, fmt.Sprintf(`{"keyword": %q}`, tc.keyword)); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("lead/list %q: %v, want %v", tc.keyword, got, tc.want)
			}
		}
	})
}
