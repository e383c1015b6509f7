package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Envybox's deal search by field values (E15): a filter language over deals,
// their clients, contacts and leads. The API decodes the wire form into a
// DealFilter; FilterDeals validates it, resolves its dates in the account's
// time zone and its field conditions against the field definitions, and the
// store runs the result (DealSearchQuery) in the database. Choices the
// document leaves open, all [INFERRED] there:
//
//   - Criteria combine with AND; the values of one list combine with OR;
//     an empty list, object or value ("" or null) restricts nothing.
//   - employees.users and employees.departments are one "responsible" choice
//     and combine with OR: a user matches deals whose employee it is, or
//     whose administrator it is when no employee or department is; -1 (
//     NoResponsible) matches deals with no administrator, employee or
//     department.
//   - Relative periods are calendar periods in the account's time zone:
//     today and yesterday are whole days, week and last_week run Monday
//     00:00 to Sunday 24:00 (the Russian week), month and last_month are
//     calendar months; the current week and month include their days still
//     to come (next_task looks forward). one_date is the day in dates.start
//     (or end); period is start..end inclusive (both required);
//     earlier_than is strictly before the day in start and later_than
//     strictly after it (end is accepted when start is missing). "all" does
//     not restrict created; for every other date it requires the date to
//     exist (closed deals, deals with a lead, with an open task, …).
//   - dateSelectType: created, closed (closed_at), stage_changed
//     (stage_updated_at), stage_transition (entering one of dateStages, any
//     stage when none are given, within the period), lead_created and
//     first_lead_created (the latest / the first linked lead's creation),
//     next_task (the nearest open task's due time). Several dateFilters
//     combine with AND.
//   - Field inputs ("1" lead, "2" client, "3" deal): a lead field matches a
//     deal when one of its linked leads matches. Service fields are text:
//     a string matches as a case-insensitive substring, or whole with
//     comparison "equally"; lead phones are compared as normalised digits;
//     the region (10/1010) takes Envybox's [{timezone, text, id}] and matches
//     a region value equal to one of the ids or texts. Custom fields by
//     type: text kinds as service fields; numbers equal the value, or with
//     "range" lie within value..value_to (either bound may be missing);
//     lists (select, multiselect, radio) take option ids, any of which
//     matches; checkboxes take 1/true (checked) or 0/false (not checked);
//     dates take {"field": "date", "start", "end"} read by
//     customDateType[id] (without one: start..end, either end open).
//     Unknown fields are a 400: their kind decides the comparison.
//     customDateType applies to the date fields listed in inputs only.
//   - leadStages (example only) keeps deals with a linked lead in one of the
//     lead stages; dealStages, pipelines, inboxTypes and tags (by id) are the
//     deal's own.
//   - firstDealClient true keeps the deals that are their client's first
//     (lowest id); false restricts nothing.
//   - The keyword matches deal names and values, client names and values,
//     the client's contact data and its contact persons' names (the API
//     turns a keyword written like a phone into its digits, as deal/list).
//   - Order: newest first (id descending), as deal/list.

// DateType is a period kind of the search ("dateType", "customDateType").
type DateType string

// The period kinds.
const (
	DateAll         DateType = "all"
	DateYesterday   DateType = "yesterday"
	DateToday       DateType = "today"
	DateWeek        DateType = "week"
	DateLastWeek    DateType = "last_week"
	DateMonth       DateType = "month"
	DateLastMonth   DateType = "last_month"
	DateOneDate     DateType = "one_date"
	DatePeriodRange DateType = "period"
	DateEarlierThan DateType = "earlier_than"
	DateLaterThan   DateType = "later_than"
)

// DateTypes lists the period kinds in the document's order.
var DateTypes = []DateType{DateAll, DateYesterday, DateToday, DateWeek, DateLastWeek, DateMonth, DateLastMonth,
	DateOneDate, DatePeriodRange, DateEarlierThan, DateLaterThan}

// DateSelect names the date of a deal a date filter applies to
// ("dateSelectType").
type DateSelect string

// The dates of a deal a search can filter on.
const (
	SelectCreated          DateSelect = "created"
	SelectClosed           DateSelect = "closed"
	SelectStageChanged     DateSelect = "stage_changed"
	SelectStageTransition  DateSelect = "stage_transition"
	SelectLeadCreated      DateSelect = "lead_created"
	SelectFirstLeadCreated DateSelect = "first_lead_created"
	SelectNextTask         DateSelect = "next_task"
)

// DateSelects lists the filterable dates in the document's order.
var DateSelects = []DateSelect{SelectCreated, SelectClosed, SelectStageChanged, SelectStageTransition,
	SelectLeadCreated, SelectFirstLeadCreated, SelectNextTask}

// DatePeriod is a period as the search sends it: a kind and, for the kinds
// that need them, days as YYYY-MM-DD in the account's time zone.
type DatePeriod struct {
	Type  DateType
	Start string
	End   string
}

// DateFilter is one of dateFilters: which date, in which period.
type DateFilter struct {
	Select DateSelect
	Period DatePeriod
}

// Comparison is how a field condition compares ("comparison.<id>.type").
type Comparison string

// The comparisons; CompareDefault is the field kind's own (substring for
// text, equality otherwise).
const (
	CompareDefault Comparison = ""
	CompareEqually Comparison = "equally"
	CompareRange   Comparison = "range"
)

// OperandKind is the form of an Operand.
type OperandKind int

// The forms an operand is sent in.
const (
	OperandNone   OperandKind = iota // nothing (null, or left out)
	OperandText                      // a string: Text
	OperandNumber                    // a number: Number
	OperandBool                      // true or false: Bool
	OperandList                      // a list: Items
	OperandObject                    // named members: Members
)

// Operand is the value a field condition compares with, in the form the
// caller sent it. The sender cannot know the field's type, so the form is
// kept and the field decides how it reads (resolveCustomCondition): a text
// (a string, or a number written out), a number (or a numeric string),
// option ids (a list, or one id), a checkbox state (a flag, 1 or 0), a
// date period (an object {start, end}, or one day as a string) or regions
// (a list of objects {id, text} or texts). A form the field cannot read is
// a violation at the condition's path; an empty one (OperandNone, a blank
// text, an empty list or object) restricts nothing.
type Operand struct {
	Kind    OperandKind
	Text    string             // OperandText, as sent
	Number  float64            // OperandNumber
	Bool    bool               // OperandBool
	Items   []Operand          // OperandList
	Members map[string]Operand // OperandObject
}

// TextOperand is a string operand.
func TextOperand(s string) Operand { return Operand{Kind: OperandText, Text: s} }

// NumberOperand is a number operand.
func NumberOperand(n float64) Operand { return Operand{Kind: OperandNumber, Number: n} }

// BoolOperand is a flag operand.
func BoolOperand(b bool) Operand { return Operand{Kind: OperandBool, Bool: b} }

// ListOperand is a list operand.
func ListOperand(items ...Operand) Operand {
	if items == nil {
		items = []Operand{}
	}
	return Operand{Kind: OperandList, Items: items}
}

// ObjectOperand is an operand of named members.
func ObjectOperand(members map[string]Operand) Operand {
	if members == nil {
		members = map[string]Operand{}
	}
	return Operand{Kind: OperandObject, Members: members}
}

// FieldCondition is one entry of inputs.<element>.service or .custom.
type FieldCondition struct {
	// Entity is EntityInbound (Envybox element "1"), EntityContact ("2") or
	// EntityDeal ("3").
	Entity     EntityType
	Service    bool
	FieldID    int64
	Value      Operand
	Comparison Comparison
	// ValueTo is comparison.value_to, the upper bound of a range.
	ValueTo Operand
	// DateType is customDateType[FieldID] ("" when not given).
	DateType DateType
}

// NoResponsible in DealFilter.UserIDs selects deals nobody is responsible for.
const NoResponsible = -1

// DealFilter is a deal search (Envybox E15) as the caller sent it.
type DealFilter struct {
	Keyword string
	Dates   []DateFilter
	// DateStageIDs are the stages of a stage_transition date ("dateStages").
	DateStageIDs  []int64
	UserIDs       []int64 // may hold NoResponsible
	DepartmentIDs []int64
	LeadStageIDs  []int64
	StageIDs      []int64
	PipelineIDs   []int64
	InboxTypeIDs  []int64
	TagIDs        []int64
	Fields        []FieldCondition
	// FirstDealOfClient keeps the deals that are their client's first.
	FirstDealOfClient bool
	Limit             int // 0: DefaultPageLimit
	Offset            int
	// BeforeID, when not 0, keeps deals with a smaller id: the next page
	// after a page that ended at that id (see DealRows).
	BeforeID int64
	// NoIDs asks FilterDeals for Total and Rows alone, leaving AllIDs
	// empty: the board and the table show a count, and collecting every
	// matching id to count them was most of their time (Tx.SearchDealsTotal).
	NoIDs bool
	// Brief asks for the rows a deal card or table row shows (BriefRows),
	// not every detail of a search row.
	Brief bool
}

// DealSearchQuery is a DealFilter resolved for the store: dates are Unix
// ranges and each field condition knows how to compare.
type DealSearchQuery struct {
	Keyword       string
	Dates         []DateCondition
	UserIDs       []int64 // without NoResponsible
	NoResponsible bool
	DepartmentIDs []int64
	LeadStageIDs  []int64
	StageIDs      []int64
	PipelineIDs   []int64
	InboxTypeIDs  []int64
	TagIDs        []int64
	Fields        []FieldMatch
	// FirstDealOfClient keeps the deals with the lowest id of their client.
	FirstDealOfClient bool
	Limit             int
	Offset            int
	// BeforeID, when not 0, keeps deals with a smaller id.
	BeforeID int64
	// PageOnly reads the page alone, not the ids of every match: the
	// store returns no ids, and Offset must be 0 (a page is keyed by
	// BeforeID instead).
	PageOnly bool
}

// DateCondition bounds one date of a deal. An empty Range (period "all")
// requires the date to exist, except for SelectCreated.
type DateCondition struct {
	Select   DateSelect
	Range    Range
	StageIDs []int64 // SelectStageTransition: the stages entered (none: any)
}

// MatchOp is how a FieldMatch compares a stored value.
type MatchOp int

// The comparisons of stored values.
const (
	MatchContains   MatchOp = iota // the text contains Text, case-insensitively
	MatchEquals                    // the text equals Text, case-insensitively
	MatchAnyOf                     // the text equals one of Texts, case-insensitively
	MatchNumber                    // the number lies within Number
	MatchTime                      // the Unix time lies within Range (empty: any value)
	MatchEnum                      // the option id is one of EnumIDs
	MatchChecked                   // a checkbox is checked
	MatchNotChecked                // a checkbox is not checked (or has no value)
)

// FieldMatch is a field condition resolved against the field's definition.
type FieldMatch struct {
	Entity  EntityType
	Service bool
	FieldID int64
	Op      MatchOp
	Text    string // lower-cased
	Texts   []string
	Number  NumberRange
	Range   Range
	EnumIDs []int64
}

// NumberRange is an inclusive range of numbers; nil ends are open.
type NumberRange struct {
	From *float64
	To   *float64
}

// DealSearchTask is the nearest open task of a deal.
type DealSearchTask struct {
	ID           int64
	Text         string
	Time         time.Time
	UserID       int64
	EmployeeID   int64
	DepartmentID int64
	// Overdue is set on reading: due before the store's clock.
	Overdue bool
}

// DealSearchExtra is what a search row shows beside the deal, read in one
// go for a page.
type DealSearchExtra struct {
	Task *DealSearchTask // nil: no open task
	// LastComment is the data of the deal's latest comment entry (2010);
	// nil: none.
	LastComment []byte
	// LeadCreatedAt is the creation of the latest linked lead; zero: none.
	LeadCreatedAt time.Time
}

// DealSearchRow is one deal of a search page with its client (values,
// contact data, contact persons; no deals), the client's companies (the
// primary one first), the nearest open task with its user, the latest
// comment's text and the latest linked lead's creation.
type DealSearchRow struct {
	Deal
	Client        Client
	Companies     []ClientCompany
	Task          *DealSearchTask
	TaskUser      *User // the task's employee, else its administrator; nil: unknown
	LastComment   string
	LeadCreatedAt time.Time
}

// DealSearchPage is one page of a search with every matching id, newest
// first.
type DealSearchPage struct {
	Rows   []DealSearchRow
	AllIDs []int64
	Total  int
}

// FilterDeals runs a deal search: the ids of every matching deal, newest
// first (none with f.NoIDs), their number, and the page Limit/Offset
// select with what each row shows. The
// filter runs in the database; only the page's rows are loaded.
// Errors: invalid (each violation names the filter member).
func (s *Service) FilterDeals(ctx context.Context, actor Actor, f DealFilter) (DealSearchPage, error) {
	out := DealSearchPage{AllIDs: []int64{}, Rows: []DealSearchRow{}}
	if f.Limit <= 0 {
		f.Limit = DefaultPageLimit
	}
	if f.Offset < 0 {
		return out, Invalid(Violation{Path: "offset", Code: ViolationRange, Rule: RuleOffsetNegative, Detail: "The offset must not be negative."})
	}
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		q, err := resolveAccountDealFilter(ctx, tx, f)
		if err != nil {
			return err
		}
		page, deals, err := searchDealPage(ctx, tx, q, f.NoIDs)
		if err != nil {
			return err
		}
		out.AllIDs, out.Total = page.AllIDs, page.Total
		out.Rows, err = loadFilterRows(ctx, tx, deals, f.Brief)
		return err
	})
	return out, err
}

// searchDealPage runs q: the page's deals, and the matches' ids and
// number (only the number when noIDs).
func searchDealPage(ctx context.Context, tx Tx, q DealSearchQuery, noIDs bool) (DealSearchPage, []Deal, error) {
	page := DealSearchPage{AllIDs: []int64{}}
	var deals []Deal
	var err error
	if noIDs {
		page.Total, deals, err = tx.SearchDealsTotal(ctx, q)
	} else {
		var ids []int64
		ids, deals, err = tx.SearchDeals(ctx, q)
		page.AllIDs, page.Total = ids, len(ids)
	}
	return page, deals, err
}

// loadFilterRows loads what each of deals' rows shows: brief or full.
func loadFilterRows(ctx context.Context, tx Tx, deals []Deal, brief bool) ([]DealSearchRow, error) {
	if brief {
		return loadBriefRows(ctx, tx, deals)
	}
	return loadSearchRows(ctx, tx, deals)
}

// FilterDealColumns runs the search f once for each of stageIDs (f's own
// StageIDs ignored), as FilterDeals would for f with StageIDs set to that
// one stage, and returns the pages in stageIDs' order: a board's columns.
// It is one read transaction, the filter resolved once and the rows of
// every column loaded together (three statements for brief rows), where
// a FilterDeals per column took a transaction, the account, the filter and
// the rows' statements each time.
// Errors: invalid (each violation names the filter member).
func (s *Service) FilterDealColumns(ctx context.Context, actor Actor, f DealFilter, stageIDs []int64) ([]DealSearchPage, error) {
	if f.Limit <= 0 {
		f.Limit = DefaultPageLimit
	}
	if f.Offset < 0 {
		return nil, Invalid(Violation{Path: "offset", Code: ViolationRange, Rule: RuleOffsetNegative, Detail: "The offset must not be negative."})
	}
	out := make([]DealSearchPage, len(stageIDs))
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		f.StageIDs = nil
		base, err := resolveAccountDealFilter(ctx, tx, f)
		if err != nil {
			return err
		}
		var all []Deal
		sizes := make([]int, len(stageIDs))
		for i, id := range stageIDs {
			q := base
			q.StageIDs = []int64{id}
			page, deals, err := searchDealPage(ctx, tx, q, f.NoIDs)
			if err != nil {
				return err
			}
			out[i], sizes[i] = page, len(deals)
			all = append(all, deals...)
		}
		rows, err := loadFilterRows(ctx, tx, all, f.Brief)
		if err != nil {
			return err
		}
		for i, n := range sizes {
			out[i].Rows, rows = rows[:n:n], rows[n:]
		}
		return nil
	})
	return out, err
}

// BriefRows says what a brief search row (DealFilter.Brief,
// DealPageQuery.Brief) holds: the deal as its page read it with its
// tags, the client's contact (Client.Contact), and the row's task, last
// comment and lead time. Left empty: the deal's inbounds, service and
// custom field values; the client's values, fields, contact data and
// persons; the companies; the task's user. It is the full row with those
// cleared, which is how the brief rows are tested against the full ones.
func BriefRows(rows []DealSearchRow) []DealSearchRow {
	out := make([]DealSearchRow, len(rows))
	for i, r := range rows {
		r.InboundIDs, r.Values, r.Fields = nil, nil, nil
		r.Client = Client{Contact: r.Client.Contact}
		r.Companies, r.TaskUser = nil, nil
		out[i] = r
	}
	return out
}

// loadBriefRows adds to a page of deals what a card or a table row of the
// web shows (BriefRows): three statements, where loadSearchRows takes
// eleven and more, and these were most of a board column's store time.
func loadBriefRows(ctx context.Context, tx Tx, deals []Deal) ([]DealSearchRow, error) {
	rows := make([]DealSearchRow, 0, len(deals))
	if len(deals) == 0 {
		return rows, nil
	}
	ids := make([]int64, len(deals))
	var clientIDs []int64
	seen := map[int64]bool{}
	for i, d := range deals {
		ids[i] = d.ID
		if d.ClientID != 0 && !seen[d.ClientID] {
			seen[d.ClientID] = true
			clientIDs = append(clientIDs, d.ClientID)
		}
	}
	tags, err := tx.EntityTags(ctx, EntityDeal, ids)
	if err != nil {
		return nil, err
	}
	clients := make(map[int64]Contact, len(clientIDs))
	if len(clientIDs) > 0 {
		contacts, _, err := tx.Contacts(ctx, ListQuery{IDs: clientIDs, Limit: len(clientIDs)})
		if err != nil {
			return nil, err
		}
		for _, c := range contacts {
			clients[c.ID] = c
		}
	}
	extras, err := tx.DealSearchExtras(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, d := range deals {
		d.InboundIDs, d.Values, d.Fields, d.Tags = nil, nil, nil, tags[d.ID]
		row := DealSearchRow{Deal: d, Client: Client{Contact: clients[d.ClientID]}}
		x := extras[d.ID]
		row.Task, row.LeadCreatedAt = x.Task, x.LeadCreatedAt
		row.LastComment = lastComment(x.LastComment)
		if row.Task != nil {
			row.Task.Overdue = row.Task.Time.Before(tx.Now())
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// lastComment is the text of a row's last comment from its stored data
// ("" when it has none).
func lastComment(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	var data struct {
		Comment any `json:"comment"`
	}
	if json.Unmarshal(raw, &data) == nil && data.Comment != nil {
		return fmt.Sprint(data.Comment)
	}
	return ""
}

// loadSearchRows adds to a page of deals what their rows show.
func loadSearchRows(ctx context.Context, tx Tx, deals []Deal) ([]DealSearchRow, error) {
	rows := make([]DealSearchRow, 0, len(deals))
	if len(deals) == 0 {
		return rows, nil
	}
	if err := loadDealDetails(ctx, tx, deals, 0); err != nil {
		return nil, err
	}
	ids := make([]int64, len(deals))
	var clientIDs []int64
	seen := map[int64]bool{}
	for i, d := range deals {
		ids[i] = d.ID
		if d.ClientID != 0 && !seen[d.ClientID] { // 0: a lead without contacts
			seen[d.ClientID] = true
			clientIDs = append(clientIDs, d.ClientID)
		}
	}
	clients, err := searchClients(ctx, tx, clientIDs)
	if err != nil {
		return nil, err
	}
	companies, err := tx.ClientsCompanies(ctx, clientIDs)
	if err != nil {
		return nil, err
	}
	extras, err := tx.DealSearchExtras(ctx, ids)
	if err != nil {
		return nil, err
	}
	var users map[int64]User
	for _, d := range deals {
		row := DealSearchRow{Deal: d, Client: clients[d.ClientID], Companies: companies[d.ClientID]}
		if row.Companies == nil {
			row.Companies = []ClientCompany{}
		}
		x := extras[d.ID]
		row.Task, row.LeadCreatedAt = x.Task, x.LeadCreatedAt
		row.LastComment = lastComment(x.LastComment)
		if row.Task != nil {
			row.Task.Overdue = row.Task.Time.Before(tx.Now())
			if users == nil {
				list, err := tx.Users(ctx)
				if err != nil {
					return nil, err
				}
				users = make(map[int64]User, len(list))
				for _, u := range list {
					users[u.ID] = u
				}
			}
			who := row.Task.EmployeeID
			if who == 0 {
				who = row.Task.UserID
			}
			if u, ok := users[who]; ok {
				row.TaskUser = &u
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// searchClients reads the clients of a page with their values, contact data
// and contact persons (not their deals).
func searchClients(ctx context.Context, tx Tx, ids []int64) (map[int64]Client, error) {
	out := make(map[int64]Client, len(ids))
	contacts, _, err := tx.Contacts(ctx, ListQuery{IDs: ids, Limit: len(ids)})
	if err != nil {
		return nil, err
	}
	values, err := tx.ServiceValues(ctx, EntityContact, ids)
	if err != nil {
		return nil, err
	}
	fields, err := tx.FieldValues(ctx, EntityContact, ids)
	if err != nil {
		return nil, err
	}
	data, err := tx.ContactData(ctx, EntityContact, ids)
	if err != nil {
		return nil, err
	}
	persons, err := tx.ContactPersons(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, c := range contacts {
		out[c.ID] = Client{Contact: c, Values: values[c.ID], Fields: fields[c.ID], ContactData: data[c.ID], Persons: persons[c.ID]}
	}
	return out, nil
}

// resolveAccountDealFilter is resolveDealFilter at the transaction's now
// in the account's time zone (Account.Location, which keeps loaded zones
// rather than reading the zone database at every search).
func resolveAccountDealFilter(ctx context.Context, tx Tx, f DealFilter) (DealSearchQuery, error) {
	acc, err := tx.Account(ctx)
	if err != nil {
		return DealSearchQuery{}, err
	}
	return resolveDealFilter(ctx, tx, f, tx.Now(), acc.Location())
}

// resolveDealFilter validates f and resolves it for the store at now in
// the account's time zone.
func resolveDealFilter(ctx context.Context, tx Tx, f DealFilter, now time.Time, loc *time.Location) (DealSearchQuery, error) {
	var v violations
	q := DealSearchQuery{Keyword: strings.TrimSpace(f.Keyword), DepartmentIDs: f.DepartmentIDs, LeadStageIDs: f.LeadStageIDs,
		StageIDs: f.StageIDs, PipelineIDs: f.PipelineIDs, InboxTypeIDs: f.InboxTypeIDs, TagIDs: f.TagIDs,
		FirstDealOfClient: f.FirstDealOfClient, Limit: f.Limit, Offset: f.Offset, BeforeID: f.BeforeID}
	for _, id := range f.UserIDs {
		if id == NoResponsible {
			q.NoResponsible = true
			continue
		}
		q.UserIDs = append(q.UserIDs, id)
	}
	for i, df := range f.Dates {
		path := fmt.Sprintf("filter.dateFilters.%d", i)
		if !validSelect(df.Select) {
			if df.Select == "" {
				v.rule(0, path+".dateSelectType", ViolationRequired, RuleDateSelectRequired, "dateSelectType is required.")
			} else {
				v.rule(0, path+".dateSelectType", ViolationChoice, RuleDateSelectChoice, "dateSelectType must be one of: "+joinSelects()+".", joinSelects())
			}
			continue
		}
		r, ok := resolvePeriod(&v, path, df.Period, now, loc)
		if !ok {
			continue
		}
		c := DateCondition{Select: df.Select, Range: r}
		if df.Select == SelectStageTransition {
			c.StageIDs = f.DateStageIDs
		}
		q.Dates = append(q.Dates, c)
	}
	if len(f.Fields) > 0 {
		defs := map[EntityType]map[int64]CustomField{}
		for _, fc := range f.Fields {
			path := fmt.Sprintf("filter.inputs.%d.%s.%d", elementOf(fc.Entity), kindName(fc.Service), fc.FieldID)
			if fc.Entity != EntityInbound && fc.Entity != EntityContact && fc.Entity != EntityDeal {
				v.rule(0, path, ViolationChoice, RuleFilterElementUnknown, "inputs: unknown element type.")
				continue
			}
			var m FieldMatch
			var ok bool
			if fc.Service {
				m, ok = resolveServiceCondition(&v, path, fc)
			} else {
				if defs[fc.Entity] == nil {
					list, err := tx.AllCustomFields(ctx, fc.Entity)
					if err != nil {
						return q, err
					}
					defs[fc.Entity] = make(map[int64]CustomField, len(list))
					for _, d := range list {
						defs[fc.Entity][d.ID] = d
					}
				}
				def, known := defs[fc.Entity][fc.FieldID]
				if !known {
					v.rule(0, path, ViolationChoice, RuleFilterFieldNotFound, "Field not found.")
					continue
				}
				m, ok = resolveCustomCondition(&v, path, def, fc, now, loc)
			}
			if ok {
				q.Fields = append(q.Fields, m)
			}
		}
	}
	return q, v.err()
}

func validSelect(s DateSelect) bool {
	for _, x := range DateSelects {
		if x == s {
			return true
		}
	}
	return false
}

func validDateType(t DateType) bool {
	for _, x := range DateTypes {
		if x == t {
			return true
		}
	}
	return false
}

func joinSelects() string {
	parts := make([]string, len(DateSelects))
	for i, s := range DateSelects {
		parts[i] = string(s)
	}
	return strings.Join(parts, ", ")
}

func joinDateTypes() string {
	parts := make([]string, len(DateTypes))
	for i, t := range DateTypes {
		parts[i] = string(t)
	}
	return strings.Join(parts, ", ")
}

// elementOf is Envybox's crm_element_id of an entity type (0: unknown).
func elementOf(e EntityType) int {
	switch e {
	case EntityInbound:
		return 1
	case EntityContact:
		return 2
	case EntityDeal:
		return 3
	}
	return 0
}

func kindName(service bool) string {
	if service {
		return "service"
	}
	return "custom"
}

// startOfDay is midnight of t's day in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// span is the inclusive Unix range [from, to): to is exclusive, the range
// ends a second before it.
func span(from, to time.Time) Range {
	a, b := from.Unix(), to.Unix()-1
	return Range{From: &a, To: &b}
}

// resolvePeriod resolves a period at now in loc. ok is false (with a
// violation) when the period is malformed; an empty Range is "all".
func resolvePeriod(v *violations, path string, p DatePeriod, now time.Time, loc *time.Location) (Range, bool) {
	today := startOfDay(now, loc)
	day := func(key, s string) (time.Time, bool) {
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), loc)
		if err != nil {
			v.rule(0, path+".dates."+key, ViolationInvalid, RuleDateFormat, "A date must be YYYY-MM-DD: "+s, s)
			return t, false
		}
		return t, true
	}
	// boundary is the day of one_date, earlier_than and later_than: start,
	// or end when start is missing.
	boundary := func() (time.Time, bool) {
		switch {
		case strings.TrimSpace(p.Start) != "":
			return day("start", p.Start)
		case strings.TrimSpace(p.End) != "":
			return day("end", p.End)
		}
		v.rule(0, path+".dates.start", ViolationRequired, RuleDateStartRequired, "dateType "+string(p.Type)+" needs a start date.", string(p.Type))
		return time.Time{}, false
	}
	switch p.Type {
	case DateAll:
		return Range{}, true
	case DateToday:
		return span(today, today.AddDate(0, 0, 1)), true
	case DateYesterday:
		return span(today.AddDate(0, 0, -1), today), true
	case DateWeek, DateLastWeek:
		monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
		if p.Type == DateLastWeek {
			monday = monday.AddDate(0, 0, -7)
		}
		return span(monday, monday.AddDate(0, 0, 7)), true
	case DateMonth, DateLastMonth:
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, loc)
		if p.Type == DateLastMonth {
			first = first.AddDate(0, -1, 0)
		}
		return span(first, first.AddDate(0, 1, 0)), true
	case DateOneDate:
		d, ok := boundary()
		if !ok {
			return Range{}, false
		}
		return span(d, d.AddDate(0, 0, 1)), true
	case DateEarlierThan:
		d, ok := boundary()
		if !ok {
			return Range{}, false
		}
		to := d.Unix() - 1
		return Range{To: &to}, true
	case DateLaterThan:
		d, ok := boundary()
		if !ok {
			return Range{}, false
		}
		from := d.AddDate(0, 0, 1).Unix()
		return Range{From: &from}, true
	case DatePeriodRange:
		if strings.TrimSpace(p.Start) == "" || strings.TrimSpace(p.End) == "" {
			v.rule(0, path+".dates", ViolationRequired, RulePeriodDatesRequired, "dateType period needs start and end dates.")
			return Range{}, false
		}
		from, ok1 := day("start", p.Start)
		to, ok2 := day("end", p.End)
		if !ok1 || !ok2 {
			return Range{}, false
		}
		if to.Before(from) {
			v.rule(0, path+".dates", ViolationInvalid, RulePeriodEndBeforeStart, "The end date is before the start date.")
			return Range{}, false
		}
		return span(from, to.AddDate(0, 0, 1)), true
	case "":
		v.rule(0, path+".dateType", ViolationRequired, RuleDateTypeRequired, "dateType is required.")
	default:
		v.rule(0, path+".dateType", ViolationChoice, RuleDateTypeChoice, "dateType must be one of: "+joinDateTypes()+".", joinDateTypes())
	}
	return Range{}, false
}

// emptyValue reports whether a condition's value restricts nothing.
func emptyValue(x Operand) bool {
	switch x.Kind {
	case OperandNone:
		return true
	case OperandText:
		return strings.TrimSpace(x.Text) == ""
	case OperandList:
		return len(x.Items) == 0
	case OperandObject:
		return len(x.Members) == 0
	}
	return false
}

// conditionText reads a text condition: a string, or a number written out.
func conditionText(v *violations, path string, x Operand) (string, bool) {
	if s, ok := scalarString(x); ok && x.Kind != OperandNone {
		return s, true
	}
	v.rule(0, path, ViolationType, RuleFilterValueString, "The value must be a string.")
	return "", false
}

// textMatch is a text condition: a substring, or the whole text with
// "equally".
func textMatch(v *violations, path string, fc FieldCondition, m FieldMatch) (FieldMatch, bool) {
	text, ok := conditionText(v, path, fc.Value)
	if !ok {
		return m, false
	}
	switch fc.Comparison {
	case CompareDefault:
		m.Op = MatchContains
	case CompareEqually:
		m.Op = MatchEquals
	default:
		v.rule(0, path, ViolationChoice, RuleTextComparison, "Comparison "+string(fc.Comparison)+" does not apply to a text field.", string(fc.Comparison))
		return m, false
	}
	m.Text = strings.ToLower(text)
	return m, true
}

// isRegionField reports whether f is a region (lead 10, client 1010).
func isRegionField(f ServiceField) bool { return f.NameID == "ip_place_id" }

func resolveServiceCondition(v *violations, path string, fc FieldCondition) (FieldMatch, bool) {
	f, ok := ServiceFieldByID(fc.Entity, fc.FieldID)
	if !ok {
		v.rule(0, path, ViolationChoice, RuleFilterFieldNotFound, "Field not found.")
		return FieldMatch{}, false
	}
	m := FieldMatch{Entity: fc.Entity, Service: true, FieldID: f.ID}
	if emptyValue(fc.Value) {
		return m, false
	}
	if fc.Value.Kind == OperandList {
		if !isRegionField(f) {
			v.rule(0, path, ViolationType, RuleFilterValueString, "The value must be a string.")
			return m, false
		}
		// Envybox's region objects {timezone, text, id}: a region value
		// equal to an id or a text matches; plain strings are texts.
		m.Op = MatchAnyOf
		for i, item := range fc.Value.Items {
			switch item.Kind {
			case OperandObject:
				for _, key := range []string{"id", "text"} {
					if s, ok := scalarString(item.Members[key]); ok && s != "" {
						m.Texts = append(m.Texts, strings.ToLower(s))
					}
				}
			default:
				s, ok := scalarString(item)
				if !ok {
					v.rule(0, fmt.Sprintf("%s.%d", path, i), ViolationType, RuleRegionObject, "A region must be an object {timezone, text, id}.")
					return m, false
				}
				if s != "" {
					m.Texts = append(m.Texts, strings.ToLower(s))
				}
			}
		}
		return m, len(m.Texts) > 0
	}
	m, ok = textMatch(v, path, fc, m)
	if ok && fc.Entity == EntityInbound && f.NameID == "phone" && phoneLike(m.Text) {
		m.Text = NormalizePhone(m.Text)
	}
	return m, ok
}

// phoneLike reports whether s is written like a phone: digits and "+-() ".
func phoneLike(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() ", r):
		default:
			return false
		}
	}
	return digits > 0
}

// scalarString reads a string or a number as text; nothing is "".
func scalarString(x Operand) (string, bool) {
	switch x.Kind {
	case OperandText:
		return strings.TrimSpace(x.Text), true
	case OperandNumber:
		return strconv.FormatFloat(x.Number, 'f', -1, 64), true
	case OperandNone:
		return "", true
	}
	return "", false
}

// conditionNumber reads a number given as a number or a numeric string.
func conditionNumber(x Operand) (float64, bool) {
	switch x.Kind {
	case OperandNumber:
		return x.Number, true
	case OperandText:
		f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(x.Text), ",", "."), 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	}
	return 0, false
}

func resolveCustomCondition(v *violations, path string, def CustomField, fc FieldCondition, now time.Time, loc *time.Location) (FieldMatch, bool) {
	m := FieldMatch{Entity: fc.Entity, FieldID: def.ID}
	isDate := def.Type == FieldDate || def.Type == FieldDateTime
	if fc.DateType != "" && !isDate {
		v.rule(0, "filter.customDateType."+strconv.FormatInt(def.ID, 10), ViolationUnexpected, RuleCustomDateTypeDateOnly, "customDateType applies to date fields only.")
		return m, false
	}
	if isDate {
		return dateMatch(v, path, fc, m, now, loc)
	}
	if emptyValue(fc.Value) && !(fc.Comparison == CompareRange && !emptyValue(fc.ValueTo)) {
		return m, false
	}
	switch {
	case def.Type.HasEnums():
		list := fc.Value.Items
		if fc.Value.Kind != OperandList {
			list = []Operand{fc.Value}
		}
		m.Op = MatchEnum
		for i, item := range list {
			n, ok := conditionNumber(item)
			if !ok || n != math.Trunc(n) || n <= 0 {
				v.rule(0, fmt.Sprintf("%s.%d", path, i), ViolationType, RuleSelectValueEnum, "A list value must be an option id.")
				return m, false
			}
			m.EnumIDs = append(m.EnumIDs, int64(n))
		}
		return m, true
	case def.Type == FieldCheckbox:
		switch x := fc.Value; x.Kind {
		case OperandBool:
			m.Op = map[bool]MatchOp{true: MatchChecked, false: MatchNotChecked}[x.Bool]
		default:
			n, ok := conditionNumber(x)
			if !ok || (n != 0 && n != 1) {
				v.rule(0, path, ViolationType, RuleCheckboxValue, "A checkbox value must be 1 or 0.")
				return m, false
			}
			m.Op = map[bool]MatchOp{true: MatchChecked, false: MatchNotChecked}[n == 1]
		}
		return m, true
	case def.Type == FieldNumeric:
		m.Op = MatchNumber
		switch fc.Comparison {
		case CompareDefault, CompareEqually:
			n, ok := conditionNumber(fc.Value)
			if !ok {
				v.rule(0, path, ViolationType, RuleFilterValueNumber, "The value must be a number.")
				return m, false
			}
			m.Number = NumberRange{From: &n, To: &n}
		case CompareRange:
			for _, side := range []struct {
				x   Operand
				key string
				dst **float64
			}{{fc.Value, path, &m.Number.From}, {fc.ValueTo, "filter.inputs." + strconv.Itoa(elementOf(fc.Entity)) + ".comparison." +
				strconv.FormatInt(def.ID, 10) + ".value_to", &m.Number.To}} {
				if emptyValue(side.x) {
					continue
				}
				n, ok := conditionNumber(side.x)
				if !ok {
					v.rule(0, side.key, ViolationType, RuleFilterValueNumber, "The value must be a number.")
					return m, false
				}
				*side.dst = &n
			}
		default:
			v.rule(0, path, ViolationChoice, RuleNumberComparison, "The comparison must be equally or range.")
			return m, false
		}
		return m, true
	default: // text, textarea, url, street address
		return textMatch(v, path, fc, m)
	}
}

// dateMatch reads a custom date condition: {"field": "date", "start", "end"}
// (or a bare YYYY-MM-DD) by its customDateType; without one, start..end
// with either end open.
func dateMatch(v *violations, path string, fc FieldCondition, m FieldMatch, now time.Time, loc *time.Location) (FieldMatch, bool) {
	m.Op = MatchTime
	var p DatePeriod
	switch x := fc.Value; x.Kind {
	case OperandObject:
		var ok1, ok2 bool
		p.Start, ok1 = scalarString(x.Members["start"])
		p.End, ok2 = scalarString(x.Members["end"])
		if !ok1 || !ok2 {
			v.rule(0, path, ViolationType, RuleDateStrings, "Dates must be strings YYYY-MM-DD.")
			return m, false
		}
	case OperandText:
		p.Start, p.End = strings.TrimSpace(x.Text), strings.TrimSpace(x.Text)
	case OperandNone:
	default:
		if !emptyValue(x) {
			v.rule(0, path, ViolationType, RuleDateFieldObject, "A date field value must be an object {field, start, end}.")
			return m, false
		}
	}
	p.Type = fc.DateType
	if p.Type == "" {
		if p.Start == "" && p.End == "" {
			return m, false
		}
		for _, side := range []struct {
			key, s string
			end    bool
			dst    **int64
		}{{"start", p.Start, false, &m.Range.From}, {"end", p.End, true, &m.Range.To}} {
			if side.s == "" {
				continue
			}
			t, err := time.ParseInLocation(time.DateOnly, side.s, loc)
			if err != nil {
				v.rule(0, path+"."+side.key, ViolationInvalid, RuleDateFormat, "A date must be YYYY-MM-DD: "+side.s, side.s)
				return m, false
			}
			n := t.Unix()
			if side.end {
				n = t.AddDate(0, 0, 1).Unix() - 1
			}
			*side.dst = &n
		}
		return m, true
	}
	if !validDateType(p.Type) {
		v.rule(0, "filter.customDateType."+strconv.FormatInt(fc.FieldID, 10), ViolationChoice, RuleCustomDateTypeChoice, "customDateType must be one of: "+joinDateTypes()+".", joinDateTypes())
		return m, false
	}
	r, ok := resolvePeriod(v, path, p, now, loc)
	m.Range = r
	return m, ok
}
