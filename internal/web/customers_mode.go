package web

import (
	"net/http"

	"github.com/crmd/crmd/internal/crm"
)

// The customers mode switch (/customers/mode, administrators only): off,
// periodicity or segments. Picking a mode first shows what the switch
// does, then a POST with confirm=yes makes it (crm.SetCustomersMode, the
// call of amoCRM's PATCH /api/v4/customers/mode).
//
// What the page says follows what crm does, and only that: the switch
// writes the account's mode and nothing else. No customer, purchase,
// status or segment is deleted or recomputed at the switch; what changes
// is which of them the workspace and the APIs serve (crm's requireMode
// and requireCustomers), and the periodicity mode's rule that a new
// customer needs its next purchase date. The life-cycle job
// (crm.AdvanceLifecycles) moves customers' statuses by their next
// purchase dates in every mode, so statuses are current when the
// periodicity mode comes back.

// customerModes are the choices, in the order the page lists them.
var customerModes = []crm.CustomersMode{crm.CustomersDisabled, crm.CustomersPeriodicity, crm.CustomersSegments}

// modeChoice is one mode the page offers.
type modeChoice struct {
	Mode    crm.CustomersMode
	Current bool
}

// customersModeData is the mode page's content.
type customersModeData struct {
	Current crm.CustomersMode
	Choices []modeChoice
	// To is the mode picked, whose consequences the page spells out
	// before the confirmation; "" while choosing.
	To crm.CustomersMode
	// Consequences are the message keys of what switching to To does.
	Consequences []string
	// Customers is how many customers the account has, when customers
	// are on (while off, crm serves no count); -1 when unknown.
	Customers int
	Error     string
}

// modeConsequences are the message keys that spell out a switch from one
// mode to another.
func modeConsequences(from, to crm.CustomersMode) []string {
	var out []string
	switch to {
	case crm.CustomersDisabled:
		out = append(out, "customers.then.off_hidden", "customers.then.off_api", "customers.then.off_kept")
	case crm.CustomersPeriodicity:
		out = append(out, "customers.then.periodicity_board", "customers.then.periodicity_next_date",
			"customers.then.periodicity_statuses")
		if from == crm.CustomersSegments {
			out = append(out, "customers.then.segments_hidden")
		}
	case crm.CustomersSegments:
		out = append(out, "customers.then.segments_list", "customers.then.segments_api")
		if from == crm.CustomersPeriodicity {
			out = append(out, "customers.then.statuses_hidden")
		}
	}
	if from == crm.CustomersDisabled && to != crm.CustomersDisabled {
		out = append(out, "customers.then.on_api")
	}
	return append(out, "customers.then.nothing_deleted")
}

// modeOf reads a mode named by a form or a link; ok is false for anything
// else.
func modeOf(s string) (crm.CustomersMode, bool) {
	for _, m := range customerModes {
		if string(m) == s {
			return m, true
		}
	}
	return "", false
}

// modePage reads what the page needs; to is the mode picked ("" while
// choosing).
func (h *handler) modePage(r *http.Request, v *view, to crm.CustomersMode) (customersModeData, error) {
	v.Section, v.Title = "customers", v.T("customers.mode_title")
	a, err := h.svc.Account(r.Context(), v.Actor)
	if err != nil {
		return customersModeData{}, customerError(v, err)
	}
	data := customersModeData{Current: a.CustomersMode, To: to, Customers: -1}
	for _, m := range customerModes {
		data.Choices = append(data.Choices, modeChoice{Mode: m, Current: m == a.CustomersMode})
	}
	if a.CustomersMode != crm.CustomersDisabled {
		_, n, err := h.svc.Customers(r.Context(), v.Actor, crm.CustomerQuery{Limit: 1})
		if err != nil {
			return data, customerError(v, err)
		}
		data.Customers = n
	}
	if to != "" && to != a.CustomersMode {
		data.Consequences = modeConsequences(a.CustomersMode, to)
	}
	return data, nil
}

// requireAdminPage refuses a member the administrator's page (the switch
// itself, crm.SetCustomersMode, refuses them too).
func requireAdminPage(v *view) error {
	if !v.IsAdmin() {
		return crm.Errorf(crm.KindForbidden, "%s", v.T("customers.admin_only"))
	}
	return nil
}

func (h *handler) customersModePage(w http.ResponseWriter, r *http.Request, v *view) {
	if err := requireAdminPage(v); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	var to crm.CustomersMode
	if s := r.URL.Query().Get("to"); s != "" {
		m, ok := modeOf(s)
		if !ok {
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("customers.bad_mode")))
			return
		}
		to = m
	}
	data, err := h.modePage(r, v, to)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "customers_mode", v, data)
}

// setCustomersMode makes the switch once the consequences were confirmed.
func (h *handler) setCustomersMode(w http.ResponseWriter, r *http.Request, v *view) {
	if err := requireAdminPage(v); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	to, ok := modeOf(r.PostFormValue("mode"))
	if !ok {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("customers.bad_mode")))
		return
	}
	data, err := h.modePage(r, v, to)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if to == data.Current {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		// The confirmation step: the consequences again, with what is
		// missing said.
		data.Error = v.T("customers.confirm_missing")
		h.render(w, r, http.StatusUnprocessableEntity, "customers_mode", v, data)
		return
	}
	if to == crm.CustomersDisabled {
		err = h.svc.SetCustomersMode(r.Context(), v.Actor, data.Current, false)
	} else {
		err = h.svc.SetCustomersMode(r.Context(), v.Actor, to, true)
	}
	if err != nil {
		h.renderError(w, r, v, customerError(v, err))
		return
	}
	http.Redirect(w, r, "/customers", http.StatusSeeOther)
}

var customerModeMessages = catalog{
	"customers.mode_title": {"Customers mode", "Режим покупателей"},
	"customers.mode_intro": {"How the account keeps its repeat buyers. amoCRM integrations see the same mode (GET /api/v4/account, PATCH /api/v4/customers/mode).",
		"Как аккаунт ведёт повторных покупателей. Интеграции amoCRM видят тот же режим (GET /api/v4/account, PATCH /api/v4/customers/mode)."},
	"customers.mode_now":     {"Now: %s", "Сейчас: %s"},
	"customers.mode_count":   {"Customers in the account: %s", "Покупателей в аккаунте: %s"},
	"customers.mode_pick":    {"Switch to", "Переключить на"},
	"customers.mode_current": {"current", "текущий"},
	"customers.mode.disabled_about": {"No customers section; the customers APIs refuse every call.",
		"Раздела покупателей нет; API покупателей отказывает во всех вызовах."},
	"customers.mode.periodicity_about": {"Each customer has one status on a board, moved by the date of the next purchase.",
		"У каждого покупателя один статус на доске; его двигает дата следующей покупки."},
	"customers.mode.segments_about": {"Customers are grouped into segments; one customer may be in several.",
		"Покупатели разбиты на сегменты; один покупатель может быть в нескольких."},
	"customers.mode_then":  {"What switching from “%s” to “%s” does", "Что произойдёт при переключении с «%s» на «%s»"},
	"customers.confirm":    {"I have read what this switch does", "Я прочитал(а), что произойдёт"},
	"customers.confirm_do": {"Switch to “%s”", "Переключить на «%s»"},
	"customers.confirm_missing": {"Tick the box to confirm that you have read what the switch does.",
		"Отметьте, что прочитали, что произойдёт при переключении."},
	"customers.bad_mode": {"Unknown customers mode: choose off, periodicity or segments.", "Неизвестный режим покупателей: выберите «выключены», «периодичность» или «сегменты»."},
	"customers.then.off_hidden": {"The Customers section shows only that customers are off; cards and the board are gone from the workspace.",
		"Раздел «Покупатели» будет показывать только, что покупатели выключены; карточек и доски в рабочем месте не будет."},
	"customers.then.off_api": {"Every customers, purchases (transactions), links, statuses, periods and segments call of amoCRM's v2 and v4 APIs answers 422: integrations that write customers start failing.",
		"Все вызовы покупателей, покупок (transactions), связей, статусов, периодов и сегментов в API amoCRM v2 и v4 будут отвечать 422: интеграции, которые пишут покупателей, начнут получать ошибки."},
	"customers.then.off_kept": {"Customers, their purchases, statuses and segments stay in the database and come back as they were when a mode is switched on again.",
		"Покупатели, их покупки, статусы и сегменты остаются в базе и вернутся как были, когда режим снова включат."},
	"customers.then.periodicity_board": {"Customers are shown on a board by status: Recently purchased, Expected purchase, Did not purchase, Closed and the account's own statuses. Each customer keeps the status the life-cycle rules give it from its next purchase date (or the one picked by hand).",
		"Покупатели показываются на доске по статусам: «Недавно купили», «Ожидается покупка», «Не купили», «Закрыт» и свои статусы аккаунта. У каждого покупателя остаётся статус, который дают правила жизненного цикла по дате следующей покупки (или выбранный вручную)."},
	"customers.then.periodicity_next_date": {"A new customer needs the date of its next purchase (amoCRM's rule in this mode), in the workspace and through both APIs.",
		"Новому покупателю нужна дата следующей покупки (правило amoCRM в этом режиме) — и в рабочем месте, и через оба API."},
	"customers.then.periodicity_statuses": {"The statuses and periods APIs (/api/v4/customers/statuses, /api/v2/customers_periods) start answering.",
		"Начинают отвечать API статусов и периодов (/api/v4/customers/statuses, /api/v2/customers_periods)."},
	"customers.then.segments_hidden": {"Segments are hidden and /api/v4/customers/segments answers 422; customers keep their segment links, which come back with the segments mode.",
		"Сегменты скрываются, /api/v4/customers/segments отвечает 422; покупатели сохраняют привязку к сегментам, она вернётся вместе с режимом сегментов."},
	"customers.then.segments_list": {"Customers are shown as a list filtered by segment; statuses are not shown.",
		"Покупатели показываются списком с фильтром по сегменту; статусы не показываются."},
	"customers.then.segments_api": {"The segments API (/api/v4/customers/segments) starts answering; a new customer no longer needs a next purchase date.",
		"Начинает отвечать API сегментов (/api/v4/customers/segments); новому покупателю больше не нужна дата следующей покупки."},
	"customers.then.statuses_hidden": {"The statuses and periods APIs answer 422. Customers keep their statuses, which the life-cycle job goes on moving by the next purchase dates, so the board is current when the periodicity mode comes back.",
		"API статусов и периодов отвечают 422. Покупатели сохраняют статусы, а фоновое задание жизненного цикла продолжает двигать их по датам следующих покупок, так что при возврате к периодичности доска будет актуальной."},
	"customers.then.on_api": {"The customers and purchases APIs of amoCRM v2 and v4 start answering, with the customers kept from before, if any.",
		"Начинают отвечать API покупателей и покупок amoCRM v2 и v4 — с теми покупателями, что были сохранены раньше, если они есть."},
	"customers.then.nothing_deleted": {"The switch itself deletes and recomputes nothing: it changes which of the stored records are served.",
		"Само переключение ничего не удаляет и не пересчитывает: меняется только то, какие из сохранённых записей доступны."},
}
