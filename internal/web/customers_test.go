package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// setCustomersMode switches the account's customers to mode through the
// domain, as PATCH /api/v4/customers/mode does.
func (m *member) setCustomersMode(t testing.TB, mode crm.CustomersMode) {
	t.Helper()
	if err := m.service().SetCustomersMode(context.Background(), m.Actor, mode, true); err != nil {
		t.Fatal(err)
	}
}

// newCustomer adds a customer through the domain, as POST
// /api/v4/customers does; next is its next purchase date (zero: none).
func (m *member) newCustomer(t testing.TB, name string, next time.Time, price int64, segments ...int64) crm.Customer {
	t.Helper()
	in := crm.CustomerInput{Name: &name, NextPrice: &price}
	if !next.IsZero() {
		in.NextDate = &next
	}
	if segments != nil {
		in.SegmentIDs = &segments
	}
	out, err := m.service().AddCustomers(context.Background(), m.Actor, []crm.CustomerInput{in})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// customerMode is the account's customers mode as the domain reads it.
func (m *member) customerMode(t testing.TB) crm.CustomersMode {
	t.Helper()
	a, err := m.service().Account(context.Background(), m.Actor)
	if err != nil {
		t.Fatal(err)
	}
	return a.CustomersMode
}

// amocrm sends an amoCRM request with the account's token.
func (m *member) amocrm(t testing.TB, method, path, body string) *crmtest.Response {
	t.Helper()
	return m.env.Do(t, method, path, m.creds.AmoCRMToken, body)
}

// TestCustomersOff: with customers switched off (a new account), the page
// says so, points an administrator to the switch and a member to an
// administrator; a card is refused with a clear 422.
func TestCustomersOff(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Off")
		admin.signIn(t)
		p := admin.get(t, "/customers")
		expect(t, p, http.StatusOK, `id="customers-off"`, "Customers are switched off", `href="/customers/mode"`,
			"Switch customers on", `aria-current="page">Customers`, "Mode: Off")
		if strings.Contains(p.Body, `id="customers-board"`) || strings.Contains(p.Body, `id="new-customer"`) {
			t.Error("the disabled page shows a board or a form")
		}
		member := admin.newUser(t, crm.RoleMember, "Mia")
		member.signIn(t)
		p = member.get(t, "/customers")
		expect(t, p, http.StatusOK, "An administrator of the account can switch them on.")
		if strings.Contains(p.Body, `href="/customers/mode"`) {
			t.Error("a member is shown the mode switch")
		}
		expect(t, admin.get(t, "/customers/1"), http.StatusUnprocessableEntity, "Customers are switched off in this account")
		expect(t, admin.post(t, "/customers", url.Values{"name": {"X"}}), http.StatusUnprocessableEntity,
			"Customers are switched off in this account")
		expect(t, admin.post(t, "/customers/1/purchases", url.Values{"price": {"5"}}), http.StatusUnprocessableEntity,
			"Customers are switched off in this account")

		// Russian.
		p = admin.do(t, http.MethodGet, "/customers", nil, "Accept-Language", "ru")
		expect(t, p, http.StatusOK, "Покупатели выключены", "Включить покупателей")
	})
}

// TestCustomersModeSwitch: the switch is an administrator's, spells out
// its consequences before a confirmed POST, refuses members with 403,
// and keeps every customer across off and on.
func TestCustomersModeSwitch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Modes")
		admin.signIn(t)
		member := admin.newUser(t, crm.RoleMember, "Mia")
		member.signIn(t)

		p := admin.get(t, "/customers/mode")
		expect(t, p, http.StatusOK, "Now: Off", `href="/customers/mode?to=periodicity"`, `href="/customers/mode?to=segments"`)
		if strings.Contains(p.Body, `id="mode-form"`) {
			t.Error("the switch's form shows before a mode is picked")
		}
		p = admin.get(t, "/customers/mode?to=periodicity")
		expect(t, p, http.StatusOK, `What switching from “Off” to “Periodicity” does`, `id="consequences"`,
			"A new customer needs the date of its next purchase", "/api/v2/customers_periods",
			"The customers and purchases APIs of amoCRM v2 and v4 start answering", "deletes and recomputes nothing",
			`name="mode" value="periodicity"`, `name="confirm" value="yes"`)

		// Members: the page and the switch are refused.
		expect(t, member.get(t, "/customers/mode"), http.StatusForbidden, "Only an administrator")
		expect(t, member.get(t, "/customers/mode?to=segments"), http.StatusForbidden, "Only an administrator")
		expect(t, member.post(t, "/customers/mode", url.Values{"mode": {"periodicity"}, "confirm": {"yes"}}), http.StatusForbidden,
			"Only an administrator")
		if got := admin.customerMode(t); got != crm.CustomersDisabled {
			t.Fatalf("after a member's switch the mode is %q", got)
		}

		// Bad input: an unknown mode; no confirmation (the consequences
		// again, nothing switched).
		expect(t, admin.get(t, "/customers/mode?to=weekly"), http.StatusUnprocessableEntity, "Unknown customers mode")
		expect(t, admin.post(t, "/customers/mode", url.Values{"mode": {"weekly"}, "confirm": {"yes"}}), http.StatusUnprocessableEntity,
			"Unknown customers mode")
		p = admin.post(t, "/customers/mode", url.Values{"mode": {"periodicity"}})
		expect(t, p, http.StatusUnprocessableEntity, `id="mode-error"`, "Tick the box", `id="consequences"`)
		if got := admin.customerMode(t); got != crm.CustomersDisabled {
			t.Fatalf("an unconfirmed switch made the mode %q", got)
		}

		// Confirmed: periodicity, seen by amoCRM's account too.
		p = admin.post(t, "/customers/mode", url.Values{"mode": {"periodicity"}, "confirm": {"yes"}})
		if p.Status != http.StatusSeeOther || p.Location != "/customers" {
			t.Fatalf("switch: HTTP %d to %q", p.Status, p.Location)
		}
		if got := admin.customerMode(t); got != crm.CustomersPeriodicity {
			t.Fatalf("mode %q after the switch", got)
		}
		if got := admin.amocrm(t, http.MethodGet, "/api/v4/account", "").Object(t)["customers_mode"]; got != "periodicity" {
			t.Errorf("amoCRM account customers_mode %v", got)
		}
		admin.newCustomer(t, "Kept", time.Now().AddDate(0, 0, 30), 100)

		// To segments: what happens to the statuses is said.
		p = admin.get(t, "/customers/mode?to=segments")
		expect(t, p, http.StatusOK, "Customers in the account: 1", "The statuses and periods APIs answer 422",
			"/api/v4/customers/segments")
		expect(t, admin.post(t, "/customers/mode", url.Values{"mode": {"segments"}, "confirm": {"yes"}}), http.StatusSeeOther)
		if got := admin.customerMode(t); got != crm.CustomersSegments {
			t.Fatalf("mode %q after switching to segments", got)
		}

		// Off: the APIs refuse; on again: the customer is still there.
		p = admin.get(t, "/customers/mode?to=disabled")
		expect(t, p, http.StatusOK, "answers 422: integrations", "stay in the database", `class="primary danger"`)
		expect(t, admin.post(t, "/customers/mode", url.Values{"mode": {"disabled"}, "confirm": {"yes"}}), http.StatusSeeOther)
		if got := admin.customerMode(t); got != crm.CustomersDisabled {
			t.Fatalf("mode %q after switching off", got)
		}
		if r := admin.amocrm(t, http.MethodGet, "/api/v4/customers", ""); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("amoCRM customers while off: HTTP %d", r.Status)
		}
		expect(t, admin.post(t, "/customers/mode", url.Values{"mode": {"periodicity"}, "confirm": {"yes"}}), http.StatusSeeOther)
		expect(t, admin.get(t, "/customers"), http.StatusOK, "Kept")

		// The switch to the mode in force changes nothing.
		expect(t, admin.post(t, "/customers/mode", url.Values{"mode": {"periodicity"}, "confirm": {"yes"}}), http.StatusSeeOther)
		if got := admin.customerMode(t); got != crm.CustomersPeriodicity {
			t.Fatalf("mode %q after a switch to the same mode", got)
		}
	})
}

// TestCustomersBoard: in the periodicity mode, a column per status in the
// life cycle's order, cards with the next purchase, its amount and the
// last purchase, the overdue marked; a full column links to the list of
// its status; another account's customers never show.
func TestCustomersBoard(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Board")
		m.setCustomersMode(t, crm.CustomersPeriodicity)
		m.signIn(t)
		now := time.Now()
		soon := m.newCustomer(t, "Soon Buyer", now.AddDate(0, 0, 3), 2500)
		late := m.newCustomer(t, "Late Buyer", now.AddDate(0, 0, -10), 900)
		later := m.newCustomer(t, "Later Buyer", now.AddDate(0, 0, 90), 0)
		if _, err := m.service().AddTransactions(ctx, m.Actor, []crm.NewTransaction{{CustomerID: later.ID, Price: ptr(int64(700)),
			CompletedAt: ptr(now.AddDate(0, 0, -20))}}); err != nil {
			t.Fatal(err)
		}
		other := newAccount(t, env, "Other")
		other.setCustomersMode(t, crm.CustomersPeriodicity)
		other.newCustomer(t, "Stranger", now.AddDate(0, 0, 3), 1)

		statuses, err := m.service().CustomerStatuses(ctx, m.Actor)
		if err != nil {
			t.Fatal(err)
		}
		byType := map[crm.StatusType]int64{}
		for _, s := range statuses {
			byType[s.Type] = s.ID
		}
		p := m.get(t, "/customers")
		expect(t, p, http.StatusOK, `id="customers-board"`, "Recently purchased", "Expected purchase", "Did not purchase", "Closed",
			"Mode: Periodicity", `href="/customers/mode"`, "2,500", "overdue", "Last purchase", "No purchases yet")
		if strings.Contains(p.Body, "Stranger") {
			t.Error("another account's customer is on the board")
		}
		// Each card in the column of its status.
		for _, c := range []struct {
			id     int64
			status int64
		}{{soon.ID, byType[crm.StatusExpectedPurchase]}, {late.ID, byType[crm.StatusDidNotPurchase]},
			{later.ID, byType[crm.StatusRecentlyPurchased]}} {
			col := columnOf(p.Body, c.status)
			if !strings.Contains(col, fmt.Sprintf(`data-id="%d"`, c.id)) {
				t.Errorf("customer %d is not in the column of status %d:\n%s", c.id, c.status, col)
			}
		}
		if !strings.Contains(columnOf(p.Body, byType[crm.StatusDidNotPurchase]), "is-overdue") {
			t.Error("the late customer's card is not marked overdue")
		}
		// The columns follow the life cycle: recently purchased first,
		// closed last.
		if i, j := strings.Index(p.Body, "Recently purchased"), strings.Index(p.Body, ">Closed<"); i < 0 || j < i {
			t.Error("the columns are not in the life cycle's order")
		}

		// A member sees the same board and cards (amoCRM: customers follow
		// the user's rights, and crmd gives every user the account's), but
		// not the mode switch.
		member := m.newUser(t, crm.RoleMember, "Mia")
		member.signIn(t)
		mp := member.get(t, "/customers")
		expect(t, mp, http.StatusOK, "Soon Buyer", "Late Buyer", "Later Buyer", "Mode: Periodicity")
		if strings.Contains(mp.Body, `href="/customers/mode"`) {
			t.Error("a member is shown the mode switch")
		}
		expect(t, member.get(t, fmt.Sprintf("/customers/%d", soon.ID)), http.StatusOK, "Soon Buyer", `id="add-purchase"`)

		// Search narrows every column.
		p = m.get(t, "/customers?q=late")
		expect(t, p, http.StatusOK, "Late Buyer")
		if strings.Contains(p.Body, "Soon Buyer") {
			t.Error("the search kept a customer that does not match")
		}

		// A column of more than 50 shows 50 and links to the list.
		for i := range 51 {
			m.newCustomer(t, fmt.Sprintf("Filler %02d", i), now.AddDate(0, 0, 200), 0)
		}
		recently := byType[crm.StatusRecentlyPurchased]
		p = m.get(t, "/customers")
		col := columnOf(p.Body, recently)
		if n := strings.Count(col, `class="card customer-card`); n != 50 {
			t.Errorf("the full column shows %d cards", n)
		}
		link := fmt.Sprintf(`href="/customers?view=list&amp;status=%d"`, recently)
		expect(t, p, http.StatusOK, link, "Show all 52")
		p = m.get(t, fmt.Sprintf("/customers?view=list&status=%d", recently))
		expect(t, p, http.StatusOK, `id="customers-table"`, "Customers found: 52", "1–50 of 52", "Later Buyer",
			fmt.Sprintf(`href="/customers?offset=50&amp;status=%d&amp;view=list"`, recently))
		p = m.get(t, fmt.Sprintf("/customers?view=list&status=%d&offset=50", recently))
		expect(t, p, http.StatusOK, "51–52 of 52")

		// Bad filters are clear errors.
		expect(t, m.get(t, "/customers?view=list&status=abc"), http.StatusUnprocessableEntity, "The filter &#34;status&#34;")
		expect(t, m.get(t, "/customers?view=list&status=999999"), http.StatusNotFound, "No such customer status.")
		expect(t, m.get(t, "/customers?view=list&offset=-1"), http.StatusUnprocessableEntity, "page number")
	})
}

// columnOf is the HTML of the board column of a status.
func columnOf(body string, status int64) string {
	start := strings.Index(body, fmt.Sprintf(`data-status="%d"`, status))
	if start < 0 {
		return ""
	}
	end := strings.Index(body[start:], "</section>")
	if end < 0 {
		return body[start:]
	}
	return body[start : start+end]
}

// TestCustomersSegmentsList: in the segments mode, the list with each
// customer's segments, next purchase and purchases, filtered by segment.
func TestCustomersSegmentsList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Segments")
		m.setCustomersMode(t, crm.CustomersSegments)
		m.signIn(t)
		p := m.get(t, "/customers")
		expect(t, p, http.StatusOK, "Mode: Segments", "No customers yet.", "The account has no segments yet")

		vip, err := m.service().AddSegment(ctx, m.Actor, crm.NewSegment{Name: ptr("VIP"), Color: ptr("ae003f")})
		if err != nil {
			t.Fatal(err)
		}
		wholesale, err := m.service().AddSegment(ctx, m.Actor, crm.NewSegment{Name: ptr("Wholesale"), Color: ptr("10599d")})
		if err != nil {
			t.Fatal(err)
		}
		both := m.newCustomer(t, "Both Segments", time.Now().AddDate(0, 0, 5), 4000, vip.ID, wholesale.ID)
		onlyVIP := m.newCustomer(t, "Only VIP", time.Time{}, 0, vip.ID)
		none := m.newCustomer(t, "No Segment", time.Time{}, 0)
		if _, err := m.service().AddTransactions(ctx, m.Actor, []crm.NewTransaction{{CustomerID: both.ID, Price: ptr(int64(1500))},
			{CustomerID: both.ID, Price: ptr(int64(500))}}); err != nil {
			t.Fatal(err)
		}

		p = m.get(t, "/customers")
		expect(t, p, http.StatusOK, `id="customers-table"`, "Customers: 3", `id="f-segment"`, ">VIP</option>",
			`data-color="#ae003f"`, "No segments", "2 for ₽2,000", "Not expected")
		if strings.Contains(p.Body, `id="customers-board"`) || strings.Contains(p.Body, `id="f-status"`) {
			t.Error("the segments mode shows the board or the status filter")
		}
		p = m.get(t, fmt.Sprintf("/customers?segment=%d", vip.ID))
		expect(t, p, http.StatusOK, "Customers found: 2", "Both Segments", "Only VIP")
		if strings.Contains(p.Body, "No Segment<") {
			t.Error("the VIP filter kept a customer in no segment")
		}
		p = m.get(t, fmt.Sprintf("/customers?segment=%d", wholesale.ID))
		expect(t, p, http.StatusOK, "Customers found: 1", fmt.Sprintf(`id="customer-%d"`, both.ID))
		if strings.Contains(p.Body, fmt.Sprintf(`id="customer-%d"`, onlyVIP.ID)) || strings.Contains(p.Body, fmt.Sprintf(`id="customer-%d"`, none.ID)) {
			t.Error("the wholesale filter kept other customers")
		}
		expect(t, m.get(t, fmt.Sprintf("/customers?segment=%d&q=only", vip.ID)), http.StatusOK, "Customers found: 1", "Only VIP")
		expect(t, m.get(t, "/customers?segment=x"), http.StatusUnprocessableEntity, "is not understood")
		expect(t, m.get(t, "/customers?segment=999999"), http.StatusNotFound, "No such segment.")

		// A new customer needs no next purchase date in this mode.
		p = m.post(t, "/customers", url.Values{"name": {"Walk-in"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/customers/") {
			t.Fatalf("new customer: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
	})
}

// TestCustomerCard: the card shows the customer, its contacts and
// purchases; a purchase added in it is seen by amoCRM v4 and v2, and
// moves the next purchase on by the periodicity; bad input is a 422 with
// the form kept; the edit form saves only what changed and refuses a
// stale version.
func TestCustomerCard(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		m := newAccount(t, env, "Card")
		m.setCustomersMode(t, crm.CustomersPeriodicity)
		m.signIn(t)
		member := m.newUser(t, crm.RoleMember, "Mia")
		member.signIn(t)
		client := m.newClient(t, "Ivan Petrov", []string{"+7 999 123-45-67"}, nil)
		next := time.Now().AddDate(0, 0, 20)
		c := m.newCustomer(t, "Coffee <b>Shop</b>", next, 3000)
		thirty := 30
		if _, err := m.service().UpdateCustomersAtomic(ctx, m.Actor, []crm.CustomerInput{{ID: c.ID, Periodicity: &thirty,
			AddContactIDs: []int64{client.ID}}}); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/customers/%d", c.ID)

		p := m.get(t, path)
		expect(t, p, http.StatusOK, "Coffee &lt;b&gt;Shop&lt;/b&gt;", `id="customer-status"`, "Recently purchased",
			fmt.Sprintf(`href="/clients/%d"`, client.ID), "Ivan Petrov", "main", "₽3,000", `id="add-purchase"`,
			`id="no-purchases"`, "Customer created", "Customer changed", `id="edit-customer"`, `name="updated_at"`)

		// A purchase, by a member (customers are open to every user).
		p = member.post(t, path+"/purchases", url.Values{"price": {"1 250"}, "date": {time.Now().Format(time.DateOnly)},
			"comment": {"Two bags of beans"}})
		if p.Status != http.StatusSeeOther || p.Location != path+"#purchases" {
			t.Fatalf("add a purchase: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		p = m.get(t, path)
		expect(t, p, http.StatusOK, `id="purchase-list"`, "₽1,250", "Two bags of beans", "Purchase: ₽1,250")
		// amoCRM v4 and v2 see it.
		r := m.amocrm(t, http.MethodGet, fmt.Sprintf("/api/v4/customers/%d/transactions", c.ID), "")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"price":1250`) || !strings.Contains(string(r.Body), "Two bags of beans") {
			t.Errorf("v4 transactions: HTTP %d %s", r.Status, r.Body)
		}
		r = m.amocrm(t, http.MethodGet, fmt.Sprintf("/api/v2/transactions?customer_id=%d", c.ID), "")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "1250") || !strings.Contains(string(r.Body), "Two bags of beans") {
			t.Errorf("v2 transactions: HTTP %d %s", r.Status, r.Body)
		}
		cust := m.amocrm(t, http.MethodGet, fmt.Sprintf("/api/v4/customers/%d", c.ID), "").Object(t)
		if num(cust["ltv"]) != 1250 || num(cust["purchases_count"]) != 1 {
			t.Errorf("v4 customer after the purchase: ltv %v, purchases %v", cust["ltv"], cust["purchases_count"])
		}

		// A purchase dated in the past lands on that day.
		p = m.post(t, path+"/purchases", url.Values{"price": {"300"}, "date": {"2025-01-15"}})
		expect(t, p, http.StatusSeeOther)
		expect(t, m.get(t, path), http.StatusOK, "Jan 15, 2025")

		// Bad purchases: the card again, the error beside the form, what
		// was typed kept; nothing written.
		for _, tc := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"price": {""}, "comment": {"kept text"}}, "Amount: required."},
			{url.Values{"price": {"-5"}, "comment": {"kept text"}}, "write a whole amount"},
			{url.Values{"price": {"ten"}, "comment": {"kept text"}}, "write a whole amount"},
			{url.Values{"price": {"10"}, "date": {"15.01.2025"}, "comment": {"kept text"}}, "write a date"},
		} {
			p := m.post(t, path+"/purchases", tc.form)
			expect(t, p, http.StatusUnprocessableEntity, `id="purchase-error"`, tc.want, `value="kept text"`)
		}
		if _, n, err := m.service().Transactions(ctx, m.Actor, crm.TransactionQuery{CustomerIDs: []int64{c.ID}}); err != nil || n != 2 {
			t.Errorf("after the refused purchases: %d purchases, %v", n, err)
		}
		expect(t, m.post(t, "/customers/999999/purchases", url.Values{"price": {"1"}}), http.StatusNotFound, "No such customer.")
		expect(t, m.get(t, "/customers/999999"), http.StatusNotFound, "No such customer.")
		expect(t, m.get(t, "/customers/abc"), http.StatusNotFound, "The address names no record.")

		// Edit: the next purchase and a status by hand.
		fresh, err := m.service().Customer(ctx, m.Actor, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		statuses, err := m.service().CustomerStatuses(ctx, m.Actor)
		if err != nil {
			t.Fatal(err)
		}
		var closed int64
		for _, s := range statuses {
			if s.Type == crm.StatusClosed {
				closed = s.ID
			}
		}
		version := fmt.Sprint(fresh.UpdatedAt.Unix())
		edit := url.Values{"updated_at": {version}, "name": {fresh.Name}, "responsible": {fmt.Sprint(m.UserID)},
			"next_date": {"2031-05-20"}, "next_price": {"4 500"}, "periodicity": {"30"}, "status": {fmt.Sprint(closed)}}
		p = m.post(t, path, edit)
		if p.Status != http.StatusSeeOther || p.Location != path {
			t.Fatalf("edit: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		cust = m.amocrm(t, http.MethodGet, fmt.Sprintf("/api/v4/customers/%d", c.ID), "").Object(t)
		wantNext := time.Date(2031, 5, 20, 0, 0, 0, 0, m.Actor.Location()).Unix()
		if num(cust["next_date"]) != wantNext || num(cust["next_price"]) != 4500 || num(cust["status_id"]) != closed {
			t.Errorf("v4 after the edit: next_date %v (want %d), next_price %v, status %v (want %d)",
				cust["next_date"], wantNext, cust["next_price"], cust["status_id"], closed)
		}
		// The same form again, based on the old version: refused, nothing
		// written, the typed values kept.
		edit.Set("next_price", "9999")
		p = m.post(t, path, edit)
		expect(t, p, http.StatusConflict, `id="edit-error"`, "Someone changed this customer", `value="9999"`)
		cust = m.amocrm(t, http.MethodGet, fmt.Sprintf("/api/v4/customers/%d", c.ID), "").Object(t)
		if num(cust["next_price"]) != 4500 {
			t.Errorf("a stale edit wrote next_price %v", cust["next_price"])
		}
		// Bad input.
		fresh, _ = m.service().Customer(ctx, m.Actor, c.ID)
		version = fmt.Sprint(fresh.UpdatedAt.Unix())
		for _, tc := range []struct {
			key, value, want string
		}{
			{"name", "  ", "Name: required."},
			{"responsible", "999999", "Responsible: not one of the choices."},
			{"next_date", "May 20", "write a date"},
			{"next_price", "-1", "write a whole amount"},
			{"periodicity", "-3", "Days between purchases: must be 0 or more."},
			{"status", "999999", "Status: not one of the choices."},
		} {
			form := url.Values{"updated_at": {version}, "name": {fresh.Name}, "responsible": {fmt.Sprint(m.UserID)},
				"next_date": {"2031-05-20"}, "next_price": {"4500"}, "periodicity": {"30"}, "status": {fmt.Sprint(closed)}}
			form.Set(tc.key, tc.value)
			expect(t, m.post(t, path, form), http.StatusUnprocessableEntity, tc.want)
		}
		// Clearing the next purchase date.
		form := url.Values{"updated_at": {version}, "name": {"Coffee Shop"}, "next_date": {""}}
		expect(t, m.post(t, path, form), http.StatusSeeOther)
		cust = m.amocrm(t, http.MethodGet, fmt.Sprintf("/api/v4/customers/%d", c.ID), "").Object(t)
		if cust["next_date"] != nil || cust["name"] != "Coffee Shop" {
			t.Errorf("after clearing: next_date %v, name %v", cust["next_date"], cust["name"])
		}

		// Russian.
		p = m.do(t, http.MethodGet, path, nil, "Accept-Language", "ru")
		expect(t, p, http.StatusOK, "Добавить покупку", "История")
	})
}

// TestCustomerNewForm: the board's form makes a customer through the
// domain's rules: in the periodicity mode the next purchase date is
// required, and a refusal keeps what was typed.
func TestCustomerNewForm(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "New")
		m.setCustomersMode(t, crm.CustomersPeriodicity)
		m.signIn(t)
		p := m.post(t, "/customers", url.Values{"name": {"Bakery"}, "next_price": {"800"}})
		expect(t, p, http.StatusUnprocessableEntity, `id="new-customer-error"`, "Next purchase date: required.", `value="Bakery"`,
			`id="customers-board"`)
		expect(t, m.post(t, "/customers", url.Values{"name": {""}, "next_date": {"2030-01-01"}}), http.StatusUnprocessableEntity, "Name: required.")
		expect(t, m.post(t, "/customers", url.Values{"name": {"X"}, "next_date": {"01/01/2030"}}), http.StatusUnprocessableEntity, "write a date")
		expect(t, m.post(t, "/customers", url.Values{"name": {"X"}, "next_date": {"2030-01-01"}, "next_price": {"lots"}}),
			http.StatusUnprocessableEntity, "write a whole amount")
		p = m.post(t, "/customers", url.Values{"name": {"Bakery"}, "next_date": {"2030-01-01"}, "next_price": {"800"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/customers/") {
			t.Fatalf("new customer: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		expect(t, m.get(t, p.Location), http.StatusOK, "Bakery", "₽800", "Jan 1, 2030")
		list := m.amocrm(t, http.MethodGet, "/api/v4/customers", "")
		if !strings.Contains(string(list.Body), `"name":"Bakery"`) {
			t.Errorf("amoCRM does not list the new customer: %s", list.Body)
		}
	})
}
