package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// The deal card (/deals/{id}): the deal's fields on the left, editable in
// place, with its client's contacts, tags and tasks; its timeline on the
// right (the one history every dialect reads: stage moves, field changes
// with old and new values, comments, calls), with a comment box at its
// foot. Every edit goes through the same domain call amoCRM's PATCH
// /api/v4/leads makes, so it is recorded in the history like theirs.

// timelineLength is how many history entries the card shows.
const timelineLength = 100

// dealRoutes registers the deal card's routes.
func (h *handler) dealRoutes(mux *http.ServeMux) {
	mux.Handle("GET /deals/{id}", h.signedIn(h.dealCard))
	mux.Handle("POST /deals/{id}/field", h.signedIn(h.editDeal))
	mux.Handle("POST /deals/{id}/comment", h.signedIn(h.commentDeal))
	mux.Handle("POST /deals/{id}/tags", h.signedIn(h.tagDeal))
	mux.Handle("POST /deals/{id}/tasks", h.signedIn(h.addDealTask))
}

// dealField is one editable custom field of the card.
type dealField struct {
	crm.CustomField
	// Text is the value as an input shows it; Selected the chosen enums.
	Text     string
	Selected map[int64]bool
	// Editable says the card has an input for the field's type; others
	// are shown as text.
	Editable bool
}

// serviceField is one of the deal's service fields with its value.
type serviceField struct {
	ID        int64
	Name      string
	Value     string
	MaxLength int
}

// timelineEntry is one history entry as the card shows it.
type timelineEntry struct {
	ID     int64
	At     time.Time
	Author string
	Kind   string // "stage", "comment", "call", "change", "task", "other": a CSS class
	Title  string
	// Lines are the details: "Budget: 0 → 5,000".
	Lines []string
	// Body is free text (a comment).
	Body string
}

// dealCardData is the card's content.
type dealCardData struct {
	Deal     crm.Deal
	Pipeline crm.Pipeline
	Client   *crm.Client
	Company  *crm.Company
	Phones   []contactItem
	Emails   []contactItem
	Users    []crm.User
	Fields   []dealField
	// Service are the deal's service fields besides its name (the UTM
	// marks and the analytics id the lead brought), edited as Envybox's
	// deal/update edits them.
	Service []serviceField
	// HasSource says some service field has a value: the source block
	// opens only then.
	HasSource   bool
	Tasks       []crm.Task
	Timeline    []timelineEntry
	Responsible int64
	// DefaultDue is the new-task form's default: tomorrow at 10:00.
	DefaultDue time.Time
}

func (h *handler) dealCard(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	v.Section = "deals"
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	fam, err := h.svc.Deal(ctx, v.Actor, id, false)
	if err != nil {
		h.renderError(w, r, v, dealError(v, err))
		return
	}
	d := fam.Deal
	v.Title = d.Name
	data := dealCardData{Deal: d, Responsible: d.ResponsibleUser()}
	if data.Pipeline, err = h.svc.DealPipeline(ctx, v.Actor, d.PipelineID); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if d.ClientID != 0 {
		c, err := h.svc.Client(ctx, v.Actor, d.ClientID)
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		data.Client = &c
		data.Phones, data.Emails, _ = contactItems(v, c.ContactData)
	}
	if d.CompanyID != 0 {
		c, err := h.svc.Company(ctx, v.Actor, d.CompanyID)
		if err != nil && crm.KindOf(err) != crm.KindNotFound {
			h.renderError(w, r, v, err)
			return
		}
		if err == nil {
			data.Company = &c
		}
	}
	if data.Users, err = h.svc.AccountUsers(ctx, v.Actor); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	defs, _, _, err := h.svc.CustomFields(ctx, v.Actor, crm.EntityDeal, crm.FieldQuery{Page: crm.Page{Limit: 250}})
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	data.Fields = cardFields(v, defs, d.Fields)
	values := map[int64]string{}
	for _, sv := range d.Values {
		values[sv.FieldID] = sv.Value
	}
	for _, sf := range crm.ServiceFields {
		if sf.Entity == crm.EntityDeal && sf.ID != crm.FieldDealName {
			data.Service = append(data.Service, serviceField{ID: sf.ID, Name: sf.Name, Value: values[sf.ID], MaxLength: sf.MaxLength()})
			data.HasSource = data.HasSource || values[sf.ID] != ""
		}
	}
	tasks, err := h.svc.DealTasks(ctx, v.Actor, id)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	for _, t := range tasks {
		if t.CompletedAt.IsZero() {
			data.Tasks = append(data.Tasks, t)
		}
	}
	lines, _, err := h.svc.Logs(ctx, v.Actor, crm.LogQuery{EntityType: crm.EntityDeal, EntityID: id, Limit: timelineLength})
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	names := fieldNames(defs)
	users := map[int64]string{}
	for _, u := range data.Users {
		users[u.ID] = u.Name
	}
	for _, l := range lines {
		data.Timeline = append(data.Timeline, timelineOf(v, l, names, users))
	}
	// Newest first, like amoCRM's feed read from the top.
	sort.SliceStable(data.Timeline, func(i, j int) bool { return data.Timeline[i].ID > data.Timeline[j].ID })
	tomorrow := v.now.AddDate(0, 0, 1)
	data.DefaultDue = time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 10, 0, 0, 0, v.loc)
	h.render(w, r, http.StatusOK, "deal", v, data)
}

// cardFields pairs the deal's custom field definitions with its values.
func cardFields(v *view, defs []crm.CustomField, values []crm.FieldValue) []dealField {
	byID := map[int64]crm.FieldValue{}
	for _, fv := range values {
		byID[fv.FieldID] = fv
	}
	out := make([]dealField, 0, len(defs))
	for _, def := range defs {
		f := dealField{CustomField: def, Selected: map[int64]bool{}}
		switch def.Type {
		case crm.FieldText, crm.FieldNumeric, crm.FieldTextarea, crm.FieldCheckbox, crm.FieldDate,
			crm.FieldSelect, crm.FieldMultiselect, crm.FieldRadiobutton:
			f.Editable = true
		}
		var texts []string
		for _, val := range byID[def.ID].Values {
			switch {
			case val.EnumID != 0:
				f.Selected[val.EnumID] = true
				texts = append(texts, val.Text)
			case def.Type == crm.FieldDate:
				texts = append(texts, v.ISODate(time.Unix(val.Unix(), 0)))
			default:
				texts = append(texts, val.Text)
			}
		}
		f.Text = strings.Join(texts, ", ")
		out = append(out, f)
	}
	return out
}

func fieldNames(defs []crm.CustomField) map[string]string {
	out := map[string]string{}
	for _, d := range defs {
		out[fmt.Sprintf("cf:%d", d.ID)] = d.Name
	}
	return out
}

// timelineOf renders a history entry for the card.
func timelineOf(v *view, l crm.LogLine, fieldNames map[string]string, users map[int64]string) timelineEntry {
	e := timelineEntry{ID: l.ID, At: l.CreatedAt, Kind: "other"}
	if l.Author != nil {
		e.Author = l.Author.Name
	}
	var data map[string]any
	_ = json.Unmarshal(l.Data, &data)
	str := func(k string) string {
		s, _ := data[k].(string)
		return s
	}
	switch l.TypeID {
	case crm.LogDealCreated:
		e.Kind, e.Title = "stage", v.T("timeline.created")
		if s := str("stage_name"); s != "" {
			e.Lines = append(e.Lines, v.T("timeline.in_stage", s))
		}
	case crm.LogDealStage:
		e.Kind, e.Title = "stage", v.T("timeline.stage")
		e.Lines = append(e.Lines, str("old_stage_name")+" → "+str("stage_name"))
	case crm.LogDealComment, crm.LogInboundComment:
		e.Kind, e.Title, e.Body = "comment", v.T("timeline.comment"), str("comment")
	case crm.LogDealCall, crm.LogInboundCall:
		e.Kind, e.Title = "call", v.T("timeline.call")
		e.Lines = append(e.Lines, strings.Trim(str("from")+" → "+str("to"), " →"))
		e.Body = str("comment")
	case crm.LogDealResponsible:
		e.Title = v.T("timeline.responsible")
		if id, ok := data["employee_id"].(float64); ok && id != 0 {
			e.Lines = append(e.Lines, users[int64(id)])
		}
	case crm.LogDealUpdated:
		e.Kind, e.Title = "change", v.T("timeline.changed")
		var hd crm.HistoryData
		_ = json.Unmarshal(l.Data, &hd)
		for _, c := range hd.Changes {
			e.Lines = append(e.Lines, changeLine(v, c, fieldNames, users))
		}
	case crm.LogDealTagsAdded, crm.LogDealTagsDeleted:
		e.Title = v.T("timeline.tags_added")
		if l.TypeID == crm.LogDealTagsDeleted {
			e.Title = v.T("timeline.tags_deleted")
		}
		if tags, ok := data["tags"].([]any); ok {
			var names []string
			for _, t := range tags {
				names = append(names, fmt.Sprint(t))
			}
			e.Lines = append(e.Lines, strings.Join(names, ", "))
		}
	case crm.LogDealLeadCreated, crm.LogDealLeadLinked:
		e.Title = v.T("timeline.lead")
		e.Body = str("comment")
		if e.Body == "" {
			e.Body = str("text")
		}
	case crm.LogDealLinked, crm.LogDealUnlinked:
		e.Title = v.T("timeline.linked")
		if l.TypeID == crm.LogDealUnlinked {
			e.Title = v.T("timeline.unlinked")
		}
		var hd crm.HistoryData
		if json.Unmarshal(l.Data, &hd) == nil && hd.Link != nil {
			e.Lines = append(e.Lines, fmt.Sprintf("%s #%d", v.T("entity."+string(hd.Link.EntityType)), hd.Link.EntityID))
		}
	default:
		e.Title = v.T("timeline.event")
		e.Body = str("text")
		if e.Body == "" {
			e.Body = str("comment")
		}
	}
	return e
}

// changeLine words one field change: "Budget: 1 000 ₽ → 5 000 ₽".
func changeLine(v *view, c crm.FieldChange, fieldNames map[string]string, users map[int64]string) string {
	label := fieldNames[c.Field]
	render := func(raw json.RawMessage) string {
		if len(raw) == 0 || string(raw) == "null" {
			return v.T("common.none")
		}
		switch c.Field {
		case "price":
			var n int64
			if json.Unmarshal(raw, &n) == nil {
				return v.Money(n)
			}
		case "responsible_user_id":
			var id int64
			if json.Unmarshal(raw, &id) == nil {
				if name, ok := users[id]; ok {
					return name
				}
				return v.T("common.nobody")
			}
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		var vals []struct {
			Value any `json:"value"`
		}
		if json.Unmarshal(raw, &vals) == nil {
			parts := make([]string, 0, len(vals))
			for _, x := range vals {
				parts = append(parts, fmt.Sprint(x.Value))
			}
			if len(parts) == 0 {
				return v.T("common.none")
			}
			return strings.Join(parts, ", ")
		}
		return string(raw)
	}
	switch c.Field {
	case "name":
		label = v.T("common.name")
	case "price":
		label = v.T("common.price")
	case "responsible_user_id":
		label = v.T("common.responsible")
	case "status":
		label = v.T("common.stage")
	}
	if label == "" {
		label = c.Field
	}
	return label + ": " + render(c.Before) + " → " + render(c.After)
}

// editDeal saves one field of the card: name, price, responsible or a
// custom field ("cf:<id>"), through the domain's lead update, which
// validates it and records the change in the history.
func (h *handler) editDeal(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_form")))
		return
	}
	in := crm.LeadInput{ID: id}
	field, value := r.PostForm.Get("field"), strings.TrimSpace(r.PostForm.Get("value"))
	switch {
	case field == "name":
		in.Name = &value
	case field == "price":
		n, err := parsePrice(value)
		if err != nil {
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_price")))
			return
		}
		in.Price = &n
	case field == "responsible":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_form")))
			return
		}
		in.ResponsibleUserID = &n
	case strings.HasPrefix(field, "sf:"):
		// A service field is written as Envybox's deal/update writes it,
		// which keeps no history entry, unlike the lead update below.
		if err := h.editServiceField(r, v, id, strings.TrimPrefix(field, "sf:"), value); err != nil {
			h.renderError(w, r, v, dealError(v, err))
			return
		}
		h.done(w, r, fmt.Sprintf("/deals/%d", id), v.T("common.saved"))
		return
	case strings.HasPrefix(field, "cf:"):
		fv, err := h.fieldInput(r, v, field)
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		in.Fields = []crm.FieldValueInput{fv}
	default:
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_form")))
		return
	}
	if _, err := h.svc.UpdateLeadStamps(ctx, v.Actor, []crm.LeadInput{in}); err != nil {
		h.renderError(w, r, v, dealError(v, err))
		return
	}
	h.done(w, r, fmt.Sprintf("/deals/%d", id), v.T("common.saved"))
}

// editServiceField writes one of the deal's service fields (not its
// name, which the lead update writes with its history).
func (h *handler) editServiceField(r *http.Request, v *view, dealID int64, field, value string) error {
	fieldID, err := strconv.ParseInt(field, 10, 64)
	if err != nil || fieldID == crm.FieldDealName {
		return crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_form"))
	}
	fam, err := h.svc.Deal(r.Context(), v.Actor, dealID, false)
	if err != nil {
		return err
	}
	err = h.svc.UpdateDealValues(r.Context(), v.Actor, dealID, fam.Deal.ClientID,
		[]crm.FieldWrite{{FieldID: fieldID, Service: true, Value: value}})
	if crm.CodeOf(err) == crm.CodeUnknownReference {
		return crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_form"))
	}
	return err
}

// parsePrice reads a budget as people type it: "150 000", "150,000".
func parsePrice(s string) (int64, error) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", ",", "", "_", "").Replace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad price %q", s)
	}
	return n, nil
}

// fieldInput reads a custom field's new values from the form: "value"
// (one or, for a multiselect, several), an empty value clearing it.
func (h *handler) fieldInput(r *http.Request, v *view, field string) (crm.FieldValueInput, error) {
	fieldID, err := strconv.ParseInt(strings.TrimPrefix(field, "cf:"), 10, 64)
	if err != nil {
		return crm.FieldValueInput{}, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_form"))
	}
	def, err := h.svc.CustomField(r.Context(), v.Actor, crm.EntityDeal, fieldID)
	if err != nil {
		return crm.FieldValueInput{}, err
	}
	in := crm.FieldValueInput{FieldID: fieldID}
	var values []string
	for _, s := range r.PostForm["value"] {
		if s = strings.TrimSpace(s); s != "" {
			values = append(values, s)
		}
	}
	if def.Type == crm.FieldCheckbox {
		// An unticked box sends nothing; the form's hidden "0" comes first.
		checked := false
		for _, s := range values {
			checked = checked || s == "1"
		}
		return crm.FieldValueInput{FieldID: fieldID, Values: []crm.ValueInput{{Value: checked, HasValue: true}}}, nil
	}
	if len(values) == 0 {
		in.Clear = true
		return in, nil
	}
	for _, s := range values {
		switch def.Type {
		case crm.FieldSelect, crm.FieldMultiselect, crm.FieldRadiobutton:
			enumID, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return in, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_form"))
			}
			in.Values = append(in.Values, crm.ValueInput{EnumID: enumID})
		case crm.FieldDate:
			day, err := time.ParseInLocation(time.DateOnly, s, v.loc)
			if err != nil {
				return in, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_date"))
			}
			// Values arrive as JSON decodes them: numbers are float64.
			in.Values = append(in.Values, crm.ValueInput{Value: float64(day.Unix()), HasValue: true})
		case crm.FieldNumeric:
			n, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), ",", "."), 64)
			if err != nil {
				return in, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_number"))
			}
			in.Values = append(in.Values, crm.ValueInput{Value: n, HasValue: true})
		default:
			in.Values = append(in.Values, crm.ValueInput{Value: s, HasValue: true})
		}
	}
	return in, nil
}

// commentDeal adds a comment to the deal's timeline.
func (h *handler) commentDeal(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.empty_comment")))
		return
	}
	if err := h.svc.CommentDeal(r.Context(), v.Actor, id, text); err != nil {
		h.renderError(w, r, v, dealError(v, err))
		return
	}
	h.doneReload(w, r, fmt.Sprintf("/deals/%d", id), v.T("deal.commented"))
}

// tagDeal adds a tag to the deal, or with remove=<id> takes one off.
func (h *handler) tagDeal(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	in := crm.LeadInput{ID: id}
	if rm := r.PostFormValue("remove"); rm != "" {
		tagID, err := strconv.ParseInt(rm, 10, 64)
		if err != nil {
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_form")))
			return
		}
		in.TagsToDelete = []crm.TagRef{{ID: tagID}}
	} else {
		name := strings.TrimSpace(r.PostFormValue("tag"))
		if name == "" {
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.empty_tag")))
			return
		}
		in.TagsToAdd = []crm.TagRef{{Name: name}}
	}
	if _, err := h.svc.UpdateLeadStamps(r.Context(), v.Actor, []crm.LeadInput{in}); err != nil {
		h.renderError(w, r, v, dealError(v, err))
		return
	}
	h.doneReload(w, r, fmt.Sprintf("/deals/%d", id), v.T("common.saved"))
}

// addDealTask sets a task on the deal: its text, due time (the account's
// zone) and who it is for.
func (h *handler) addDealTask(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.empty_task")))
		return
	}
	due, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("due"), v.loc)
	if err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_due")))
		return
	}
	entity := crm.EntityDeal
	in := crm.TaskInput{Text: &text, CompleteTill: &due, EntityType: &entity, EntityID: &id}
	if s := r.PostFormValue("responsible"); s != "" {
		uid, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("deal.bad_form")))
			return
		}
		in.ResponsibleUserID = &uid
	}
	if _, err := h.svc.AddTasks(r.Context(), v.Actor, []crm.TaskInput{in}); err != nil {
		h.renderError(w, r, v, dealError(v, err))
		return
	}
	h.doneReload(w, r, fmt.Sprintf("/deals/%d", id), v.T("deal.task_added"))
}

// done answers a saved form: JSON for the page's script, else back to the
// page.
func (h *handler) done(w http.ResponseWriter, r *http.Request, back, message string) {
	if isFetch(r) {
		writeJSON(w, http.StatusOK, map[string]any{"message": message})
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// doneReload is done for a change the page must redraw to show (a new
// timeline entry, task or tag).
func (h *handler) doneReload(w http.ResponseWriter, r *http.Request, back, message string) {
	if isFetch(r) {
		writeJSON(w, http.StatusOK, map[string]any{"message": message, "reload": true})
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// dealError words the deal errors that carry only a code.
func dealError(v *view, err error) error {
	if crm.CodeOf(err) == crm.CodeDealNotFound {
		return crm.Errorf(crm.KindNotFound, "%s", v.T("deal.not_found"))
	}
	return err
}

var dealMessages = catalog{
	"deal.not_found":        {"No such deal.", "Такой сделки нет."},
	"deal.bad_form":         {"The form was not understood.", "Форма заполнена неверно."},
	"deal.bad_price":        {"The budget must be a whole non-negative number.", "Бюджет должен быть целым неотрицательным числом."},
	"deal.bad_date":         {"The date must look like 2026-12-31.", "Дата должна быть в виде 2026-12-31."},
	"deal.bad_number":       {"Enter a number.", "Введите число."},
	"deal.bad_due":          {"Give the task a due date and time.", "Укажите дату и время задачи."},
	"deal.empty_comment":    {"Write the comment first.", "Напишите комментарий."},
	"deal.empty_tag":        {"Name the tag.", "Введите тег."},
	"deal.empty_task":       {"Say what is to be done.", "Опишите задачу."},
	"deal.commented":        {"Comment added.", "Комментарий добавлен."},
	"deal.task_added":       {"Task added.", "Задача добавлена."},
	"deal.fields":           {"Deal", "Сделка"},
	"deal.custom_fields":    {"Fields", "Поля"},
	"deal.source":           {"Source", "Источник"},
	"deal.client_none":      {"No client.", "Клиент не указан."},
	"deal.add_tag":          {"Add a tag", "Добавить тег"},
	"deal.remove_tag":       {"Remove tag %s", "Удалить тег %s"},
	"deal.tasks":            {"Tasks", "Задачи"},
	"deal.no_tasks":         {"No open tasks.", "Открытых задач нет."},
	"deal.add_task":         {"Add task", "Поставить задачу"},
	"deal.task_text":        {"Task", "Задача"},
	"deal.task_due":         {"Due", "Срок"},
	"deal.task_for":         {"For", "Кому"},
	"deal.complete":         {"Complete", "Выполнить"},
	"deal.timeline":         {"Timeline", "История"},
	"deal.comment":          {"Comment", "Комментарий"},
	"deal.comment_send":     {"Add comment", "Добавить комментарий"},
	"deal.comment_hint":     {"Ctrl+Enter sends.", "Ctrl+Enter — отправить."},
	"deal.created":          {"Created %s", "Создана %s"},
	"deal.whatsapp":         {"WhatsApp", "WhatsApp"},
	"deal.yes":              {"Yes", "Да"},
	"timeline.created":      {"Deal created", "Сделка создана"},
	"timeline.in_stage":     {"in stage “%s”", "на этапе «%s»"},
	"timeline.stage":        {"Stage changed", "Этап изменён"},
	"timeline.comment":      {"Comment", "Комментарий"},
	"timeline.call":         {"Call", "Звонок"},
	"timeline.responsible":  {"Responsible changed", "Сменился ответственный"},
	"timeline.changed":      {"Fields changed", "Изменены поля"},
	"timeline.tags_added":   {"Tags added", "Добавлены теги"},
	"timeline.tags_deleted": {"Tags removed", "Удалены теги"},
	"timeline.lead":         {"Lead", "Заявка"},
	"timeline.linked":       {"Linked", "Связано"},
	"timeline.unlinked":     {"Unlinked", "Связь удалена"},
	"timeline.event":        {"Event", "Событие"},
	"timeline.empty":        {"Nothing has happened yet.", "Пока ничего не происходило."},
	"entity.contacts":       {"Contact", "Контакт"},
	"entity.companies":      {"Company", "Компания"},
	"entity.customers":      {"Customer", "Покупатель"},
	"entity.leads":          {"Deal", "Сделка"},
}
