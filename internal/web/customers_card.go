package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// The customer card (/customers/{id}): the customer's fields, status (in
// the periodicity mode) or segments (in the segments mode), responsible,
// linked contacts and company, the expected next purchase, the purchases
// with a form to add one, and the history.
//
// The edit form sends only what the user changed, together with the
// updated_at the card was read at: the domain refuses the change as stale
// when someone wrote the customer since (crm.UpdateCustomersAtomic, as
// amoCRM v4's PATCH with updated_at), and a status is sent only when it was
// picked by hand, so that the life-cycle rules keep moving the others.
// A purchase is crm.AddTransactions, the call of POST
// /api/v4/customers/{id}/transactions: the same validation, and the same
// consequences (purchase totals, next purchase date moved on by the
// customer's periodicity, status).

// customerHistoryLength is how many history entries and purchases the card
// shows.
const customerHistoryLength = 100

// purchaseForm keeps what a refused purchase form was sent with.
type purchaseForm struct {
	Price, Date, Comment string
	Error                string
}

// customerEditForm is the edit form's values: the customer's, or what a
// refused form was sent with.
type customerEditForm struct {
	Name        string
	Responsible string
	NextDate    string
	NextPrice   string
	Periodicity string
	Status      string
	Segments    map[int64]bool
	Error       string
}

// linkedContact is a contact linked to the customer.
type linkedContact struct {
	ID   int64
	Name string
	Main bool
}

// customerCardData is the card's content.
type customerCardData struct {
	Customer    crm.Customer
	Mode        crm.CustomersMode
	Status      *crm.CustomerStatus
	Statuses    []crm.CustomerStatus
	Segments    []segmentView
	AllSegments []segmentView
	Responsible string
	Users       []crm.User
	Contacts    []linkedContact
	Company     string
	Fields      []fieldRow
	Overdue     bool
	Purchases   []crm.Transaction
	// PurchasesTotal is the number of purchases, of which the card lists
	// the newest customerHistoryLength.
	PurchasesTotal int
	Timeline       []timelineEntry
	Purchase       purchaseForm
	Edit           customerEditForm
}

// Periodicity says the account is in the periodicity mode.
func (d customerCardData) Periodicity() bool { return d.Mode == crm.CustomersPeriodicity }

// SegmentsMode says the account is in the segments mode.
func (d customerCardData) SegmentsMode() bool { return d.Mode == crm.CustomersSegments }

func (h *handler) customerCard(w http.ResponseWriter, r *http.Request, v *view) {
	data, err := h.customerCardData(r.Context(), r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "customer", v, data)
}

// customerCardData reads the customer of the path for its card.
func (h *handler) customerCardData(ctx context.Context, r *http.Request, v *view) (customerCardData, error) {
	v.Section, v.Title = "customers", v.T("nav.customers")
	id, err := pathID(r, v)
	if err != nil {
		return customerCardData{}, err
	}
	a, err := h.svc.Account(ctx, v.Actor)
	if err != nil {
		return customerCardData{}, customerError(v, err)
	}
	c, err := h.svc.Customer(ctx, v.Actor, id)
	if err != nil {
		return customerCardData{}, customerError(v, err)
	}
	v.Title = c.Name
	data := customerCardData{Customer: c, Mode: a.CustomersMode, Overdue: overdue(v, c)}
	switch data.Mode {
	case crm.CustomersPeriodicity:
		if data.Statuses, err = h.svc.CustomerStatuses(ctx, v.Actor); err != nil {
			return data, customerError(v, err)
		}
		sort.SliceStable(data.Statuses, func(i, j int) bool { return data.Statuses[i].Sort < data.Statuses[j].Sort })
		for i := range data.Statuses {
			if data.Statuses[i].ID == c.StatusID {
				data.Status = &data.Statuses[i]
			}
		}
	case crm.CustomersSegments:
		list, _, _, err := h.svc.Segments(ctx, v.Actor, crm.Page{Limit: crm.MaxPageLimit})
		if err != nil {
			return data, customerError(v, err)
		}
		data.AllSegments = segmentViews(list)
		in := map[int64]bool{}
		for _, sid := range c.SegmentIDs {
			in[sid] = true
		}
		for _, s := range data.AllSegments {
			if in[s.ID] {
				data.Segments = append(data.Segments, s)
			}
		}
	}
	if data.Users, err = h.svc.AccountUsers(ctx, v.Actor); err != nil {
		return data, customerError(v, err)
	}
	users := map[int64]string{}
	for _, u := range data.Users {
		users[u.ID] = u.Name
	}
	data.Responsible = users[c.ResponsibleUserID]
	if len(c.Contacts) > 0 {
		ids := make([]int64, len(c.Contacts))
		for i, l := range c.Contacts {
			ids[i] = l.ContactID
		}
		list, _, err := h.svc.Contacts(ctx, v.Actor, crm.ListQuery{IDs: ids, Limit: len(ids)})
		if err != nil {
			return data, customerError(v, err)
		}
		names := map[int64]string{}
		for _, ct := range list {
			names[ct.ID] = ct.Name
		}
		for _, l := range c.Contacts {
			if name, ok := names[l.ContactID]; ok {
				data.Contacts = append(data.Contacts, linkedContact{ID: l.ContactID, Name: name, Main: l.IsMain})
			}
		}
	}
	if c.CompanyID != 0 {
		co, err := h.svc.Company(ctx, v.Actor, c.CompanyID)
		if err != nil && crm.KindOf(err) != crm.KindNotFound {
			return data, customerError(v, err)
		}
		data.Company = co.Name
	}
	for _, fv := range c.Fields {
		if text := fieldText(v, fv); text != "" {
			data.Fields = append(data.Fields, fieldRow{Name: fv.FieldName, Value: text})
		}
	}
	if data.Purchases, data.PurchasesTotal, err = h.svc.Transactions(ctx, v.Actor,
		crm.TransactionQuery{CustomerIDs: []int64{id}, Limit: customerHistoryLength}); err != nil {
		return data, customerError(v, err)
	}
	sort.SliceStable(data.Purchases, func(i, j int) bool {
		return data.Purchases[i].CompletedAt.After(data.Purchases[j].CompletedAt)
	})
	entries, err := h.svc.History(ctx, v.Actor, crm.HistoryQuery{EntityTypes: []crm.EntityType{crm.EntityCustomer},
		EntityIDs: []int64{id}, Limit: customerHistoryLength})
	if err != nil {
		return data, customerError(v, err)
	}
	data.Timeline = customerTimeline(v, entries, data.Purchases, users)
	data.Edit = customerEditForm{Name: c.Name, Responsible: strconv.FormatInt(c.ResponsibleUserID, 10),
		NextDate: v.ISODate(c.NextDate), Periodicity: strconv.Itoa(c.Periodicity),
		Status: strconv.FormatInt(c.StatusID, 10), Segments: map[int64]bool{}}
	if c.NextPrice != 0 {
		data.Edit.NextPrice = strconv.FormatInt(c.NextPrice, 10)
	}
	for _, sid := range c.SegmentIDs {
		data.Edit.Segments[sid] = true
	}
	data.Purchase.Date = v.ISODate(v.now)
	return data, nil
}

// customerTimeline merges the customer's history (created, changed,
// notes) with its purchases, newest first.
func customerTimeline(v *view, entries []crm.LogEntry, purchases []crm.Transaction, users map[int64]string) []timelineEntry {
	var out []timelineEntry
	for _, l := range entries {
		e := timelineEntry{ID: l.ID, At: l.CreatedAt, Kind: "other", Author: users[l.Author()]}
		var data map[string]any
		_ = json.Unmarshal(l.Data, &data)
		text := func() string {
			for _, k := range []string{"text", "comment"} {
				if s, _ := data[k].(string); s != "" {
					return s
				}
			}
			return ""
		}
		switch l.TypeID {
		case crm.LogCustomerCreated:
			e.Kind, e.Title = "created", v.T("customer.created")
		case crm.LogCustomerUpdated:
			e.Kind, e.Title = "change", v.T("customer.changed")
		case crm.LogCustomerComment:
			e.Kind, e.Title, e.Body = "comment", v.T("timeline.comment"), text()
		case crm.LogCustomerCall:
			e.Kind, e.Title, e.Body = "call", v.T("timeline.call"), text()
		default:
			e.Title, e.Body = v.T("timeline.event"), text()
		}
		out = append(out, e)
	}
	for _, p := range purchases {
		e := timelineEntry{At: p.CompletedAt, Kind: "purchase", Author: users[p.CreatedBy],
			Title: v.T("customer.purchased", v.Money(p.Price)), Body: p.Comment}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out
}

// addPurchase records a purchase from the card's form.
func (h *handler) addPurchase(w http.ResponseWriter, r *http.Request, v *view) {
	form := purchaseForm{Price: strings.TrimSpace(r.PostFormValue("price")), Date: strings.TrimSpace(r.PostFormValue("date")),
		Comment: r.PostFormValue("comment")}
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	err = func() error {
		n := crm.NewTransaction{CustomerID: id, Comment: strings.TrimSpace(form.Comment)}
		if form.Price != "" {
			// An empty amount stays "not given", for the domain to
			// call it required in its own words.
			p, err := parseAmount(v, form.Price, "customers.param.price")
			if err != nil {
				return err
			}
			n.Price = &p
		}
		if form.Date != "" {
			d, err := parseDay(v, form.Date, "customer.purchase_date")
			if err != nil {
				return err
			}
			// Today's purchase is now; another day's, its noon: a day
			// chosen in a calendar, kept on that day in any time zone
			// near the account's.
			if d.Format(time.DateOnly) != v.ISODate(v.now) {
				d = d.Add(12 * time.Hour)
				n.CompletedAt = &d
			}
		}
		_, err := h.svc.AddTransactions(r.Context(), v.Actor, []crm.NewTransaction{n})
		return err
	}()
	if err != nil {
		h.refuseCustomerForm(w, r, v, customerError(v, err), func(d *customerCardData, msg string) {
			form.Error = msg
			d.Purchase = form
		})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d#purchases", id), http.StatusSeeOther)
}

// editCustomer saves the card's edit form: only the fields that differ
// from what the card showed, based on the version it was read at.
func (h *handler) editCustomer(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	r.ParseForm()
	form := customerEditForm{Name: r.PostFormValue("name"), Responsible: r.PostFormValue("responsible"),
		NextDate: strings.TrimSpace(r.PostFormValue("next_date")), NextPrice: strings.TrimSpace(r.PostFormValue("next_price")),
		Periodicity: strings.TrimSpace(r.PostFormValue("periodicity")), Status: r.PostFormValue("status"), Segments: map[int64]bool{}}
	err = func() error {
		a, err := h.svc.Account(ctx, v.Actor)
		if err != nil {
			return err
		}
		c, err := h.svc.Customer(ctx, v.Actor, id)
		if err != nil {
			return err
		}
		in := crm.CustomerInput{ID: id}
		if s := r.PostFormValue("updated_at"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return crm.Errorf(crm.KindInvalid, "%s", v.T("customer.bad_version"))
			}
			seen := time.Unix(n, 0)
			in.SeenUpdatedAt = &seen
		}
		if form.Name != c.Name {
			in.Name = &form.Name
		}
		if form.Responsible != "" && form.Responsible != strconv.FormatInt(c.ResponsibleUserID, 10) {
			n, err := strconv.ParseInt(form.Responsible, 10, 64)
			if err != nil {
				return crm.Errorf(crm.KindInvalid, "%s", v.T("customers.rule.choice", v.T("common.responsible")))
			}
			in.ResponsibleUserID = &n
		}
		if form.NextDate != v.ISODate(c.NextDate) {
			var d time.Time // empty: no expected purchase, as v4's next_date 0
			if form.NextDate != "" {
				if d, err = parseDay(v, form.NextDate, "customers.next_date"); err != nil {
					return err
				}
			}
			in.NextDate = &d
		}
		if form.NextPrice != "" || c.NextPrice != 0 {
			n, err := parseAmount(v, form.NextPrice, "customers.next_price")
			if err != nil {
				return err
			}
			if n != c.NextPrice {
				in.NextPrice = &n
			}
		}
		if form.Periodicity != "" && form.Periodicity != strconv.Itoa(c.Periodicity) {
			n, err := strconv.Atoi(form.Periodicity)
			if err != nil {
				return crm.Errorf(crm.KindInvalid, "%s", v.T("customers.rule.range", v.T("customers.param.periodicity")))
			}
			in.Periodicity = &n
		}
		if a.CustomersMode == crm.CustomersPeriodicity && form.Status != "" && form.Status != strconv.FormatInt(c.StatusID, 10) {
			n, err := strconv.ParseInt(form.Status, 10, 64)
			if err != nil {
				return crm.Errorf(crm.KindInvalid, "%s", v.T("customers.rule.choice", v.T("customers.status")))
			}
			in.StatusID = &n
		}
		if a.CustomersMode == crm.CustomersSegments && r.PostFormValue("segments_shown") != "" {
			ids := []int64{}
			for _, s := range r.PostForm["segment"] {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return crm.Errorf(crm.KindInvalid, "%s", v.T("customers.rule.choice", v.T("customers.segments")))
				}
				ids = append(ids, n)
				form.Segments[n] = true
			}
			if !sameIDs(ids, c.SegmentIDs) {
				in.SegmentIDs = &ids
			}
		}
		_, err = h.svc.UpdateCustomersAtomic(ctx, v.Actor, []crm.CustomerInput{in})
		return err
	}()
	if err != nil {
		h.refuseCustomerForm(w, r, v, customerError(v, err), func(d *customerCardData, msg string) {
			form.Error = msg
			if d.Mode != crm.CustomersSegments || r.PostFormValue("segments_shown") == "" {
				form.Segments = d.Edit.Segments
			}
			d.Edit = form
		})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/customers/%d", id), http.StatusSeeOther)
}

// sameIDs reports whether two id lists hold the same ids.
func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[int64]bool{}
	for _, x := range a {
		in[x] = true
	}
	for _, x := range b {
		if !in[x] {
			return false
		}
	}
	return true
}

// refuseCustomerForm answers a card form the domain refused: bad input or
// a stale version gets the card again, with the message beside the form
// and what was typed kept; anything else (the customer is gone, the
// customers are switched off) is an error page.
func (h *handler) refuseCustomerForm(w http.ResponseWriter, r *http.Request, v *view, err error, keep func(*customerCardData, string)) {
	if k := crm.KindOf(err); k != crm.KindInvalid && k != crm.KindConflict {
		h.renderError(w, r, v, err)
		return
	}
	data, cardErr := h.customerCardData(r.Context(), r, v)
	if cardErr != nil {
		h.renderError(w, r, v, cardErr)
		return
	}
	keep(&data, errorMessage(err))
	h.render(w, r, errorStatus(err), "customer", v, data)
}

var customerCardMessages = catalog{
	"customer.back":        {"All customers", "Все покупатели"},
	"customer.created":     {"Customer created", "Покупатель создан"},
	"customer.changed":     {"Customer changed", "Покупатель изменён"},
	"customer.purchased":   {"Purchase: %s", "Покупка: %s"},
	"customer.details":     {"Customer", "Покупатель"},
	"customer.contacts":    {"Contacts", "Контакты"},
	"customer.no_contacts": {"No contacts linked.", "Контакты не привязаны."},
	"customer.main":        {"main", "основной"},
	"customer.company":     {"Company", "Компания"},
	"customer.ltv":         {"Sum of purchases", "Сумма покупок"},
	"customer.count":       {"Number of purchases", "Число покупок"},
	"customer.average":     {"Average check", "Средний чек"},
	"customer.periodicity": {"Days between purchases", "Дней между покупками"},
	"customer.periodicity_hint": {"A purchase without a new date moves the next purchase on by this many days (0: it does not).",
		"Покупка без новой даты переносит следующую на столько дней вперёд (0 — не переносит)."},
	"customer.status_hint": {"A status picked by hand stays until the life-cycle rules move the customer (the next purchase date comes near or passes).",
		"Статус, выбранный вручную, держится, пока правила жизненного цикла не переведут покупателя (приблизится или пройдёт дата следующей покупки)."},
	"customer.edit":             {"Edit", "Изменить"},
	"customer.no_segments":      {"In no segment.", "Ни в одном сегменте."},
	"customer.history":          {"History", "История"},
	"customer.no_history":       {"Nothing has happened yet.", "Пока ничего не происходило."},
	"customer.purchases":        {"Purchases", "Покупки"},
	"customer.no_purchases":     {"No purchases yet.", "Покупок пока нет."},
	"customer.purchases_shown":  {"The newest %d of %s purchases.", "Последние %d из %s покупок."},
	"customer.add_purchase":     {"Add a purchase", "Добавить покупку"},
	"customer.purchase_amount":  {"Amount", "Сумма"},
	"customer.purchase_date":    {"Date", "Дата"},
	"customer.purchase_comment": {"Comment", "Комментарий"},
	"customer.purchase_hint": {"The sum, count and average check follow; the next purchase date moves on by the days between purchases, and the status with it.",
		"Сумма, число покупок и средний чек пересчитаются; дата следующей покупки сдвинется на число дней между покупками, а статус — вслед за ней."},
	"customer.add":           {"Add", "Добавить"},
	"customer.bad_version":   {"The form is damaged: reload the card.", "Форма повреждена: обновите карточку."},
	"customer.date":          {"Date", "Дата"},
	"customer.comment":       {"Comment", "Комментарий"},
	"customer.amount":        {"Amount", "Сумма"},
	"customer.by":            {"By", "Кто"},
	"customer.nobody":        {"—", "—"},
	"customer.overdue_since": {"Overdue: expected on %s", "Просрочена: ожидалась %s"},
	"customer.updated":       {"Changed", "Изменён"},
}
