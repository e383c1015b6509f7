package transfer

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/sheet"
)

// Export writes what a list shows as a table file, one page of records at
// a time: a page is read from crm, written row by row to the sheet writer
// (which streams to the file or the response), and dropped before the next
// is read, so memory holds one page whatever the count. Deals, clients and
// leads are paged by key (the last id of the page, newest first: each page
// costs the same however deep, and a record added meanwhile does not shift
// the pages); customers by key too (oldest first, their API's own order);
// tasks, listed by due time, by offset.
//
// The columns are the record's own fields, then its custom fields in the
// account's order. One header row: the own fields are named in the user's
// language (English or Russian), the custom fields as the account named
// them, since that is the name the people who made them know them by, and
// an import maps a column back to its field by it. Times are in the
// account's time zone, as "2006-01-02 15:04"; dates as "2006-01-02".

// Kind is a list that can be exported.
type Kind string

// The lists.
const (
	Leads     Kind = "leads"
	Deals     Kind = "deals"
	Clients   Kind = "clients"
	Customers Kind = "customers"
	Tasks     Kind = "tasks"
)

// Kinds lists the kinds in the workspace's order.
var Kinds = []Kind{Leads, Deals, Clients, Customers, Tasks}

// ParseKind reads a kind's name; anything else is an invalid-input error
// naming the kinds there are.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", crm.Errorf(crm.KindInvalid, "unknown kind %q: use leads, deals, clients, customers or tasks", s)
}

// ParseFormat reads a format's name ("" is CSV) as an invalid-input error
// when it is neither csv nor xlsx.
func ParseFormat(s string) (sheet.Format, error) {
	f, err := sheet.ParseFormat(s)
	if err != nil {
		return "", crm.Errorf(crm.KindInvalid, "%s", err.Error())
	}
	return f, nil
}

// pageSize is how many records one read brings: large enough that the
// per-page reads (names, custom fields) are a small share, small enough
// that a page is a few hundred kilobytes. It is the domain's largest
// page, as a page's related records (contact cards, companies, linked
// records) are read by their ids in one call, which takes no more.
var pageSize = crm.MaxPageLimit

// Request says what to export. The query of the request's Kind is the
// list's filter, built by the list's own code (the web page's filter, or
// none from the command line); the other queries are ignored, and so are
// their Limit and Offset, which the export sets as it pages.
type Request struct {
	Kind   Kind
	Format sheet.Format
	// Lang is "ru" or "en" (anything else): the language of the own
	// fields' headers and of the words in cells (statuses, yes and no).
	Lang      string
	Leads     crm.InboundQuery
	Deals     crm.DealFilter
	Clients   crm.ClientQuery
	Customers crm.CustomerQuery
	Tasks     crm.TaskQuery
	// Progress, when set, is called after each page with the rows
	// written so far.
	Progress func(rows int)
}

// Exporter exports lists over a crm service.
type Exporter struct {
	svc *crm.Service
}

// NewExporter returns an exporter over svc.
func NewExporter(svc *crm.Service) *Exporter { return &Exporter{svc: svc} }

// Export writes the records of req's list that actor may see to w, in
// req.Format, and returns how many rows it wrote (the header aside). A
// bad kind or format is refused before anything is written; an error
// after the header has been written leaves a partial file, which the
// caller must not present as whole (the web closes the response; the
// command line removes the file).
func (e *Exporter) Export(ctx context.Context, actor crm.Actor, w io.Writer, req Request) (int, error) {
	if _, err := ParseKind(string(req.Kind)); err != nil {
		return 0, err
	}
	if req.Format != sheet.CSV && req.Format != sheet.XLSX {
		return 0, crm.Errorf(crm.KindInvalid, "unknown format %q: use csv or xlsx", req.Format)
	}
	x, err := e.newExport(ctx, actor, req)
	if err != nil {
		return 0, err
	}
	out, err := sheet.NewWriter(w, req.Format, x.columns())
	if err != nil {
		return 0, err
	}
	x.out = out
	var run func(context.Context) error
	switch req.Kind {
	case Leads:
		run = x.leads
	case Deals:
		run = x.deals
	case Clients:
		run = x.clients
	case Customers:
		run = x.customers
	case Tasks:
		run = x.tasks
	}
	if err := run(ctx); err != nil {
		return x.rows, err
	}
	return x.rows, out.Close()
}

// export is one export's state: the names its cells use, read once.
type export struct {
	svc    *crm.Service
	actor  crm.Actor
	req    Request
	words  map[string]string
	loc    *time.Location
	users  map[int64]string
	fields []crm.CustomField
	own    []sheet.Column
	out    sheet.Writer
	rows   int
	row    []string

	inboxes   map[int64]string
	pipelines map[int64]string
	stages    map[int64]string
	statuses  map[int64]string
}

func (e *Exporter) newExport(ctx context.Context, actor crm.Actor, req Request) (*export, error) {
	ref, err := e.svc.Reference(ctx, actor)
	if err != nil {
		return nil, err
	}
	x := &export{svc: e.svc, actor: actor, req: req, words: words(req.Lang), users: map[int64]string{}}
	if x.loc, err = time.LoadLocation(ref.Account.TimeZone); err != nil {
		x.loc = time.UTC
	}
	for _, u := range ref.Users {
		x.users[u.ID] = strings.TrimSpace(u.Name + " " + u.Surname)
	}
	switch req.Kind {
	case Leads:
		x.own = x.cols("id", "name", "phone", "email", "comment", "source", "status", "deals", "created",
			"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
		x.fields = ref.InboundFields
		x.inboxes = map[int64]string{}
		for _, t := range ref.InboxTypes {
			x.inboxes[t.ID] = t.Name
		}
	case Deals:
		x.own = x.cols("id", "name", "pipeline", "stage", "price", "client", "responsible", "tags", "created", "closed", "next_task")
		x.own[4].Numeric = true
		x.fields = ref.DealFields
		x.pipelines, x.stages = map[int64]string{}, map[int64]string{}
		for _, p := range ref.DealPipelines {
			x.pipelines[p.ID] = p.Name
			for _, s := range p.Stages {
				x.stages[s.ID] = s.Name
			}
		}
	case Clients:
		x.own = x.cols("id", "name", "phone", "email", "company", "created")
		x.fields = ref.ClientFields
	case Customers:
		x.own = x.cols("id", "name", "status", "next_price", "next_date", "responsible", "ltv", "purchases", "average_check", "created")
		for _, i := range []int{3, 6, 7, 8} {
			x.own[i].Numeric = true
		}
		if x.fields, err = e.allFields(ctx, actor, crm.EntityCustomer); err != nil {
			return nil, err
		}
		// Statuses are the periodicity mode's; in the segments mode a
		// customer has none to name, and the column stays empty.
		statuses, err := e.svc.CustomerStatuses(ctx, actor)
		if err != nil && crm.KindOf(err) != crm.KindUnprocessable {
			return nil, err
		}
		x.statuses = map[int64]string{}
		for _, s := range statuses {
			x.statuses[s.ID] = s.Name
		}
	case Tasks:
		x.own = x.cols("id", "due", "text", "belongs_to", "belongs_to_name", "responsible", "status", "result", "created")
	}
	x.row = make([]string, len(x.own)+len(x.fields))
	return x, nil
}

// allFields reads every custom field of an entity, in the account's order.
func (e *Exporter) allFields(ctx context.Context, actor crm.Actor, entity crm.EntityType) ([]crm.CustomField, error) {
	var out []crm.CustomField
	for page := 1; ; page++ {
		list, total, _, err := e.svc.CustomFields(ctx, actor, entity, crm.FieldQuery{Page: crm.Page{Number: page, Limit: crm.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
		if len(list) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

// cols are the own columns by header key.
func (x *export) cols(keys ...string) []sheet.Column {
	out := make([]sheet.Column, len(keys))
	for i, k := range keys {
		out[i] = sheet.Column{Name: x.words["col."+k]}
	}
	return out
}

// columns are the own columns and then the custom fields.
func (x *export) columns() []sheet.Column {
	out := append([]sheet.Column(nil), x.own...)
	for _, f := range x.fields {
		out = append(out, sheet.Column{Name: f.Name, Numeric: f.Type == crm.FieldNumeric})
	}
	return out
}

// write writes the row being built (own cells set by the caller) with the
// record's custom field values, and clears it for the next.
func (x *export) write(fields []crm.FieldValue) error {
	n := len(x.own)
	for i, f := range x.fields {
		x.row[n+i] = ""
		for _, v := range fields {
			if v.FieldID == f.ID {
				x.row[n+i] = x.fieldText(f, v)
				break
			}
		}
	}
	if err := x.out.WriteRow(x.row); err != nil {
		return err
	}
	x.rows++
	clear(x.row)
	return nil
}

// page reports a page done: progress, and whether the request was given
// up (a client that went away, ^C).
func (x *export) page(ctx context.Context) error {
	if x.req.Progress != nil {
		x.req.Progress(x.rows)
	}
	return ctx.Err()
}

// fieldText is a custom field's value as a cell: several values (a
// multiselect's options, a multitext's entries) joined by "; ", dates in
// the account's zone, a checkbox as yes or no.
func (x *export) fieldText(f crm.CustomField, v crm.FieldValue) string {
	parts := make([]string, 0, len(v.Values))
	for _, val := range v.Values {
		switch f.Type {
		case crm.FieldDate:
			if val.Text != "" {
				parts = append(parts, time.Unix(val.Unix(), 0).In(x.loc).Format(time.DateOnly))
			}
		case crm.FieldDateTime:
			if val.Text != "" {
				parts = append(parts, x.time(time.Unix(val.Unix(), 0)))
			}
		case crm.FieldCheckbox:
			if val.Bool() {
				parts = append(parts, x.words["yes"])
			} else {
				parts = append(parts, x.words["no"])
			}
		default:
			if val.Text != "" {
				parts = append(parts, val.Text)
			}
		}
	}
	return strings.Join(parts, "; ")
}

// time is a time in the account's zone; "" for none.
func (x *export) time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(x.loc).Format("2006-01-02 15:04")
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func ids(list []int64) string {
	parts := make([]string, len(list))
	for i, n := range list {
		parts[i] = id(n)
	}
	return strings.Join(parts, ", ")
}

// responsible names a record's responsible user ("" for none).
func (x *export) responsible(userID int64) string {
	if userID == 0 {
		return ""
	}
	if name, ok := x.users[userID]; ok && name != "" {
		return name
	}
	return fmt.Sprintf("#%d", userID)
}

// dealResponsible is the user a deal is for: its employee, else its
// administrator (amoCRM's responsible_user_id).
func dealResponsible(r crm.Responsible) int64 {
	if r.EmployeeID != 0 {
		return r.EmployeeID
	}
	return r.UserID
}

// leads exports the lead inbox: newest first, keyed by id.
func (x *export) leads(ctx context.Context) error {
	q := x.req.Leads
	q.Limit, q.Offset, q.BeforeID = pageSize, 0, 0
	for {
		list, _, err := x.svc.Inbounds(ctx, x.actor, q)
		if err != nil {
			return err
		}
		for _, l := range list {
			values := map[int64]string{}
			for _, sv := range l.Values {
				values[sv.FieldID] = sv.Value
			}
			// As the inbox words it (web leadRow.Status).
			status := "status.closed"
			switch {
			case !l.TakenToWork():
				status = "status.new"
			case len(l.DealIDs) > 0:
				status = "status.taken"
			}
			phone := ""
			if l.Phone != "" {
				phone = crm.FormatPhone(l.Phone)
			}
			copy(x.row, []string{id(l.ID), l.Name, phone, l.Email, values[crm.FieldLeadComment], x.inboxes[l.InboxTypeID],
				x.words[status], ids(l.DealIDs), x.time(l.CreatedAt),
				values[crm.FieldLeadUTMSource], values[crm.FieldLeadUTMMedium], values[crm.FieldLeadUTMCampaign],
				values[crm.FieldLeadUTMContent], values[crm.FieldLeadUTMTerm]})
			if err := x.write(l.Fields); err != nil {
				return err
			}
		}
		if err := x.page(ctx); err != nil || len(list) < pageSize {
			return err
		}
		q.BeforeID = list[len(list)-1].ID
	}
}

// deals exports a deal search: newest first, keyed by id.
func (x *export) deals(ctx context.Context) error {
	f := x.req.Deals
	f.Limit, f.Offset, f.BeforeID = pageSize, 0, 0
	for {
		list, err := x.svc.DealRows(ctx, x.actor, f)
		if err != nil {
			return err
		}
		for _, d := range list {
			tags := make([]string, len(d.Tags))
			for i, t := range d.Tags {
				tags[i] = t.Name
			}
			next := ""
			if d.Task != nil {
				next = x.time(d.Task.Time)
			}
			client := d.Client.Name
			if client == "" {
				client = d.ClientName
			}
			copy(x.row, []string{id(d.ID), d.Name, x.pipelines[d.PipelineID], x.stages[d.StageID], id(d.Price), client,
				x.responsible(dealResponsible(d.Responsible)), strings.Join(tags, ", "), x.time(d.CreatedAt), x.time(d.ClosedAt), next})
			if err := x.write(d.Fields); err != nil {
				return err
			}
		}
		if err := x.page(ctx); err != nil || len(list) < pageSize {
			return err
		}
		f.BeforeID = list[len(list)-1].ID
	}
}

// clients exports a client search: newest first, keyed by id, each with
// its main company as the clients list shows it.
func (x *export) clients(ctx context.Context) error {
	q := x.req.Clients
	q.Limit, q.Offset, q.BeforeID = pageSize, 0, 0
	for {
		list, err := x.svc.ClientRows(ctx, x.actor, q)
		if err != nil {
			return err
		}
		companies, err := x.svc.MainCompanies(ctx, x.actor, list)
		if err != nil {
			return err
		}
		for _, c := range list {
			phone := c.Phone()
			if digits := crm.NormalizePhone(phone); digits != "" && digits == phone {
				phone = crm.FormatPhone(phone)
			}
			copy(x.row, []string{id(c.ID), c.Name, phone, c.Email(), companies[c.ID], x.time(c.CreatedAt)})
			if err := x.write(c.Fields); err != nil {
				return err
			}
		}
		if err := x.page(ctx); err != nil || len(list) < pageSize {
			return err
		}
		q.BeforeID = list[len(list)-1].ID
	}
}

// customers exports customers: oldest first, keyed by id.
func (x *export) customers(ctx context.Context) error {
	q := x.req.Customers
	q.Limit, q.Offset, q.AfterID, q.OrderBy, q.Desc = pageSize, 0, 0, "id", false
	for {
		list, _, err := x.svc.Customers(ctx, x.actor, q)
		if err != nil {
			return err
		}
		for _, c := range list {
			next := ""
			if !c.NextDate.IsZero() {
				next = c.NextDate.In(x.loc).Format(time.DateOnly)
			}
			copy(x.row, []string{id(c.ID), c.Name, x.statuses[c.StatusID], id(c.NextPrice), next,
				x.responsible(c.ResponsibleUserID), id(c.LTV), id(c.PurchasesCount), id(c.AverageCheck), x.time(c.CreatedAt)})
			if err := x.write(c.Fields); err != nil {
				return err
			}
		}
		if err := x.page(ctx); err != nil || len(list) < pageSize {
			return err
		}
		q.AfterID = list[len(list)-1].ID
	}
}

// tasks exports tasks in the list's order (due time, then id), by offset:
// the order is not by id, so there is no key to page by.
func (x *export) tasks(ctx context.Context) error {
	q := x.req.Tasks
	q.Limit, q.Offset = pageSize, 0
	for {
		list, _, err := x.svc.Tasks(ctx, x.actor, q)
		if err != nil {
			return err
		}
		names, err := x.owners(ctx, list)
		if err != nil {
			return err
		}
		for _, t := range list {
			typ, owner := Owner(t)
			what, name := "", ""
			if typ != "" {
				what, name = x.words["entity."+string(typ)], names[typ][owner]
				if name == "" {
					name = "#" + id(owner)
				}
			}
			status := "task.open"
			if t.Success {
				status = "task.done"
			}
			copy(x.row, []string{id(t.ID), x.time(t.Time), t.Text, what, name, x.responsible(t.ResponsibleUserID()),
				x.words[status], t.Result, x.time(t.CreatedAt)})
			if err := x.write(nil); err != nil {
				return err
			}
		}
		if err := x.page(ctx); err != nil || len(list) < pageSize {
			return err
		}
		q.Offset += len(list)
	}
}

// Owner is what a task belongs to: its deal, else its entity ("" for a
// free task).
func Owner(t crm.Task) (crm.EntityType, int64) {
	if t.DealID != 0 {
		return crm.EntityDeal, t.DealID
	}
	if t.EntityType != "" && t.EntityID != 0 {
		return t.EntityType, t.EntityID
	}
	return "", 0
}

// owners names the deals, clients, companies and customers a page of
// tasks belongs to, one read per kind.
func (x *export) owners(ctx context.Context, list []crm.Task) (map[crm.EntityType]map[int64]string, error) {
	want := map[crm.EntityType][]int64{}
	for _, t := range list {
		if typ, owner := Owner(t); typ != "" {
			want[typ] = append(want[typ], owner)
		}
	}
	out := map[crm.EntityType]map[int64]string{}
	for typ, ids := range want {
		names := map[int64]string{}
		out[typ] = names
		switch typ {
		case crm.EntityDeal:
			list, _, err := x.svc.Leads(ctx, x.actor, crm.LeadQuery{IDs: ids, Limit: len(ids)})
			if err != nil {
				return nil, err
			}
			for _, l := range list {
				names[l.ID] = l.Name
			}
		case crm.EntityContact:
			list, _, err := x.svc.Contacts(ctx, x.actor, crm.ListQuery{IDs: ids, Limit: len(ids)})
			if err != nil {
				return nil, err
			}
			for _, c := range list {
				names[c.ID] = c.Name
			}
		case crm.EntityCompany:
			list, _, err := x.svc.Companies(ctx, x.actor, crm.ListQuery{IDs: ids, Limit: len(ids)})
			if err != nil {
				return nil, err
			}
			for _, c := range list {
				names[c.ID] = c.Name
			}
		case crm.EntityCustomer:
			list, _, err := x.svc.Customers(ctx, x.actor, crm.CustomerQuery{IDs: ids, Limit: len(ids)})
			if err != nil {
				if ctx.Err() != nil {
					return nil, err
				}
				// Customers switched off: the names stay ids.
				continue
			}
			for _, c := range list {
				names[c.ID] = c.Name
			}
		}
	}
	return out, nil
}
