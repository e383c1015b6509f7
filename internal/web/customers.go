package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Customers (/customers): amoCRM's repeat-purchase customers, the records
// its v2 and v4 customers APIs serve. What the page shows follows the
// account's customers mode (crm.Account.CustomersMode):
//
//   - periodicity: a board with a column per customer status, in the
//     order of the life cycle (crm.LifecycleStatus), each card saying when
//     the next purchase is expected and for how much, and when the last
//     one was; a customer whose expected purchase day has passed is marked
//     overdue. A column shows its first customersPerColumn cards and links
//     to the list filtered by its status for the rest.
//   - segments: the list, filtered by segment (a customer may be in
//     several), with each customer's segments, next purchase and
//     purchase count and sum.
//   - disabled: a page saying so, with the way to the mode switch for an
//     administrator.
//
// Every write goes through the service calls the APIs use (AddCustomers,
// UpdateCustomersAtomic, AddTransactions, SetCustomersMode), so the rules,
// the life cycle and the version (updated_at) are the same as theirs; the
// web only words the domain's refusals in the user's language.

// customersPerColumn is how many cards a board column shows.
const customersPerColumn = 50

// customersPerPage is the list's page size.
const customersPerPage = 50

// customerRoutes registers the customers' routes.
func (h *handler) customerRoutes(mux *http.ServeMux) {
	mux.Handle("GET /customers", h.signedIn(h.customers))
	mux.Handle("POST /customers", h.signedIn(h.addCustomer))
	mux.Handle("GET /customers/mode", h.signedIn(h.customersModePage))
	mux.Handle("POST /customers/mode", h.signedIn(h.setCustomersMode))
	mux.Handle("GET /customers/{id}", h.signedIn(h.customerCard))
	mux.Handle("POST /customers/{id}", h.signedIn(h.editCustomer))
	mux.Handle("POST /customers/{id}/purchases", h.signedIn(h.addPurchase))
}

// segmentView is a segment as a tag: its name in its colour.
type segmentView struct {
	ID    int64
	Name  string
	Color string // "#rrggbb"
}

func segmentViews(list []crm.Segment) []segmentView {
	out := make([]segmentView, 0, len(list))
	for _, s := range list {
		out = append(out, segmentView{ID: s.ID, Name: s.Name, Color: "#" + s.Color})
	}
	return out
}

// customerItem is a customer as a board card or a list row shows it.
type customerItem struct {
	ID           int64
	Name         string
	NextDate     time.Time
	NextPrice    int64
	LastPurchase time.Time
	Purchases    int
	LTV          int64
	// Overdue says the expected purchase day has passed without a
	// purchase on or after it.
	Overdue  bool
	Status   string
	Segments []segmentView
}

// overdue reports whether c's expected purchase day is over and no
// purchase came on or after it: the day, not the moment, since the
// workspace sets next purchase dates as days.
func overdue(v *view, c crm.Customer) bool {
	if c.NextDate.IsZero() {
		return false
	}
	if !c.LastPurchaseAt.IsZero() && !c.LastPurchaseAt.Before(c.NextDate) {
		return false
	}
	return v.ISODate(c.NextDate) < v.ISODate(v.now)
}

func newCustomerItem(v *view, c crm.Customer, statuses map[int64]string, segments map[int64]segmentView) customerItem {
	it := customerItem{ID: c.ID, Name: c.Name, NextDate: c.NextDate, NextPrice: c.NextPrice, LastPurchase: c.LastPurchaseAt,
		Purchases: int(c.PurchasesCount), LTV: c.LTV, Overdue: overdue(v, c), Status: statuses[c.StatusID]}
	for _, id := range c.SegmentIDs {
		if s, ok := segments[id]; ok {
			it.Segments = append(it.Segments, s)
		}
	}
	return it
}

// customerColumn is one status of the board.
type customerColumn struct {
	Status crm.CustomerStatus
	Count  int
	Cards  []customerItem
	// More is how many of the status's customers the column leaves out.
	More int
}

// newCustomerForm keeps what a refused "new customer" form was sent with.
type newCustomerForm struct {
	Name, NextDate, NextPrice string
	Error                     string
}

// customersData is the customers page's content.
type customersData struct {
	Mode crm.CustomersMode
	// List is the list view (always in the segments mode; in the
	// periodicity mode when asked for with view=list).
	List     bool
	Columns  []customerColumn
	Statuses []crm.CustomerStatus
	Segments []segmentView
	// StatusID and SegmentID are the list's filter; Query its search.
	StatusID   int64
	SegmentID  int64
	Query      string
	Rows       []customerItem
	Total      int
	FirstRow   int
	LastRow    int
	HasPrev    bool
	HasNext    bool
	PrevOffset int
	NextOffset int
	New        newCustomerForm
	// Today is the new customer form's default next purchase day.
	Today string
}

// Disabled says customers are switched off.
func (d customersData) Disabled() bool { return d.Mode == crm.CustomersDisabled }

// Periodicity says the account is in the periodicity mode.
func (d customersData) Periodicity() bool { return d.Mode == crm.CustomersPeriodicity }

// SegmentsMode says the account groups customers by segment.
func (d customersData) SegmentsMode() bool { return d.Mode == crm.CustomersSegments }

// Filtered says the list is narrowed by a filter or a search.
func (d customersData) Filtered() bool { return d.StatusID != 0 || d.SegmentID != 0 || d.Query != "" }

// PageQuery is the list's query string at another offset (a template.URL
// so that html/template keeps its "&" and "=").
func (d customersData) PageQuery(offset int) template.URL {
	q := url.Values{}
	if d.Periodicity() {
		q.Set("view", "list")
	}
	if d.StatusID != 0 {
		q.Set("status", strconv.FormatInt(d.StatusID, 10))
	}
	if d.SegmentID != 0 {
		q.Set("segment", strconv.FormatInt(d.SegmentID, 10))
	}
	if d.Query != "" {
		q.Set("q", d.Query)
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return template.URL(q.Encode())
}

func (h *handler) customers(w http.ResponseWriter, r *http.Request, v *view) {
	data, err := h.customersPage(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "customers", v, data)
}

// customersPage reads the page of the account's mode: the board, the list
// or the disabled state.
func (h *handler) customersPage(r *http.Request, v *view) (customersData, error) {
	ctx := r.Context()
	v.Section, v.Title = "customers", v.T("nav.customers")
	a, err := h.svc.Account(ctx, v.Actor)
	if err != nil {
		return customersData{}, customerError(v, err)
	}
	data := customersData{Mode: a.CustomersMode, Today: v.ISODate(v.now)}
	if data.Mode == crm.CustomersDisabled {
		return data, nil
	}
	q := r.URL.Query()
	data.Query = strings.TrimSpace(q.Get("q"))
	data.List = data.Mode == crm.CustomersSegments || q.Get("view") == "list"
	statusNames := map[int64]string{}
	segments := map[int64]segmentView{}
	if data.Periodicity() {
		if data.Statuses, err = h.svc.CustomerStatuses(ctx, v.Actor); err != nil {
			return data, customerError(v, err)
		}
		sort.SliceStable(data.Statuses, func(i, j int) bool {
			if data.Statuses[i].Sort != data.Statuses[j].Sort {
				return data.Statuses[i].Sort < data.Statuses[j].Sort
			}
			return data.Statuses[i].ID < data.Statuses[j].ID
		})
		for _, s := range data.Statuses {
			statusNames[s.ID] = s.Name
		}
		if data.StatusID, err = queryID(v, q, "status"); err != nil {
			return data, customerError(v, err)
		}
		if _, ok := statusNames[data.StatusID]; data.StatusID != 0 && !ok {
			return data, crm.Errorf(crm.KindNotFound, "%s", v.T("customers.no_status"))
		}
	} else {
		list, _, _, err := h.svc.Segments(ctx, v.Actor, crm.Page{Limit: crm.MaxPageLimit})
		if err != nil {
			return data, err
		}
		data.Segments = segmentViews(list)
		for _, s := range data.Segments {
			segments[s.ID] = s
		}
		if data.SegmentID, err = queryID(v, q, "segment"); err != nil {
			return data, err
		}
		if _, ok := segments[data.SegmentID]; data.SegmentID != 0 && !ok {
			return data, crm.Errorf(crm.KindNotFound, "%s", v.T("customers.no_segment"))
		}
	}
	if !data.List {
		v.Title = v.T("customers.board")
		for _, s := range data.Statuses {
			list, total, err := h.svc.Customers(ctx, v.Actor, crm.CustomerQuery{StatusIDs: []int64{s.ID}, Search: data.Query,
				OrderBy: "next_date", Limit: customersPerColumn})
			if err != nil {
				return data, customerError(v, err)
			}
			col := customerColumn{Status: s, Count: total, More: total - len(list)}
			for _, c := range list {
				col.Cards = append(col.Cards, newCustomerItem(v, c, statusNames, segments))
			}
			data.Columns = append(data.Columns, col)
		}
		return data, nil
	}
	offset, err := queryOffset(v, q, "customers.bad_offset")
	if err != nil {
		return data, err
	}
	cq := crm.CustomerQuery{Search: data.Query, OrderBy: "next_date", Limit: customersPerPage, Offset: offset}
	if data.StatusID != 0 {
		cq.StatusIDs = []int64{data.StatusID}
	}
	if data.SegmentID != 0 {
		cq.SegmentIDs = []int64{data.SegmentID}
	}
	list, total, err := h.svc.Customers(ctx, v.Actor, cq)
	if err != nil {
		return data, customerError(v, err)
	}
	for _, c := range list {
		data.Rows = append(data.Rows, newCustomerItem(v, c, statusNames, segments))
	}
	data.Total = total
	data.FirstRow, data.LastRow = offset+1, offset+len(data.Rows)
	data.HasPrev, data.PrevOffset = offset > 0, max(0, offset-customersPerPage)
	data.HasNext, data.NextOffset = data.LastRow < data.Total, offset+customersPerPage
	return data, nil
}

// queryID reads an optional id filter ("status", "segment") from the
// query: 0 when absent or empty.
func queryID(v *view, q url.Values, key string) (int64, error) {
	s := q.Get(key)
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.Errorf(crm.KindInvalid, "%s", v.T("customers.bad_filter", key))
	}
	return id, nil
}

// parseDay reads a date input's day (YYYY-MM-DD) as its first moment in
// the account's time zone; field names the input in the error.
func parseDay(v *view, s, field string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), v.loc)
	if err != nil {
		return time.Time{}, crm.Errorf(crm.KindInvalid, "%s", v.T("customers.bad_date", v.T(field)))
	}
	return t, nil
}

// parseAmount reads a whole amount of money; field names it in the error.
func parseAmount(v *view, s, field string) (int64, error) {
	n, err := parsePrice(s)
	if err != nil {
		return 0, crm.Errorf(crm.KindInvalid, "%s", v.T("customers.bad_amount", v.T(field)))
	}
	return n, nil
}

// addCustomer creates a customer from the page's form (crm AddCustomers,
// as POST /api/v4/customers does: in the periodicity mode the next
// purchase date is required) and opens its card.
func (h *handler) addCustomer(w http.ResponseWriter, r *http.Request, v *view) {
	form := newCustomerForm{Name: r.PostFormValue("name"), NextDate: strings.TrimSpace(r.PostFormValue("next_date")),
		NextPrice: strings.TrimSpace(r.PostFormValue("next_price"))}
	in := crm.CustomerInput{Name: &form.Name}
	err := func() error {
		if form.NextDate != "" {
			d, err := parseDay(v, form.NextDate, "customers.next_date")
			if err != nil {
				return err
			}
			in.NextDate = &d
		}
		if form.NextPrice != "" {
			n, err := parseAmount(v, form.NextPrice, "customers.next_price")
			if err != nil {
				return err
			}
			in.NextPrice = &n
		}
		added, err := h.svc.AddCustomers(r.Context(), v.Actor, []crm.CustomerInput{in})
		if err != nil {
			return err
		}
		http.Redirect(w, r, fmt.Sprintf("/customers/%d", added[0].ID), http.StatusSeeOther)
		return nil
	}()
	if err == nil {
		return
	}
	err = customerError(v, err)
	if crm.KindOf(err) != crm.KindInvalid {
		h.renderError(w, r, v, err)
		return
	}
	data, pageErr := h.customersPage(r, v)
	if pageErr != nil {
		h.renderError(w, r, v, pageErr)
		return
	}
	if data.Disabled() {
		// Switched off: the page has no form to show the error beside.
		h.renderError(w, r, v, err)
		return
	}
	form.Error = errorMessage(err)
	data.New = form
	h.render(w, r, errorStatus(err), "customers", v, data)
}

// customerError words the domain's customer errors in the user's
// language: customers switched off or in another mode, a missing
// customer, a change based on an old version, an administrator's action,
// and each broken rule of a form, named by its field.
func customerError(v *view, err error) error {
	e, ok := crm.AsError(err)
	if !ok {
		return err
	}
	switch e.Kind {
	case crm.KindUnprocessable:
		// The account's mode refuses the call: valid input the account's
		// state does not take, which the workspace shows as 422.
		return crm.Errorf(crm.KindInvalid, "%s", v.T("customers.unavailable"))
	case crm.KindNotFound:
		return crm.Errorf(crm.KindNotFound, "%s", v.T("customers.not_found"))
	case crm.KindConflict:
		return crm.Errorf(crm.KindConflict, "%s", v.T("customers.stale"))
	case crm.KindForbidden:
		return crm.Errorf(crm.KindForbidden, "%s", v.T("customers.admin_only"))
	case crm.KindInvalid:
		if len(e.Violations) == 0 {
			return err
		}
		var parts []string
		for _, vio := range e.Violations {
			parts = append(parts, customerViolation(v, vio))
		}
		return crm.Errorf(crm.KindInvalid, "%s", strings.Join(parts, " "))
	}
	return err
}

// customerViolation is one broken rule of a customer or purchase form.
func customerViolation(v *view, vio crm.Violation) string {
	path := vio.Path
	if strings.HasPrefix(path, "_embedded.segments") {
		path = "segments"
	}
	field := path
	if key := "customers.param." + path; hasMessage(key) {
		field = v.T(key)
	}
	switch vio.Code {
	case crm.ViolationRequired, crm.ViolationBlank:
		return v.T("customers.rule.required", field)
	case crm.ViolationRange:
		return v.T("customers.rule.range", field)
	case crm.ViolationChoice:
		return v.T("customers.rule.choice", field)
	case crm.ViolationTooLong:
		return v.T("clients.too_long", field)
	case crm.ViolationEncoding, crm.ViolationControl:
		return v.T("clients.bad_text", field)
	}
	detail := vio.Detail
	if detail == "" {
		detail = strings.ReplaceAll(vio.Code, "_", " ")
	}
	return field + ": " + detail
}

var customerMessages = catalog{
	"customers.board":            {"Customers", "Покупатели"},
	"customers.view_board":       {"Board", "Воронка"},
	"customers.view_list":        {"List", "Список"},
	"customers.mode_label":       {"Mode: %s", "Режим: %s"},
	"customers.change_mode":      {"Change mode", "Сменить режим"},
	"customers.mode.disabled":    {"Off", "Выключены"},
	"customers.mode.periodicity": {"Periodicity", "Периодичность"},
	"customers.mode.segments":    {"Segments", "Сегменты"},
	"customers.off_title":        {"Customers are switched off", "Покупатели выключены"},
	"customers.off_text": {"Customers are repeat buyers: people and companies who purchase again and again. crmd keeps when each bought last and when the next purchase is expected, as amoCRM's “Покупатели” do.",
		"Покупатели — это те, кто покупает повторно. crmd хранит дату последней покупки и ожидаемой следующей, как раздел «Покупатели» amoCRM."},
	"customers.off_admin":                 {"Switch customers on", "Включить покупателей"},
	"customers.off_member":                {"An administrator of the account can switch them on.", "Включить их может администратор аккаунта."},
	"customers.unavailable":               {"Customers are switched off in this account, or it is in another customers mode. Reload the page.", "Покупатели в этом аккаунте выключены или работают в другом режиме. Обновите страницу."},
	"customers.not_found":                 {"No such customer.", "Такого покупателя нет."},
	"customers.stale":                     {"Someone changed this customer after you opened it; nothing was saved. Reload the card and make the change again.", "Покупателя изменили после того, как вы открыли карточку; ничего не сохранено. Обновите карточку и внесите изменение снова."},
	"customers.admin_only":                {"Only an administrator of the account may do this.", "Это может только администратор аккаунта."},
	"customers.no_status":                 {"No such customer status.", "Такого статуса покупателей нет."},
	"customers.no_segment":                {"No such segment.", "Такого сегмента нет."},
	"customers.bad_filter":                {"The filter %q has a value that is not understood.", "Фильтр %q задан неверно."},
	"customers.bad_offset":                {"The page number in the address is not understood.", "Номер страницы в адресе задан неверно."},
	"customers.bad_date":                  {"%s: write a date as the calendar gives it (YYYY-MM-DD).", "%s: укажите дату в виде ГГГГ-ММ-ДД, как её даёт календарь."},
	"customers.bad_amount":                {"%s: write a whole amount, 0 or more.", "%s: укажите целую сумму, 0 или больше."},
	"customers.rule.required":             {"%s: required.", "%s: обязательное поле."},
	"customers.rule.range":                {"%s: must be 0 or more.", "%s: должно быть 0 или больше."},
	"customers.rule.choice":               {"%s: not one of the choices.", "%s: такого значения нет среди возможных."},
	"customers.param.name":                {"Name", "Название"},
	"customers.param.next_date":           {"Next purchase date", "Дата следующей покупки"},
	"customers.param.next_price":          {"Next purchase amount", "Сумма следующей покупки"},
	"customers.param.periodicity":         {"Days between purchases", "Дней между покупками"},
	"customers.param.responsible_user_id": {"Responsible", "Ответственный"},
	"customers.param.status_id":           {"Status", "Статус"},
	"customers.param.segments":            {"Segments", "Сегменты"},
	"customers.param.price":               {"Amount", "Сумма"},
	"customers.param.customer_id":         {"Customer", "Покупатель"},
	"customers.param.mode":                {"Mode", "Режим"},
	"customers.next_date":                 {"Next purchase date", "Дата следующей покупки"},
	"customers.next_price":                {"Next purchase amount", "Сумма следующей покупки"},
	"customers.next":                      {"Next purchase", "Следующая покупка"},
	"customers.last":                      {"Last purchase", "Последняя покупка"},
	"customers.never":                     {"No purchases yet", "Покупок ещё не было"},
	"customers.no_next":                   {"Not expected", "Не ожидается"},
	"customers.overdue":                   {"overdue", "просрочена"},
	"customers.purchases":                 {"Purchases", "Покупки"},
	"customers.purchases_sum":             {"%s for %s", "%s на %s"},
	"customers.status":                    {"Status", "Статус"},
	"customers.segments":                  {"Segments", "Сегменты"},
	"customers.all_statuses":              {"All statuses", "Все статусы"},
	"customers.all_segments":              {"All segments", "Все сегменты"},
	"customers.no_segments":               {"No segments", "Без сегментов"},
	"customers.search_hint":               {"Customer name", "Название покупателя"},
	"customers.total":                     {"Customers: %s", "Покупателей: %s"},
	"customers.found":                     {"Customers found: %s", "Найдено покупателей: %s"},
	"customers.none":                      {"No customers yet.", "Покупателей пока нет."},
	"customers.none_found":                {"No customer matches the filter.", "Под фильтр не подходит ни один покупатель."},
	"customers.column_empty":              {"Nobody here.", "Здесь никого."},
	"customers.show_all":                  {"Show all %s", "Показать всех: %s"},
	"customers.new":                       {"New customer", "Новый покупатель"},
	"customers.new_hint":                  {"In the periodicity mode a customer needs the date of the next purchase.", "В режиме периодичности у покупателя должна быть дата следующей покупки."},
	"customers.create":                    {"Create", "Создать"},
	"customers.no_segments_yet":           {"The account has no segments yet; they are made through amoCRM's API (POST /api/v4/customers/segments).", "Сегментов в аккаунте пока нет; они создаются через API amoCRM (POST /api/v4/customers/segments)."},
}
