package crm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ImportKind is what the rows of an import become.
type ImportKind string

// The kinds of record an import makes.
const (
	// ImportClients: each row is a client (a contact).
	ImportClients ImportKind = "clients"
	// ImportDeals: each row is a deal, with its client found or made.
	ImportDeals ImportKind = "deals"
	// ImportLeads: each row is an Envybox lead (an inbound request),
	// recorded as lead/set records one.
	ImportLeads ImportKind = "leads"
)

// ImportKinds lists the kinds in the order screens offer them.
var ImportKinds = []ImportKind{ImportClients, ImportDeals, ImportLeads}

// ImportRecord is one row of an import, its cells already given to
// fields. Texts are as written in the file: the import normalises and
// validates them. The violation paths of a refused row are the names of
// these fields ("name", "phone", "email", "company", "comment",
// "deal_name", "price", "pipeline", "stage", "responsible") or "cf:ID"
// for a custom field.
type ImportRecord struct {
	Name    string
	Phone   string
	Email   string
	Company string
	Comment string
	// DealName and Price are the deal's (deals).
	DealName string
	Price    string
	// Pipeline and Stage name a deal pipeline and its stage by name or
	// id (deals; leads take the pipeline of the deal they will become).
	Pipeline string
	Stage    string
	// Responsible names a user of the account by name or email.
	Responsible string
	// Custom are custom values by field id, of the kind's entity
	// (contacts, deals or inbound requests).
	Custom []CustomValueInput
}

// ImportOutcome is what became of one row.
type ImportOutcome string

// The outcomes of a row.
const (
	// ImportNew: the row made a new client (or lead with no earlier one
	// of its phone or email).
	ImportNew ImportOutcome = "new"
	// ImportDuplicate: the row's phone or email is an existing client's
	// (or an earlier lead's). Clients are merged into the existing one;
	// a deal is linked to it; a lead is recorded as the earlier one's
	// child, as lead/set does — see Importer.
	ImportDuplicate ImportOutcome = "duplicate"
	// ImportFailed: the row was refused, nothing of it written.
	ImportFailed ImportOutcome = "error"
)

// ImportResult is what became of one row.
type ImportResult struct {
	Outcome ImportOutcome
	// Err is the refusal of a failed row: a *Error whose violations'
	// paths name ImportRecord fields.
	Err error
	// ClientID, DealID and InboundID are what the row made or merged
	// into (0 in a dry run, where nothing stays).
	ClientID, DealID, InboundID int64
	// Phone and Email are the row's, normalised: the keys duplicates
	// are found by.
	Phone, Email string
}

// Importer writes rows of one import. It reads the account's users,
// pipelines and custom fields once, when made: an import is an
// administrator's bulk load, and a pipeline or field changed meanwhile is
// seen by the next import.
//
// Duplicates follow the intake (lead/set and taking a lead to work): a
// row whose normalised phone or email (NormalizePhone, NormalizeEmail) is
// an existing client's is that client, found as StartInbound finds it
// (Tx.ContactsByPhoneOrEmail, the lowest id first). As amoCRM's import
// does, the duplicate is not made again but merged: the client keeps its
// name, gains the row's phone and email when they are new to it, its
// company when it has no company of that name, the row's custom values
// and comment. A deal row's deal is made and linked to the client found.
// A lead row is recorded as lead/set records it: with the first lead of
// its phone or email as parent, which is what a duplicate lead is.
type Importer struct {
	s             *Service
	actor         Actor
	kind          ImportKind
	ic            *inboundContext
	users         []User
	contactFields []CustomField
	dealFields    []CustomField
	// written counts rows of committed batches; refreshed is the count
	// at which statistics were last refreshed.
	written, refreshed int
}

// statsRefresher is a store that can refresh its planner's statistics of
// the tables an import fills (store.DB on PostgreSQL).
type statsRefresher interface {
	RefreshImportStats(ctx context.Context) error
}

// refreshStats has the store refresh its statistics once the import has
// written ten times the rows it had at the last refresh (1,000 rows, then
// 10,000, 100,000 …), as autovacuum would some time later: planned on a new
// account's empty tables, each row read them whole. A failure only costs
// speed, so it is not the import's.
func (im *Importer) refreshStats(ctx context.Context) {
	r, ok := im.s.store.(statsRefresher)
	if !ok || im.written < 1000 || im.written < 10*im.refreshed {
		return
	}
	im.refreshed = im.written
	_ = r.RefreshImportStats(ctx)
}

// NewImporter prepares an import of kind for an administrator.
// Errors: forbidden (not an administrator), invalid (an unknown kind).
func (s *Service) NewImporter(ctx context.Context, actor Actor, kind ImportKind) (*Importer, error) {
	if err := actor.requireAdmin(); err != nil {
		return nil, err
	}
	switch kind {
	case ImportClients, ImportDeals, ImportLeads:
	default:
		return nil, Errorf(KindInvalid, "Unknown import kind %q: clients, deals or leads.", kind)
	}
	im := &Importer{s: s, actor: actor, kind: kind}
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		var err error
		if im.ic, err = loadInboundContext(ctx, tx, inboundNeeds{users: true, departments: true, fields: true}); err != nil {
			return err
		}
		if im.users, err = tx.Users(ctx); err != nil {
			return err
		}
		if im.contactFields, err = tx.AllCustomFields(ctx, EntityContact); err != nil {
			return err
		}
		im.dealFields, err = tx.AllCustomFields(ctx, EntityDeal)
		return err
	})
	if err != nil {
		return nil, err
	}
	return im, nil
}

// Fields returns the custom fields rows of this import may fill.
func (im *Importer) Fields() []CustomField {
	switch im.kind {
	case ImportClients:
		return im.contactFields
	case ImportDeals:
		return im.dealFields
	}
	return im.ic.fields
}

// errRollback undoes a batch: a dry run's, or one with a refused row.
var errRollback = errors.New("import: roll back")

// Import writes recs, each all or nothing, and returns what became of
// each, in order. Rows go in batches of one transaction; a refused row
// undoes its batch, which is then written again without it, so a row is
// never half written and its neighbours are not lost. With dry set,
// every batch is undone: the results say what would happen (each batch
// sees its own rows, so a phone twice in one batch is a duplicate the
// second time; the caller tells duplicates across batches).
// An error other than a row's refusal (the database failing) ends the
// import: rows before it are written, the results cover them.
func (im *Importer) Import(ctx context.Context, recs []ImportRecord, dry bool) ([]ImportResult, error) {
	out := make([]ImportResult, 0, len(recs))
	for len(recs) > 0 {
		res, failed, err := im.batch(ctx, recs, dry)
		if err != nil {
			return out, err
		}
		if failed < 0 {
			return append(out, res...), nil
		}
		if failed > 0 {
			// The rows before the refused one, again, without it.
			ok, err := im.Import(ctx, recs[:failed], dry)
			out = append(out, ok...)
			if err != nil {
				return out, err
			}
		}
		out = append(out, res[failed])
		recs = recs[failed+1:]
	}
	return out, nil
}

// batch writes recs in one transaction. Rows refused by validation are
// left out as it goes; failed is the index of a row refused while
// writing (its result in res holds the refusal), which undoes the batch;
// -1 when none.
func (im *Importer) batch(ctx context.Context, recs []ImportRecord, dry bool) (res []ImportResult, failed int, err error) {
	failed = -1
	err = im.s.store.Update(ctx, im.actor.AccountID, func(tx Tx) error {
		res = make([]ImportResult, len(recs))
		for i, rec := range recs {
			r, err := im.row(ctx, tx, rec)
			var early *rowRefusal
			if errors.As(err, &early) {
				// Refused before writing: the batch goes on without it.
				res[i] = ImportResult{Outcome: ImportFailed, Err: early.err, Phone: r.Phone, Email: r.Email}
				continue
			}
			if err != nil {
				if _, ok := AsError(err); !ok {
					return err
				}
				failed, res[i] = i, ImportResult{Outcome: ImportFailed, Err: err, Phone: r.Phone, Email: r.Email}
				return errRollback
			}
			if dry {
				r.ClientID, r.DealID, r.InboundID = 0, 0, 0
			}
			res[i] = r
		}
		if dry {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		err = nil
	}
	if err == nil && !dry {
		im.written += len(recs)
		im.refreshStats(ctx)
	}
	if err == nil && !dry && failed < 0 && im.kind == ImportLeads {
		n := 0
		for _, r := range res {
			if r.Outcome != ImportFailed {
				n++
			}
		}
		im.s.tookIn(ctx, n)
	}
	return res, failed, err
}

// rowRefusal is a row refused before it wrote anything: its batch need
// not be undone. Most refusals are these (validation comes first); one
// found while writing undoes the batch.
type rowRefusal struct{ err error }

func (r *rowRefusal) Error() string { return r.err.Error() }

// row writes one record in tx.
func (im *Importer) row(ctx context.Context, tx Tx, rec ImportRecord) (ImportResult, error) {
	var v violations
	res := ImportResult{Phone: NormalizePhone(rec.Phone), Email: NormalizeEmail(rec.Email)}
	if strings.TrimSpace(rec.Phone) != "" && res.Phone == "" {
		v.rule(0, "phone", ViolationInvalid, RulePhoneDigits, "A phone must contain digits.")
	}
	v.checkText(0, "phone", rec.Phone, MaxShortText)
	if res.Email != "" && !validEmail(res.Email) {
		v.rule(0, "email", ViolationInvalid, RuleEmailInvalid, "The email is malformed.")
	}
	v.checkText(0, "email", rec.Email, MaxShortText)
	name := strings.TrimSpace(rec.Name)
	v.checkText(0, "name", name, MaxNameLength)
	v.checkText(0, "company", strings.TrimSpace(rec.Company), MaxNameLength)
	v.checkText(0, "comment", rec.Comment, MaxLongText)
	who := im.responsible(&v, rec.Responsible)
	if im.kind == ImportLeads {
		if res.Phone == "" && res.Email == "" && strings.TrimSpace(rec.Phone) == "" {
			v.add(0, "phone", ViolationRequired, "A lead needs a phone or an email.")
		}
		if err := v.err(); err != nil {
			return res, &rowRefusal{err}
		}
		return im.lead(ctx, tx, rec, res, who)
	}
	custom := im.custom(&v, im.Fields(), rec.Custom)
	var pipeline Pipeline
	var stage Stage
	var price int64
	if im.kind == ImportDeals {
		pipeline, stage = im.stage(&v, rec.Pipeline, rec.Stage)
		price = parsePrice(&v, rec.Price)
		v.checkText(0, "deal_name", strings.TrimSpace(rec.DealName), MaxNameLength)
	}
	if im.kind == ImportClients && name == "" && res.Phone == "" && res.Email == "" {
		v.add(0, "name", ViolationRequired, "A client needs a name, a phone or an email.")
	}
	if err := v.err(); err != nil {
		return res, &rowRefusal{err}
	}
	var err error
	if name != "" || res.Phone != "" || res.Email != "" {
		var custom2 []FieldValue
		if im.kind == ImportClients {
			custom2 = custom
		}
		if res.ClientID, res.Outcome, err = im.client(ctx, tx, rec, res, who, custom2); err != nil {
			return res, err
		}
	} else {
		// A deal with no client at all.
		res.Outcome = ImportNew
	}
	if im.kind == ImportClients {
		return res, nil
	}
	d := Deal{Name: strings.TrimSpace(rec.DealName), ClientID: res.ClientID, PipelineID: pipeline.ID, StageID: stage.ID,
		Responsible: responsibleFor(who, Responsible{}), Price: price, CreatedBy: im.actor.UserID, UpdatedBy: im.actor.UserID}
	if who.ID == 0 {
		d.Responsible = Responsible{}
	}
	if d.Name == "" {
		d.Name = "Сделка"
	}
	if inbox, ok := im.ic.inboxType(0); ok {
		d.InboxTypeID = inbox.ID
	}
	if err := insertDeal(ctx, tx, &d, stage); err != nil {
		return res, err
	}
	res.DealID = d.ID
	if len(custom) > 0 {
		if err := tx.SetFieldValues(ctx, EntityDeal, d.ID, custom); err != nil {
			return res, err
		}
	}
	if c := strings.TrimSpace(rec.Comment); c != "" {
		if err := writeLog(ctx, tx, EntityDeal, d.ID, LogDealComment, map[string]any{"comment": c}, im.by()); err != nil {
			return res, err
		}
	}
	return res, nil
}

// by is who the import's history entries are written by.
func (im *Importer) by() Responsible { return Responsible{UserID: im.actor.UserID} }

// responsible finds the user a row names, by name (with or without the
// surname) or email, ignoring case; the zero User when none is named.
func (im *Importer) responsible(v *violations, who string) User {
	who = strings.TrimSpace(who)
	if who == "" {
		return User{}
	}
	key := strings.ToLower(who)
	for _, u := range im.users {
		full := strings.ToLower(strings.TrimSpace(u.Name + " " + u.Surname))
		if strings.ToLower(u.Email) == key || strings.ToLower(u.Name) == key || full == key {
			return u
		}
	}
	v.add(0, "responsible", ViolationChoice, fmt.Sprintf("%q is not a user of this CRM (give a name or an email).", who))
	return User{}
}

// stage finds the deal pipeline (default: the primary one) and its stage
// (default: the first) a row names by name or id.
func (im *Importer) stage(v *violations, pipeline, stage string) (Pipeline, Stage) {
	pipeline, stage = strings.TrimSpace(pipeline), strings.TrimSpace(stage)
	p, ok := im.ic.dealPipeline(0)
	if pipeline != "" {
		ok = false
		for _, c := range im.ic.pipelines {
			if strings.EqualFold(c.Name, pipeline) || strconv.FormatInt(c.ID, 10) == pipeline {
				p, ok = c, true
				break
			}
		}
	}
	if !ok {
		v.add(0, "pipeline", ViolationChoice, fmt.Sprintf("%q is not a deal pipeline of this CRM.", pipeline))
		return p, Stage{}
	}
	if stage == "" {
		return p, p.FirstStage()
	}
	for _, s := range p.Stages {
		if strings.EqualFold(s.Name, stage) || strconv.FormatInt(s.ID, 10) == stage {
			return p, s
		}
	}
	v.add(0, "stage", ViolationChoice, fmt.Sprintf("%q is not a stage of pipeline %s.", stage, p.Name))
	return p, Stage{}
}

// parsePrice reads an amount as people write it: "1 500", "1500,50",
// "1500.5 ₽"; kopecks are rounded to whole units, which is what a deal
// holds.
func parsePrice(v *violations, s string) int64 {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9', r == '.', r == '-':
			b.WriteRune(r)
		case r == ',':
			b.WriteRune('.')
		case r == ' ' || r == '\u00a0' || r == '\u202f' || r == '₽' || r == '$' || r == '€':
		default:
			v.add(0, "price", ViolationInvalid, fmt.Sprintf("%q is not an amount.", s))
			return 0
		}
	}
	if b.Len() == 0 {
		return 0
	}
	f, err := strconv.ParseFloat(b.String(), 64)
	if err != nil || f < 0 || f > 1e15 {
		v.add(0, "price", ViolationInvalid, fmt.Sprintf("%q is not an amount.", s))
		return 0
	}
	return int64(math.Round(f))
}

// custom validates a row's custom values, one path ("cf:ID") per field.
func (im *Importer) custom(v *violations, defs []CustomField, in []CustomValueInput) []FieldValue {
	var out []FieldValue
	for _, c := range in {
		if s, ok := c.Value.(string); ok && strings.TrimSpace(s) == "" {
			continue
		}
		out = append(out, resolveCustom(v, defs, coerceCustom(defs, []CustomValueInput{c}, im.ic.loc), "cf:"+strconv.FormatInt(c.FieldID, 10))...)
	}
	return out
}

// client finds the row's client by phone or email and merges the row into
// it, or makes it.
func (im *Importer) client(ctx context.Context, tx Tx, rec ImportRecord, res ImportResult, who User, custom []FieldValue) (int64, ImportOutcome, error) {
	found, err := tx.ContactsByPhoneOrEmail(ctx, res.Phone, res.Email)
	if err != nil {
		return 0, "", err
	}
	var rows []ContactData
	if res.Phone != "" {
		rows = append(rows, ContactData{Kind: "phone", Value: res.Phone})
	}
	if res.Email != "" {
		rows = append(rows, ContactData{Kind: "email", Value: res.Email})
	}
	var id int64
	outcome := ImportNew
	if len(found) > 0 {
		id, outcome = found[0], ImportDuplicate
		have, err := tx.ContactData(ctx, EntityContact, []int64{id})
		if err != nil {
			return 0, "", err
		}
		var add []ContactData
		for _, r := range rows {
			known := false
			for _, h := range have[id] {
				if h.Value == r.Value && (IsPhoneKind(h.Kind) == IsPhoneKind(r.Kind)) {
					known = true
				}
			}
			if !known {
				add = append(add, r)
			}
		}
		if err := insertClientData(ctx, tx, id, have[id], add); err != nil {
			return 0, "", err
		}
	} else {
		name := strings.TrimSpace(rec.Name)
		if name == "" {
			name = FormatPhone(res.Phone)
		}
		if name == "" {
			name = res.Email
		}
		c := Contact{Name: name, ResponsibleUserID: im.actor.UserID, CreatedBy: im.actor.UserID, UpdatedBy: im.actor.UserID}
		if who.ID != 0 {
			c.ResponsibleUserID = who.ID
		}
		if err := tx.InsertContact(ctx, &c); err != nil {
			return 0, "", err
		}
		id = c.ID
		if err := tx.SetServiceValue(ctx, EntityContact, id, FieldClientName, name); err != nil {
			return 0, "", err
		}
		if err := insertClientData(ctx, tx, id, nil, rows); err != nil {
			return 0, "", err
		}
		if err := recordHistory(ctx, tx, EntityContact, id, LogContactCreated, HistoryData{Text: name}, im.by()); err != nil {
			return 0, "", err
		}
	}
	if len(custom) > 0 {
		if err := tx.SetFieldValues(ctx, EntityContact, id, custom); err != nil {
			return 0, "", err
		}
	}
	if err := im.company(ctx, tx, id, strings.TrimSpace(rec.Company), who); err != nil {
		return 0, "", err
	}
	// A deal row's comment is the deal's.
	if c := strings.TrimSpace(rec.Comment); c != "" && im.kind == ImportClients {
		if err := writeLog(ctx, tx, EntityContact, id, LogContactComment, map[string]any{"comment": c}, im.by()); err != nil {
			return 0, "", err
		}
	}
	return id, outcome, nil
}

// company attaches the company named to the client: the account's company
// of that exact name, else a new one; nothing when the client has it.
func (im *Importer) company(ctx context.Context, tx Tx, clientID int64, name string, who User) error {
	if name == "" {
		return nil
	}
	linked, err := tx.ClientCompanies(ctx, clientID)
	if err != nil {
		return err
	}
	for _, c := range linked {
		if strings.EqualFold(c.Name, name) {
			return nil
		}
	}
	list, _, err := tx.Companies(ctx, ListQuery{Names: []string{name}, Limit: 1})
	if err != nil {
		return err
	}
	var co Company
	if len(list) > 0 {
		co = list[0]
	} else {
		co = Company{Name: name, ResponsibleUserID: im.actor.UserID, CreatedBy: im.actor.UserID, UpdatedBy: im.actor.UserID}
		if who.ID != 0 {
			co.ResponsibleUserID = who.ID
		}
		if err := tx.InsertCompany(ctx, &co); err != nil {
			return err
		}
		if err := recordHistory(ctx, tx, EntityCompany, co.ID, LogCompanyCreated, HistoryData{}, im.by()); err != nil {
			return err
		}
	}
	return tx.LinkClientCompany(ctx, clientID, co.ID, len(linked) == 0)
}

// lead records the row as lead/set records a lead (recordInbound): the
// first lead of its phone or email becomes its parent.
func (im *Importer) lead(ctx context.Context, tx Tx, rec ImportRecord, res ImportResult, who User) (ImportResult, error) {
	n := NewInbound{Values: map[string]string{}, EmployeeID: who.ID, Custom: rec.Custom}
	for k, val := range map[string]string{"name": rec.Name, "phone": rec.Phone, "email": rec.Email, "comment": rec.Comment} {
		if strings.TrimSpace(val) != "" {
			n.Values[k] = val
		}
	}
	if p := strings.TrimSpace(rec.Pipeline); p != "" {
		var v violations
		pipeline, _ := im.stage(&v, p, "")
		if err := v.err(); err != nil {
			return res, &rowRefusal{err}
		}
		n.DealPipelineID = pipeline.ID
	}
	l, err := recordInbound(ctx, tx, im.ic, n)
	if err != nil {
		return res, importPaths(err)
	}
	res.InboundID, res.Outcome = l.ID, ImportNew
	if l.ParentID != 0 {
		res.Outcome = ImportDuplicate
	}
	return res, nil
}

// importPaths renames recordInbound's violation paths to the fields of an
// ImportRecord.
func importPaths(err error) error {
	e, ok := AsError(err)
	if !ok || len(e.Violations) == 0 {
		return err
	}
	c := *e
	c.Violations = make([]Violation, len(e.Violations))
	for i, v := range e.Violations {
		switch {
		case strings.HasPrefix(v.Path, "values.custom."):
			v.Path = "cf"
		case strings.HasPrefix(v.Path, "values."):
			v.Path = strings.TrimPrefix(v.Path, "values.")
		case v.Path == "employee_id":
			v.Path = "responsible"
		case v.Path == "pipeline_id":
			v.Path = "pipeline"
		}
		c.Violations[i] = v
	}
	return &c
}
