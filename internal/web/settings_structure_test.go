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

// pipelineNamed is the account's deal pipeline with that name.
func (m *member) pipelineNamed(t testing.TB, name string) crm.Pipeline {
	t.Helper()
	list, err := m.service().DealPipelines(context.Background(), m.Actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no pipeline %q among %v", name, list)
	return crm.Pipeline{}
}

// addDealIn creates a deal in a stage of any pipeline.
func (m *member) addDealIn(t testing.TB, name string, pipelineID, stageID int64) int64 {
	t.Helper()
	in := crm.LeadInput{Name: &name, PipelineID: &pipelineID, Status: &crm.LeadStatusRef{PipelineID: pipelineID, StageID: stageID}}
	if st, ok := stageByID(m, t, pipelineID, stageID); ok && st.Status.Closing() {
		in.Status = &crm.LeadStatusRef{PipelineID: pipelineID, Status: st.Status}
	}
	out, err := m.service().AddLeads(context.Background(), m.Actor, []crm.LeadInput{in})
	if err != nil {
		t.Fatalf("add deal %q: %v", name, err)
	}
	return out[0].ID
}

func stageByID(m *member, t testing.TB, pipelineID, stageID int64) (crm.Stage, bool) {
	p, err := m.service().DealPipeline(context.Background(), m.Actor, pipelineID)
	if err != nil {
		t.Fatal(err)
	}
	return p.StageByID(stageID)
}

// dealStage is where a deal is: its pipeline and stage.
func (m *member) dealStage(t testing.TB, id int64) (int64, int64) {
	t.Helper()
	d, err := m.service().Deal(context.Background(), m.Actor, id, false)
	if err != nil {
		t.Fatal(err)
	}
	return d.Deal.PipelineID, d.Deal.StageID
}

func stageNames(p crm.Pipeline) string {
	var names []string
	for _, s := range p.Stages {
		names = append(names, s.Name)
	}
	return strings.Join(names, ",")
}

// TestSettingsRefusals: a member sees their own profile and gets the 403
// page for every administrator's settings page and form; signed out, the
// pages ask to sign in.
func TestSettingsRefusals(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Refusals")
		m := admin.newUser(t, crm.RoleMember, "Мария")
		m.signIn(t)
		expect(t, m.get(t, "/settings"), http.StatusOK, "Мария", "Change password", `href="/settings" aria-current="page"`)
		if p := m.get(t, "/settings"); strings.Contains(p.Body, `href="/settings/pipelines"`) {
			t.Error("a member's settings menu links the administrator's pages")
		}
		pipeline := admin.pipelineID(t)
		stage := admin.stages(t)[1]
		for _, path := range []string{"/settings/account", "/settings/pipelines", "/settings/fields", "/settings/fields?entity=contacts"} {
			expect(t, m.get(t, path), http.StatusForbidden, "Only administrators")
		}
		posts := map[string]url.Values{
			"/settings/account":                                                     {"name": {"Mine"}, "time_zone": {"UTC"}, "currency": {"USD"}},
			"/settings/pipelines":                                                   {"name": {"Mine"}, "stages": {"A"}},
			"/settings/pipelines/" + itoa(pipeline):                                 {"name": {"Mine"}},
			"/settings/pipelines/" + itoa(pipeline) + "/move":                       {"dir": {"down"}},
			"/settings/pipelines/" + itoa(pipeline) + "/delete":                     {},
			"/settings/pipelines/" + itoa(pipeline) + "/stages":                     {"name": {"Mine"}},
			fmt.Sprintf("/settings/pipelines/%d/stages/%d", pipeline, stage):        {"name": {"Mine"}},
			fmt.Sprintf("/settings/pipelines/%d/stages/%d/move", pipeline, stage):   {"dir": {"up"}},
			fmt.Sprintf("/settings/pipelines/%d/stages/%d/delete", pipeline, stage): {},
			"/settings/fields":                                                      {"entity": {"leads"}, "name": {"Mine"}, "type": {"text"}},
			"/settings/fields/leads/1":                                              {"name": {"Mine"}},
			"/settings/fields/leads/1/delete":                                       {},
		}
		for path, form := range posts {
			expect(t, m.post(t, path, form), http.StatusForbidden, "Only administrators")
		}
		a, err := admin.service().Account(t.Context(), admin.Actor)
		if err != nil || a.Name != "Refusals" || a.Currency != crm.DefaultCurrency {
			t.Errorf("after the member's posts the account is %+v, %v", a, err)
		}
		if p := admin.pipelineNamed(t, admin.pipelineNamedFirst(t)); stageNames(p) == "" || strings.Contains(stageNames(p), "Mine") {
			t.Errorf("after the member's posts the stages are %s", stageNames(p))
		}

		anon := newMember(t, env, admin.creds, 0, crm.Actor{})
		if p := anon.get(t, "/settings/pipelines"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
			t.Errorf("signed out: HTTP %d to %q", p.Status, p.Location)
		}
	})
}

// pipelineNamedFirst is the name of the account's main pipeline.
func (m *member) pipelineNamedFirst(t testing.TB) string {
	t.Helper()
	p, err := m.service().DealPipeline(context.Background(), m.Actor, m.pipelineID(t))
	if err != nil {
		t.Fatal(err)
	}
	return p.Name
}

// TestSettingsProfile: every user changes their own password, with the
// current one, the repeat and `crmd user password`'s length rule; the new
// one signs in, the old one no longer does, and the user's other sessions
// end (all of them on an administrator's reset).
func TestSettingsProfile(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Profile")
		m := admin.newUser(t, crm.RoleMember, "Пётр <b>Иванов</b>")
		m.signIn(t)
		expect(t, m.get(t, "/settings"), http.StatusOK, "Пётр &lt;b&gt;Иванов&lt;/b&gt;", "Member", itoa(m.UserID))
		expect(t, admin.signInAnd(t).get(t, "/settings"), http.StatusOK, "Administrator")

		change := func(current, next, repeat string) page {
			return m.post(t, "/settings/password", url.Values{"current_password": {current}, "new_password": {next}, "repeat_password": {repeat}})
		}
		expect(t, change("wrong password", "new secret 1", "new secret 1"), http.StatusUnprocessableEntity, "The current password is wrong.")
		expect(t, change(testPassword, "new secret 1", "new secret 2"), http.StatusUnprocessableEntity, "differ")
		expect(t, change(testPassword, "short", "short"), http.StatusUnprocessableEntity, "at least 8 characters")
		// A second browser signed in as the same user: the change signs it
		// out, the session the change was made in stays.
		other := newMember(t, env, admin.creds, m.UserID, m.Actor)
		other.signIn(t)
		expect(t, other.get(t, "/settings"), http.StatusOK, "Change password")
		p := change(testPassword, "new secret 1", "new secret 1")
		if p.Status != http.StatusSeeOther || p.Location != "/settings?saved=1#password" {
			t.Fatalf("change: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		expect(t, m.get(t, "/settings?saved=1"), http.StatusOK, "Saved")
		if p := other.get(t, "/settings"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
			t.Errorf("the other session after the change: HTTP %d to %q", p.Status, p.Location)
		}

		fresh := newMember(t, env, admin.creds, m.UserID, m.Actor)
		if p := fresh.post(t, "/login", url.Values{"login": {itoa(m.UserID)}, "password": {testPassword}}); p.Status != http.StatusUnauthorized {
			t.Errorf("the old password: HTTP %d", p.Status)
		}
		if p := fresh.post(t, "/login", url.Values{"login": {itoa(m.UserID)}, "password": {"new secret 1"}}); p.Status != http.StatusSeeOther {
			t.Errorf("the new password: HTTP %d %s", p.Status, p.Body)
		}

		// An administrator's reset signs the user out everywhere.
		if p := admin.post(t, fmt.Sprintf("/settings/users/%d/password", m.UserID), url.Values{"password": {"reset secret 1"}}); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "saved=password") {
			t.Fatalf("reset: HTTP %d to %q", p.Status, p.Location)
		}
		for name, s := range map[string]*member{"the changing session": m, "the fresh one": fresh} {
			if p := s.get(t, "/settings"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
				t.Errorf("%s after the reset: HTTP %d to %q", name, p.Status, p.Location)
			}
		}
	})
}

// signInAnd signs the member in and returns it.
func (m *member) signInAnd(t testing.TB) *member {
	t.Helper()
	m.signIn(t)
	return m
}

// TestSettingsAccount: the name, time zone and currency change together
// or not at all, under crm's rules.
func TestSettingsAccount(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Account")
		admin.signIn(t)
		expect(t, admin.get(t, "/settings/account"), http.StatusOK, `value="Account"`, `value="Europe/Moscow"`, `value="RUB"`)
		save := func(name, zone, currency string) page {
			return admin.post(t, "/settings/account", url.Values{"name": {name}, "time_zone": {zone}, "currency": {currency}})
		}
		account := func() crm.Account {
			a, err := admin.service().Account(t.Context(), admin.Actor)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		for _, c := range []struct{ name, zone, currency, want string }{
			{"Renamed", "Mars/Olympus", "USD", "IANA name"},
			{"Renamed", "Local", "USD", "IANA name"},
			{"Renamed", "Asia/Yekaterinburg", "usd", "ISO 4217"},
			{"Renamed", "Asia/Yekaterinburg", "RUBL", "ISO 4217"},
			{"   ", "Asia/Yekaterinburg", "USD", "blank"},
			{strings.Repeat("я", 300), "Asia/Yekaterinburg", "USD", "characters"},
		} {
			p := save(c.name, c.zone, c.currency)
			expect(t, p, http.StatusUnprocessableEntity, c.want)
			if a := account(); a.Name != "Account" || a.TimeZone != "Europe/Moscow" || a.Currency != "RUB" {
				t.Fatalf("a refused form (%q %q %q) changed the account: %+v", c.name, c.zone, c.currency, a)
			}
		}
		if p := save(" ", "UTC", "USD"); strings.Contains(p.Body, "Request validation failed") {
			t.Error("the page shows the APIs' wording of a refusal")
		}
		expect(t, admin.post(t, "/settings/account", url.Values{"name": {" "}, "time_zone": {"Mars/Olympus"}, "currency": {"usd"}}, "Accept-Language", "ru"),
			http.StatusUnprocessableEntity, "Значение не должно быть пустым.", "Часовой пояс — имя IANA", "Валюта — код ISO 4217")
		// The refused values stay in the form for correcting.
		expect(t, save("Renamed", "Mars/Olympus", "USD"), http.StatusUnprocessableEntity, `value="Mars/Olympus"`, `value="Renamed"`)

		p := save("  Рога и копыта  ", "Asia/Yekaterinburg", "USD")
		if p.Status != http.StatusSeeOther || p.Location != "/settings/account?saved=1" {
			t.Fatalf("save: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		a := account()
		if a.Name != "Рога и копыта" || a.TimeZone != "Asia/Yekaterinburg" || a.Currency != "USD" || a.Subdomain == "" {
			t.Errorf("saved account: %+v", a)
		}
		// The account's time zone and currency reach the pages at once.
		expect(t, admin.get(t, "/settings/account?saved=1"), http.StatusOK, "Saved", `value="Asia/Yekaterinburg"`, "<title>Account · Рога и копыта · crmd</title>")
		// The amoCRM account answers the new name and currency.
		resp := env.Do(t, http.MethodGet, "/api/v4/account", admin.creds.AmoCRMToken, "")
		if resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), "Рога и копыта") || !strings.Contains(string(resp.Body), `"USD"`) {
			t.Errorf("amoCRM account: HTTP %d %s", resp.Status, resp.Body)
		}
	})
}

// TestSettingsPipelines: create, rename, reorder and delete pipelines and
// stages, colour stages from the palette, and delete with moving deals.
func TestSettingsPipelines(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Pipelines")
		admin.signIn(t)
		main := admin.pipelineNamed(t, admin.pipelineNamedFirst(t))
		expect(t, admin.get(t, "/settings/pipelines"), http.StatusOK, main.Name, "Create pipeline", crm.StatusColors[0])

		// Create: the stages one a line, blank lines skipped.
		p := admin.post(t, "/settings/pipelines", url.Values{"name": {"Опт"}, "stages": {"Заявка\n\n Счёт \nОплата\n"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/settings/pipelines?saved=1#pipeline-") {
			t.Fatalf("create: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		opt := admin.pipelineNamed(t, "Опт")
		if got := stageNames(opt); !strings.HasPrefix(got, "Заявка,Счёт,Оплата,") || len(opt.Stages) != 5 {
			t.Fatalf("created stages: %s", got)
		}
		if opt.Stages[0].Status != crm.StageNew || opt.Stages[1].Status != crm.StageInWork || opt.Stages[3].Status != crm.StageWon {
			t.Errorf("stage statuses: %+v", opt.Stages)
		}
		// Refusals are crm's, shown above the form, which keeps its values.
		expect(t, admin.post(t, "/settings/pipelines", url.Values{"name": {"Пустая"}, "stages": {"\n"}}),
			http.StatusUnprocessableEntity, "open stages", ">\n</textarea>", `value="Пустая"`)
		expect(t, admin.post(t, "/settings/pipelines", url.Values{"name": {" "}, "stages": {"A"}}), http.StatusUnprocessableEntity, "blank")

		// Rename.
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(opt.ID), url.Values{"name": {"Оптовые"}}), http.StatusSeeOther)
		opt = admin.pipelineNamed(t, "Оптовые")
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(opt.ID), url.Values{"name": {""}}), http.StatusUnprocessableEntity, "blank")
		expect(t, admin.post(t, "/settings/pipelines/999999", url.Values{"name": {"X"}}), http.StatusNotFound)

		// Reorder pipelines: the new one up, above the main one.
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(opt.ID)+"/move", url.Values{"dir": {"down"}}), http.StatusUnprocessableEntity, "cannot move")
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(opt.ID)+"/move", url.Values{"dir": {"up"}}), http.StatusSeeOther)
		list, _ := admin.service().DealPipelines(t.Context(), admin.Actor)
		if len(list) != 2 || list[0].ID != opt.ID || list[1].ID != main.ID {
			t.Fatalf("after moving up the order is %v", list)
		}
		body := admin.get(t, "/settings/pipelines").Body
		if strings.Index(body, "Оптовые") > strings.Index(body, main.Name) {
			t.Error("the page does not list the moved pipeline first")
		}

		// Make it the main pipeline, then the first one again.
		expect(t, admin.get(t, "/settings/pipelines"), http.StatusOK, `action="/settings/pipelines/`+itoa(opt.ID)+`/main"`)
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(opt.ID)+"/main", url.Values{}), http.StatusSeeOther)
		if p := admin.pipelineNamed(t, "Оптовые"); !p.Primary {
			t.Error("the pipeline was not made main")
		}
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(main.ID)+"/main", url.Values{}), http.StatusSeeOther)
		if p := admin.pipelineNamed(t, "Оптовые"); p.Primary {
			t.Error("two main pipelines")
		}

		// Stages: add, rename and recolour, reorder.
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(opt.ID)+"/stages", url.Values{"name": {"Доставка"}}), http.StatusSeeOther)
		opt = admin.pipelineNamed(t, "Оптовые")
		if got := stageNames(opt); !strings.HasPrefix(got, "Заявка,Счёт,Оплата,Доставка,") {
			t.Fatalf("after adding: %s", got)
		}
		invoice, payment := opt.Stages[1], opt.Stages[2]
		stagePath := fmt.Sprintf("/settings/pipelines/%d/stages/%d", opt.ID, invoice.ID)
		expect(t, admin.post(t, stagePath, url.Values{"name": {"Счёт выставлен"}, "color": {crm.StatusColors[5]}}), http.StatusSeeOther)
		expect(t, admin.post(t, stagePath, url.Values{"name": {"Счёт"}, "color": {"#123456"}}), http.StatusUnprocessableEntity, "palette")
		expect(t, admin.post(t, stagePath, url.Values{"name": {""}}), http.StatusUnprocessableEntity, "blank")
		expect(t, admin.post(t, fmt.Sprintf("/settings/pipelines/%d/stages/%d", main.ID, invoice.ID), url.Values{"name": {"X"}}), http.StatusNotFound)
		opt = admin.pipelineNamed(t, "Оптовые")
		if st, _ := opt.StageByID(invoice.ID); st.Name != "Счёт выставлен" || st.Color != crm.StatusColors[5] {
			t.Errorf("renamed stage: %+v", st)
		}
		// A colour written through Envybox is kept when the form sends it back.
		rgb := main.Stages[0].Color
		expect(t, admin.post(t, fmt.Sprintf("/settings/pipelines/%d/stages/%d", main.ID, main.Stages[0].ID),
			url.Values{"name": {main.Stages[0].Name}, "color": {rgb}}), http.StatusSeeOther)
		expect(t, admin.post(t, stagePath+"/move", url.Values{"dir": {"down"}}), http.StatusSeeOther)
		opt = admin.pipelineNamed(t, "Оптовые")
		if got := stageNames(opt); !strings.HasPrefix(got, "Заявка,Оплата,Счёт выставлен,Доставка,") {
			t.Fatalf("after moving down: %s", got)
		}
		first := opt.Stages[0]
		expect(t, admin.post(t, fmt.Sprintf("/settings/pipelines/%d/stages/%d/move", opt.ID, first.ID), url.Values{"dir": {"up"}}),
			http.StatusUnprocessableEntity, "cannot move")
		won := opt.Stages[4]
		expect(t, admin.post(t, fmt.Sprintf("/settings/pipelines/%d/stages/%d/move", opt.ID, won.ID), url.Values{"dir": {"up"}}),
			http.StatusUnprocessableEntity)

		// Delete a stage with deals: they move where the administrator says,
		// here to another pipeline's stage; without a target it is refused.
		d1 := admin.addDealIn(t, "Сделка 1", opt.ID, invoice.ID)
		d2 := admin.addDealIn(t, "Сделка 2", opt.ID, payment.ID)
		expect(t, admin.get(t, "/settings/pipelines"), http.StatusOK, "Deals: 1", fmt.Sprintf(`id="stage-move-%d"`, invoice.ID))
		expect(t, admin.post(t, stagePath+"/delete", url.Values{}), http.StatusConflict, "without deals")
		// In Russian, crm's refusals read in Russian.
		expect(t, admin.post(t, stagePath+"/delete", url.Values{}, "Accept-Language", "ru"), http.StatusConflict,
			"Этап со сделками удаляется только с переносом сделок")
		expect(t, admin.post(t, stagePath+"/delete", url.Values{"move_to": {itoa(invoice.ID)}}), http.StatusUnprocessableEntity)
		expect(t, admin.post(t, stagePath+"/delete", url.Values{"move_to": {"999999"}}), http.StatusUnprocessableEntity, "not found")
		expect(t, admin.post(t, stagePath+"/delete", url.Values{"move_to": {itoa(main.Stages[1].ID)}}), http.StatusSeeOther)
		if pl, st := admin.dealStage(t, d1); pl != main.ID || st != main.Stages[1].ID {
			t.Errorf("deal 1 moved to pipeline %d stage %d", pl, st)
		}
		expect(t, admin.post(t, fmt.Sprintf("/settings/pipelines/%d/stages/%d/delete", opt.ID, won.ID), url.Values{}),
			http.StatusUnprocessableEntity, "cannot be deleted")

		// Delete a pipeline with deals: open ones to the picked stage, closed
		// ones to the target's closing stages.
		wonDeal := admin.addDealIn(t, "Выиграна", opt.ID, won.ID)
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(opt.ID)+"/delete", url.Values{}), http.StatusConflict, "empty")
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(opt.ID)+"/delete", url.Values{"move_to": {itoa(payment.ID)}}),
			http.StatusUnprocessableEntity, "another pipeline")
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(opt.ID)+"/delete", url.Values{"move_to": {itoa(main.Stages[0].ID)}}), http.StatusSeeOther)
		if pl, st := admin.dealStage(t, d2); pl != main.ID || st != main.Stages[0].ID {
			t.Errorf("deal 2 moved to pipeline %d stage %d", pl, st)
		}
		mainWon, _ := main.StageByStatus(crm.StageWon)
		if pl, st := admin.dealStage(t, wonDeal); pl != main.ID || st != mainWon.ID {
			t.Errorf("the won deal moved to pipeline %d stage %d, want the main won stage %d", pl, st, mainWon.ID)
		}
		list, _ = admin.service().DealPipelines(t.Context(), admin.Actor)
		if len(list) != 1 || !list[0].Primary {
			t.Fatalf("after deleting: %+v", list)
		}
		// The last pipeline stays; the page offers no delete for it.
		expect(t, admin.post(t, "/settings/pipelines/"+itoa(main.ID)+"/delete", url.Values{}), http.StatusConflict, "last pipeline")
		if body := admin.get(t, "/settings/pipelines").Body; strings.Contains(body, "/delete\" class=\"inline-form\">\n        \n        <button type=\"submit\" class=\"danger\">Delete pipeline") {
			t.Error("the last pipeline offers a delete button")
		}
	})
}

// TestSettingsFields: custom fields of every entity: create with a type
// and options, rename, sort, change options, delete; crm's refusals shown.
func TestSettingsFields(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Fields")
		admin.signIn(t)
		for _, e := range []string{"leads", "contacts", "companies", "customers", "inbound", "segments"} {
			expect(t, admin.get(t, "/settings/fields?entity="+e), http.StatusOK, `name="entity" value="`+e+`"`, "No fields yet.")
		}
		expect(t, admin.get(t, "/settings/fields?entity=pets"), http.StatusNotFound)
		expect(t, admin.get(t, "/settings/fields"), http.StatusOK, `href="/settings/fields?entity=leads" aria-current="page"`, "Multiselect")

		p := admin.post(t, "/settings/fields", url.Values{"entity": {"contacts"}, "name": {"Источник"}, "type": {"select"},
			"options": {"Сайт\nЗвонок\n\nВыставка"}, "sort": {"5"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/settings/fields?entity=contacts&saved=1#field-") {
			t.Fatalf("create: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		fields, _, _, err := admin.service().CustomFields(t.Context(), admin.Actor, crm.EntityContact, crm.FieldQuery{})
		if err != nil || len(fields) != 1 {
			t.Fatalf("fields: %v %v", fields, err)
		}
		f := fields[0]
		if f.Name != "Источник" || f.Type != crm.FieldSelect || f.Sort != 5 || len(f.Enums) != 3 || f.Enums[2].Value != "Выставка" {
			t.Fatalf("created field: %+v", f)
		}
		expect(t, admin.get(t, "/settings/fields?entity=contacts"), http.StatusOK, `value="Источник"`, `value="Звонок"`, "Select")
		// Refused: a type the entity does not take, a select without
		// options, a bad sort, a blank name; the form keeps its values.
		expect(t, admin.post(t, "/settings/fields", url.Values{"entity": {"leads"}, "name": {"X"}, "type": {"hologram"}}), http.StatusUnprocessableEntity)
		expect(t, admin.post(t, "/settings/fields", url.Values{"entity": {"leads"}, "name": {"Без вариантов"}, "type": {"multiselect"}}),
			http.StatusUnprocessableEntity, "enum", `value="Без вариантов"`)
		expect(t, admin.post(t, "/settings/fields", url.Values{"entity": {"leads"}, "name": {"X"}, "type": {"text"}, "sort": {"first"}}),
			http.StatusUnprocessableEntity, "whole number")
		expect(t, admin.post(t, "/settings/fields", url.Values{"entity": {"leads"}, "name": {" "}, "type": {"text"}}), http.StatusUnprocessableEntity, "blank")
		expect(t, admin.post(t, "/settings/fields", url.Values{"entity": {"pets"}, "name": {"X"}, "type": {"text"}}), http.StatusNotFound)

		// Rename, re-sort, change options: one renamed, one emptied (deleted),
		// one added.
		path := fmt.Sprintf("/settings/fields/contacts/%d", f.ID)
		form := url.Values{"name": {"Канал"}, "sort": {"20"}, "options": {"Реклама"}}
		form.Set(fmt.Sprintf("enum_%d", f.Enums[0].ID), "Сайт компании")
		form.Set(fmt.Sprintf("enum_%d", f.Enums[1].ID), "")
		form.Set(fmt.Sprintf("enum_%d", f.Enums[2].ID), "Выставка")
		expect(t, admin.post(t, path, form), http.StatusSeeOther)
		g, err := admin.service().CustomField(t.Context(), admin.Actor, crm.EntityContact, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		var values []string
		for _, e := range g.Enums {
			values = append(values, e.Value)
		}
		if g.Name != "Канал" || g.Sort != 20 || strings.Join(values, ",") != "Сайт компании,Выставка,Реклама" || g.Enums[0].ID != f.Enums[0].ID {
			t.Errorf("updated field: %+v", g)
		}
		expect(t, admin.post(t, path, url.Values{"name": {""}}), http.StatusUnprocessableEntity, "blank")
		expect(t, admin.post(t, "/settings/fields/leads/"+itoa(f.ID), url.Values{"name": {"X"}}), http.StatusNotFound)

		// A text field of deals, then deleted.
		expect(t, admin.post(t, "/settings/fields", url.Values{"entity": {"leads"}, "name": {"ИНН"}, "type": {"text"}}), http.StatusSeeOther)
		deals, _, _, _ := admin.service().CustomFields(t.Context(), admin.Actor, crm.EntityDeal, crm.FieldQuery{})
		if len(deals) != 1 || deals[0].Type != crm.FieldText {
			t.Fatalf("deal fields: %+v", deals)
		}
		p = admin.post(t, fmt.Sprintf("/settings/fields/leads/%d/delete", deals[0].ID), url.Values{})
		if p.Status != http.StatusSeeOther || p.Location != "/settings/fields?entity=leads&saved=1" {
			t.Fatalf("delete: HTTP %d to %q", p.Status, p.Location)
		}
		if _, err := admin.service().CustomField(t.Context(), admin.Actor, crm.EntityDeal, deals[0].ID); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("the deleted field reads: %v", err)
		}
		expect(t, admin.post(t, fmt.Sprintf("/settings/fields/leads/%d/delete", deals[0].ID), url.Values{}), http.StatusNotFound)
	})
}
