package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crmd/crmd/internal/crm"
)

// Webhooks (/settings/webhooks): what crmd webhook create|list|deliveries|
// replay|enable|delete do, as screens. Every change is the crm.Service
// call the CLI makes (CreateWebhook, WebhookDeliveries, ReplayDelivery,
// EnableWebhook, DeleteWebhook), so the rules and their errors are the
// same; the screens add only the wording. The form makes either kind: crmd's
// own (signed JSON, with filters and batches, as crmd webhook create) or
// amoCRM's (amoCRM's event names, as POST /api/v4/webhooks, whose
// vocabulary it takes from the dialect so that the two cannot differ).

// settingsHookRoutes registers the administrator's screens of webhooks,
// integrations and custom statistics.
func (h *handler) settingsHookRoutes(mux *http.ServeMux) {
	mux.Handle("GET /settings/webhooks", h.adminOnly(h.webhooksPage))
	mux.Handle("POST /settings/webhooks", h.adminOnly(h.createWebhook))
	mux.Handle("GET /settings/webhooks/{id}", h.adminOnly(h.webhookPage))
	mux.Handle("POST /settings/webhooks/{id}/enable", h.adminOnly(h.enableWebhook))
	mux.Handle("POST /settings/webhooks/{id}/delete", h.adminOnly(h.deleteWebhook))
	mux.Handle("POST /settings/webhooks/{id}/deliveries/{delivery}/replay", h.adminOnly(h.replayDelivery))
	h.integrationRoutes(mux)
	h.statisticsRoutes(mux)
}

// adminOnly is signedIn for the administrator's screens: a member gets the
// workspace's 403 page before anything is read. The domain calls check the
// role again (those of auth.Authority take an account, not an actor, so
// this check is theirs).
func (h *handler) adminOnly(next userHandler) http.Handler {
	return h.adminScreen("settings.admin_only", "", next)
}

// adminScreen is adminOnly with the refusal's message key and the settings
// menu's entry to mark ("" leaves it to the page).
func (h *handler) adminScreen(refusal, tab string, next userHandler) http.Handler {
	return h.signedIn(func(w http.ResponseWriter, r *http.Request, v *view) {
		v.Section = "settings"
		if tab != "" {
			v.Tab = tab
		}
		if !v.IsAdmin() {
			h.renderError(w, r, v, crm.Errorf(crm.KindForbidden, "%s", v.T(refusal)))
			return
		}
		next(w, r, v)
	})
}

// settingsPathID reads a positive id from the path; a not-found error otherwise,
// since no such page exists.
func settingsPathID(r *http.Request, v *view, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.Errorf(crm.KindNotFound, "%s", v.T("error.page_not_found"))
	}
	return id, nil
}

// webhookRow is a webhook as the list shows it.
type webhookRow struct {
	crm.Webhook
	// Pipeline and Stages name the filter ("" and none: every pipeline).
	Pipeline string
	Stages   []string
}

// webhookForm is the create form's values, kept when it is refused.
type webhookForm struct {
	Format     string // crmd or amocrm
	URL        string
	Events     map[string]bool
	PipelineID int64
	StageIDs   map[int64]bool
	Batch      bool
}

// webhooksData is the webhooks page's content.
type webhooksData struct {
	Webhooks []webhookRow
	// Events and AmoEvents are the two kinds' vocabularies.
	Events    []string
	AmoEvents []string
	Pipelines []crm.Pipeline
	Form      webhookForm
	Error     string
	// Created is the webhook just made, with its secret: shown on this
	// answer only, never stored in a page or a link.
	Created *crm.Webhook
	Flash   string
}

func (h *handler) webhooksPage(w http.ResponseWriter, r *http.Request, v *view) {
	flash := ""
	if r.URL.Query().Get("deleted") != "" {
		flash = v.T("webhooks.deleted")
	}
	h.renderWebhooks(w, r, v, http.StatusOK, webhooksData{Flash: flash, Form: webhookForm{Events: map[string]bool{}, StageIDs: map[int64]bool{}}})
}

// renderWebhooks fills the page's lists around d's form, error and result.
func (h *handler) renderWebhooks(w http.ResponseWriter, r *http.Request, v *view, status int, d webhooksData) {
	ctx := r.Context()
	list, err := h.svc.Webhooks(ctx, v.Actor, crm.WebhookQuery{})
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if d.Pipelines, err = h.svc.DealPipelines(ctx, v.Actor); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	for _, hook := range list {
		d.Webhooks = append(d.Webhooks, describeHookFilter(hook, d.Pipelines))
	}
	for _, t := range crm.EventTypes() {
		d.Events = append(d.Events, string(t))
	}
	d.AmoEvents = crm.AmoCRMWebhookEvents
	if d.Form.Format == "" {
		d.Form.Format = string(crm.WebhookCRMD)
	}
	v.Title, v.Tab = v.T("settings.nav.webhooks"), "webhooks"
	h.render(w, r, status, "settings_hooks", v, d)
}

// describeHookFilter names a webhook's pipeline and stages.
func describeHookFilter(hook crm.Webhook, pipelines []crm.Pipeline) webhookRow {
	row := webhookRow{Webhook: hook}
	if hook.PipelineID == 0 {
		return row
	}
	row.Pipeline = "#" + strconv.FormatInt(hook.PipelineID, 10)
	for _, p := range pipelines {
		if p.ID != hook.PipelineID {
			continue
		}
		row.Pipeline = p.Name
		for _, id := range hook.StageIDs {
			name := "#" + strconv.FormatInt(id, 10)
			for _, st := range p.Stages {
				if st.ID == id {
					name = st.Name
				}
			}
			row.Stages = append(row.Stages, name)
		}
	}
	return row
}

func (h *handler) createWebhook(w http.ResponseWriter, r *http.Request, v *view) {
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("webhooks.bad_form")))
		return
	}
	form := webhookForm{Format: r.PostForm.Get("format"), URL: strings.TrimSpace(r.PostForm.Get("url")), Events: map[string]bool{},
		StageIDs: map[int64]bool{}, Batch: r.PostForm.Get("batch") != ""}
	refuse := func(err error) {
		h.renderWebhooks(w, r, v, errorStatus(err), webhooksData{Form: form, Error: errorMessage(err)})
	}
	// Each kind's events have their own boxes, so that a name of one
	// vocabulary is never sent as the other's.
	events, known := r.PostForm["events"], func(name string) bool { return crm.KnownEventType(crm.EventType(name)) }
	switch crm.WebhookKind(form.Format) {
	case crm.WebhookCRMD:
	case crm.WebhookAmoCRM:
		events, known = r.PostForm["amo_events"], func(name string) bool { return slices.Contains(crm.AmoCRMWebhookEvents, name) }
		if r.PostForm.Get("pipeline") != "" || len(r.PostForm["stages"]) > 0 || form.Batch {
			refuse(crm.Errorf(crm.KindInvalid, "%s", v.T("webhooks.amocrm_no_filters")))
			return
		}
	default:
		refuse(crm.Errorf(crm.KindInvalid, "%s", v.T("webhooks.bad_format")))
		return
	}
	for _, e := range events {
		form.Events[e] = true
	}
	n := crm.NewWebhook{Kind: crm.WebhookKind(form.Format), Destination: form.URL, Events: events, Batch: form.Batch}
	var err error
	if n.PipelineID, err = formID(r.PostForm.Get("pipeline")); err != nil {
		refuse(crm.Errorf(crm.KindInvalid, "%s", v.T("webhooks.bad_pipeline")))
		return
	}
	form.PipelineID = n.PipelineID
	for _, s := range r.PostForm["stages"] {
		id, err := formID(s)
		if err != nil || id == 0 {
			refuse(crm.Errorf(crm.KindInvalid, "%s", v.T("webhooks.bad_stage")))
			return
		}
		// A stage box is checked under every pipeline's list; only the
		// chosen pipeline's count, as the screen shows them.
		n.StageIDs = append(n.StageIDs, id)
		form.StageIDs[id] = true
	}
	if n.PipelineID == 0 && len(n.StageIDs) > 0 {
		refuse(crm.Errorf(crm.KindInvalid, "%s", v.T("webhooks.stages_need_pipeline")))
		return
	}
	hook, err := h.svc.CreateWebhook(r.Context(), v.Actor, n, known)
	if err != nil {
		if crm.KindOf(err) == crm.KindInvalid || crm.KindOf(err) == crm.KindLimit {
			refuse(err)
			return
		}
		h.renderError(w, r, v, err)
		return
	}
	h.renderWebhooks(w, r, v, http.StatusCreated, webhooksData{Created: &hook,
		Form: webhookForm{Events: map[string]bool{}, StageIDs: map[int64]bool{}}})
}

// formID reads an optional id of a form: "" is 0.
func formID(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		return 0, crm.Errorf(crm.KindInvalid, "not an id: %q", s)
	}
	return id, nil
}

// deliveriesPerPage is how many deliveries a page of the log shows.
const deliveriesPerPage = 20

// responseExcerpt is how much of a receiver's answer the log shows.
const responseExcerpt = 200

// deliveryRow is a delivery of the log with its attempts.
type deliveryRow struct {
	crm.Delivery
	Attempts []attemptRow
}

// attemptRow is one attempt as the log shows it.
type attemptRow struct {
	crm.DeliveryAttempt
	LatencyMS int64
	Excerpt   string
}

// webhookData is a webhook's page.
type webhookData struct {
	Hook       webhookRow
	State      string
	States     []string
	Deliveries []deliveryRow
	// Before is the page's cursor ("" the newest); Next the next page's.
	Before string
	Next   string
	Flash  string
}

func (h *handler) webhookPage(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	id, err := settingsPathID(r, v, "id")
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	q := r.URL.Query()
	d := webhookData{State: q.Get("state"), States: []string{string(crm.DeliveryPending), string(crm.DeliveryDelivered), string(crm.DeliveryFailed)}}
	switch crm.DeliveryState(d.State) {
	case "", crm.DeliveryPending, crm.DeliveryDelivered, crm.DeliveryFailed:
	default:
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("webhooks.bad_state", d.State)))
		return
	}
	var before int64
	if b := q.Get("before"); b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil || before <= 0 {
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("webhooks.bad_before")))
			return
		}
		d.Before = b
	}
	hooks, err := h.svc.Webhooks(ctx, v.Actor, crm.WebhookQuery{IDs: []int64{id}})
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if len(hooks) == 0 {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("webhooks.not_found", id)))
		return
	}
	pipelines, err := h.svc.DealPipelines(ctx, v.Actor)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	d.Hook = describeHookFilter(hooks[0], pipelines)
	// One more than a page tells whether there is a next one.
	log, err := h.svc.WebhookDeliveries(ctx, v.Actor, crm.DeliveryQuery{WebhookID: id, State: crm.DeliveryState(d.State),
		BeforeID: before, Limit: deliveriesPerPage + 1})
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	list := log.Deliveries
	if len(list) > deliveriesPerPage {
		list = list[:deliveriesPerPage]
		d.Next = "?" + replaceQuery(url.Values{"state": {d.State}}, "before", strconv.FormatInt(list[len(list)-1].ID, 10))
	}
	for _, del := range list {
		row := deliveryRow{Delivery: del}
		for _, a := range log.Attempts[del.ID] {
			row.Attempts = append(row.Attempts, attemptRow{DeliveryAttempt: a, LatencyMS: a.Latency.Milliseconds(), Excerpt: excerpt(a.Response, responseExcerpt)})
		}
		d.Deliveries = append(d.Deliveries, row)
	}
	switch {
	case q.Get("replayed") != "":
		d.Flash = v.T("webhooks.replayed", q.Get("replayed"))
	case q.Get("enabled") != "":
		d.Flash = v.T("webhooks.enabled")
	}
	v.Title, v.Tab = v.T("webhooks.title", id), "webhooks"
	h.render(w, r, http.StatusOK, "settings_webhook", v, d)
}

// excerpt is the first n characters of s, marked when cut.
func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func (h *handler) enableWebhook(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := settingsPathID(r, v, "id")
	if err == nil {
		_, err = h.svc.EnableWebhook(r.Context(), v.Actor, id)
	}
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/settings/webhooks/"+strconv.FormatInt(id, 10)+"?enabled=1", http.StatusSeeOther)
}

func (h *handler) deleteWebhook(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := settingsPathID(r, v, "id")
	if err == nil {
		err = h.svc.DeleteWebhook(r.Context(), v.Actor, id)
	}
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/settings/webhooks?deleted=1", http.StatusSeeOther)
}

func (h *handler) replayDelivery(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := settingsPathID(r, v, "id")
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	delivery, err := settingsPathID(r, v, "delivery")
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	// The delivery must be this webhook's, as the page it was asked from
	// shows it: looked up first, so that another webhook's is not
	// replayed.
	log, err := h.svc.WebhookDeliveries(r.Context(), v.Actor, crm.DeliveryQuery{WebhookID: id, BeforeID: delivery + 1, Limit: 1})
	if err == nil && (len(log.Deliveries) == 0 || log.Deliveries[0].ID != delivery) {
		err = crm.Errorf(crm.KindNotFound, "%s", v.T("webhooks.delivery_not_found", delivery))
	}
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	d, err := h.svc.ReplayDelivery(r.Context(), v.Actor, delivery)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/settings/webhooks/"+strconv.FormatInt(id, 10)+"?replayed="+strconv.FormatInt(d.ID, 10), http.StatusSeeOther)
}

var settingsHookMessages = catalog{
	"settings.admin_only":           {"Only administrators manage these settings.", "Эти настройки доступны только администраторам."},
	"webhooks.intro":                {"crmd sends the account's events to these addresses (docs/webhooks.md): in its own format (signed JSON, with filters) or in amoCRM's, as POST /api/v4/webhooks makes them.", "crmd отправляет события аккаунта на эти адреса (docs/webhooks.md): в своём формате (подписанный JSON, с фильтрами) или в формате amoCRM, как их создаёт POST /api/v4/webhooks."},
	"webhooks.none":                 {"No webhooks yet.", "Вебхуков пока нет."},
	"webhooks.url":                  {"URL", "URL"},
	"webhooks.format":               {"Format", "Формат"},
	"webhooks.format.amocrm":        {"amoCRM", "amoCRM"},
	"webhooks.format.crmd":          {"crmd", "crmd"},
	"webhooks.events":               {"Events", "События"},
	"webhooks.filter":               {"Filter", "Фильтр"},
	"webhooks.all_pipelines":        {"All pipelines", "Все воронки"},
	"webhooks.batch":                {"Batch", "Пакетами"},
	"webhooks.amocrm_no_filters":    {"Filters and batches are crmd webhooks' only: amoCRM webhooks get every pipeline's events, one per POST.", "Фильтры и пакеты есть только у вебхуков crmd: вебхуки amoCRM получают события всех воронок, по одному на POST."},
	"webhooks.bad_format":           {"Choose the format: crmd or amoCRM.", "Выберите формат: crmd или amoCRM."},
	"webhooks.format_crmd_hint":     {"signed JSON, crmd's event names, filters and batches (docs/webhooks.md)", "подписанный JSON, события crmd, фильтры и пакеты (docs/webhooks.md)"},
	"webhooks.format_amocrm_hint":   {"form-encoded bodies and amoCRM's event names, as POST /api/v4/webhooks", "тела form-urlencoded и события amoCRM, как POST /api/v4/webhooks"},
	"webhooks.amocrm_updates":       {"An amoCRM webhook to an address that has one already changes its events (amoCRM's rule).", "Вебхук amoCRM на адрес, у которого он уже есть, меняет его события (правило amoCRM)."},
	"webhooks.batch_hint":           {"Send the events handed out together in one POST ({\"events\":[…]}, up to 100).", "Отправлять события, выданные вместе, одним POST ({\"events\":[…]}, до 100)."},
	"webhooks.failures":             {"Failures", "Сбои"},
	"webhooks.state":                {"State", "Состояние"},
	"webhooks.enabled_state":        {"Enabled", "Включён"},
	"webhooks.disabled_state":       {"Disabled %s: %s", "Отключён %s: %s"},
	"webhooks.create":               {"New webhook", "Новый вебхук"},
	"webhooks.create_button":        {"Create webhook", "Создать вебхук"},
	"webhooks.pipeline_any":         {"Any pipeline", "Любая воронка"},
	"webhooks.stages":               {"Stages (lead events only; none: every stage)", "Этапы (только события сделок; ни одного — все этапы)"},
	"webhooks.created":              {"Webhook %d created.", "Вебхук %d создан."},
	"webhooks.secret":               {"Signing secret", "Секрет подписи"},
	"webhooks.secret_once":          {"Copy it now: it is shown only this once. It signs X-Crmd-Signature.", "Скопируйте его сейчас: он показывается только один раз. Им подписывается X-Crmd-Signature."},
	"webhooks.copy":                 {"Copy", "Копировать"},
	"webhooks.copied":               {"Copied", "Скопировано"},
	"webhooks.deleted":              {"Webhook deleted with its delivery log.", "Вебхук удалён вместе с журналом доставок."},
	"webhooks.bad_form":             {"The form could not be read.", "Не удалось прочитать форму."},
	"webhooks.bad_pipeline":         {"Choose a pipeline from the list.", "Выберите воронку из списка."},
	"webhooks.bad_stage":            {"Choose stages from the list.", "Выберите этапы из списка."},
	"webhooks.stages_need_pipeline": {"Stages filter within a pipeline: choose the pipeline too.", "Этапы фильтруются внутри воронки: выберите и воронку."},
	"webhooks.title":                {"Webhook %d", "Вебхук %d"},
	"webhooks.not_found":            {"Webhook %d not found.", "Вебхук %d не найден."},
	"webhooks.delivery_not_found":   {"Delivery %d is not this webhook's.", "Доставка %d не относится к этому вебхуку."},
	"webhooks.bad_state":            {"%q is not pending, delivered or failed.", "%q — не pending, delivered или failed."},
	"webhooks.bad_before":           {"The page of the log is not a delivery id.", "Страница журнала — не номер доставки."},
	"webhooks.log":                  {"Delivery log", "Журнал доставок"},
	"webhooks.log_none":             {"No deliveries.", "Доставок нет."},
	"webhooks.state.any":            {"All", "Все"},
	"webhooks.state.pending":        {"Pending", "Ожидают"},
	"webhooks.state.delivered":      {"Delivered", "Доставлены"},
	"webhooks.state.failed":         {"Failed", "Не доставлены"},
	"webhooks.delivery":             {"Delivery", "Доставка"},
	"webhooks.time":                 {"Time", "Время"},
	"webhooks.status":               {"Status", "Статус"},
	"webhooks.latency":              {"Latency", "Задержка"},
	"webhooks.response":             {"Response", "Ответ"},
	"webhooks.attempts":             {"Attempts", "Попытки"},
	"webhooks.no_answer":            {"no answer", "нет ответа"},
	"webhooks.ms":                   {"%d ms", "%d мс"},
	"webhooks.replay":               {"Replay", "Повторить"},
	"webhooks.replay_of":            {"replay of %d", "повтор %d"},
	"webhooks.next_attempt":         {"next attempt %s", "следующая попытка %s"},
	"webhooks.replayed":             {"Delivery %s queued: a copy, sent now.", "Доставка %s поставлена в очередь: копия, отправляется сейчас."},
	"webhooks.enable":               {"Enable again", "Включить снова"},
	"webhooks.enabled":              {"Webhook enabled: new events are delivered again; those missed while it was off are not.", "Вебхук включён: новые события снова доставляются; пропущенные за время отключения — нет."},
	"webhooks.delete":               {"Delete webhook", "Удалить вебхук"},
	"webhooks.delete_confirm":       {"Delete this webhook and its delivery log?", "Удалить вебхук и его журнал доставок?"},
	"webhooks.back":                 {"All webhooks", "Все вебхуки"},
	"webhooks.older":                {"Older", "Раньше"},
	"webhooks.newest":               {"Newest", "Последние"},
	"webhooks.open":                 {"Delivery log", "Журнал"},
}
