package crm

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// History (log entries) of inbound requests and deals: the lists, the call
// and comment entries the API may add, deal comments and tags, and the
// system entries the domain writes for what happens. The type ids are
// listed in docs/envybox-history.md.

// crmd's own system entry types, next to those in deal.go. A lead's type n
// and a deal's type 2000+n mean the same thing, as Envybox numbers its
// service fields.
const (
	// LogInboundResponsible: the request's responsible changed.
	LogInboundResponsible = 3
	// LogDealLeadCreated: the creation entry of the request a deal was
	// made from, copied onto the deal when the request is taken to work.
	LogDealLeadCreated = 2015
	// LogDealTagsAdded: tags were added to the deal.
	LogDealTagsAdded = 2016
)

// LogQuery selects one page of an entity's history.
type LogQuery struct {
	EntityType EntityType
	EntityID   int64
	TypeIDs    []int // none: every type
	Limit      int
	Offset     int
}

// LogLine is a history entry with its author's card: the employee when
// there is one, else the administrator; nil for system entries.
type LogLine struct {
	LogEntry
	Author *User
}

// CallLog is the data of a call entry (types 9 and 2009).
type CallLog struct {
	Direction    int // 1 incoming, 2 outgoing, 3 callback
	Status       int // 0 none … 7 missed
	From, To     string
	RecordLink   string // optional
	Comment      string // optional
	DurationBill *int64 // optional, seconds
}

// NewLog is a call or comment entry to add.
type NewLog struct {
	TypeID int
	// Author: UserID an administrator (0: the caller, or the account's
	// administrator), EmployeeID a user of the account (0: none).
	Author  Responsible
	Call    CallLog // call types
	Comment string  // comment types
}

// Call directions and statuses Envybox documents.
const (
	minCallDirection, maxCallDirection = 1, 3
	minCallStatus, maxCallStatus       = 0, 7
)

// Limits on the texts of added entries.
const (
	maxLogComment = 10000
	maxLogPhone   = 64
	maxLogLink    = MaxLinkLength
)

// logKinds are the entity types with a history, with the call and comment
// types the API may add to each and the error of an unknown one.
var logKinds = map[EntityType]struct {
	call, comment int
	notFound      Code
}{
	EntityInbound: {LogInboundCall, LogInboundComment, CodeInboundNotFound},
	EntityDeal:    {LogDealCall, LogDealComment, CodeDealLogNotFound},
}

// Logs returns one page of a request's or deal's history, newest first,
// with the total. Errors: not found (CodeInboundNotFound,
// CodeDealLogNotFound), invalid (CodeUnknownOption: entity type).
func (s *Service) Logs(ctx context.Context, actor Actor, q LogQuery) ([]LogLine, int, error) {
	kind, ok := logKinds[q.EntityType]
	if !ok {
		return nil, 0, Fail(CodeUnknownOption)
	}
	var out []LogLine
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		if _, err := logSubject(ctx, tx, q.EntityType, q.EntityID, kind.notFound); err != nil {
			return err
		}
		entries, n, err := tx.Logs(ctx, q)
		if err != nil {
			return err
		}
		total = n
		out, err = withAuthors(ctx, tx, entries)
		return err
	})
	return out, total, err
}

// logSubject checks that the entity exists and returns its inbox type id;
// a missing one is the error of notFound.
func logSubject(ctx context.Context, tx Tx, entity EntityType, id int64, notFound Code) (int64, error) {
	var inbox int64
	var err error
	switch entity {
	case EntityInbound:
		var l Inbound
		l, err = tx.Inbound(ctx, id)
		inbox = l.InboxTypeID
	case EntityDeal:
		var d Deal
		d, err = tx.Deal(ctx, id)
		inbox = d.InboxTypeID
	}
	if KindOf(err) == KindNotFound {
		return 0, Fail(notFound)
	}
	return inbox, err
}

func withAuthors(ctx context.Context, tx Tx, entries []LogEntry) ([]LogLine, error) {
	users, err := tx.Users(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*User, len(users))
	for i := range users {
		byID[users[i].ID] = &users[i]
	}
	out := make([]LogLine, len(entries))
	for i, e := range entries {
		out[i] = LogLine{LogEntry: e}
		switch {
		case e.EmployeeID != 0:
			out[i].Author = byID[e.EmployeeID]
		case e.UserID != 0:
			out[i].Author = byID[e.UserID]
		}
	}
	return out, nil
}

// AddLog adds a call or comment entry to a request or deal: types 9/10 on
// requests, 2009/2010 on deals. The entry carries the inbox type's name and
// its author (the caller's administrator unless another is given).
// Errors: not found (CodeInboundNotFound, CodeDealLogNotFound), invalid
// (CodeUnknownOption: entity type).
func (s *Service) AddLog(ctx context.Context, actor Actor, entity EntityType, id int64, n NewLog) (LogLine, error) {
	kind, ok := logKinds[entity]
	if !ok {
		return LogLine{}, Fail(CodeUnknownOption)
	}
	var out LogLine
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		inbox, err := logSubject(ctx, tx, entity, id, kind.notFound)
		if err != nil {
			return err
		}
		var v violations
		var data map[string]any
		switch n.TypeID {
		case kind.call:
			data = callData(&v, n.Call)
		case kind.comment:
			data = commentData(&v, n.Comment)
		default:
			v.rule(0, "type_id", ViolationChoice, RuleLogType, "Only logs of types "+itoa(kind.call)+" (call) and "+itoa(kind.comment)+" (comment) can be added.", itoa(kind.call), itoa(kind.comment))
		}
		by, err := logAuthor(ctx, tx, &v, actor, n.Author)
		if err != nil {
			return err
		}
		if err := v.err(); err != nil {
			return err
		}
		out, err = addLog(ctx, tx, entity, id, n.TypeID, inbox, data, by)
		return err
	})
	return out, err
}

// CommentDeal adds a comment (2010) to a deal, written by the caller.
// Errors: not found (CodeDealNotFound), invalid (CodeMissingInput: no text).
func (s *Service) CommentDeal(ctx context.Context, actor Actor, dealID int64, text string) error {
	if strings.TrimSpace(text) == "" {
		return Fail(CodeMissingInput)
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		inbox, err := logSubject(ctx, tx, EntityDeal, dealID, CodeDealNotFound)
		if err != nil {
			return err
		}
		var v violations
		data := commentData(&v, text)
		by, err := logAuthor(ctx, tx, &v, actor, Responsible{})
		if err != nil {
			return err
		}
		if err := v.err(); err != nil {
			return err
		}
		_, err = addLog(ctx, tx, EntityDeal, dealID, LogDealComment, inbox, data, by)
		return err
	})
}

// AddDealTags adds tags to a deal by name: missing tags are created (they
// are the shared tag records), tags the deal has are kept, a name it has
// already is not added twice, and the new ones are written to its history.
// Errors: not found (CodeDealNotFound), invalid (CodeMissingInput: no
// names).
func (s *Service) AddDealTags(ctx context.Context, actor Actor, dealID int64, names []string) error {
	if len(names) == 0 {
		return Fail(CodeMissingInput)
	}
	return s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		if _, err := logSubject(ctx, tx, EntityDeal, dealID, CodeDealNotFound); err != nil {
			return err
		}
		return addDealTags(ctx, tx, dealID, names, Responsible{UserID: actor.UserID})
	})
}

// tagDeal adds tags to a deal's and writes a LogDealTagsAdded entry naming
// the ones it did not have.
func tagDeal(ctx context.Context, tx Tx, dealID int64, ids []int64, by Responsible) error {
	current, err := tx.EntityTags(ctx, EntityDeal, []int64{dealID})
	if err != nil {
		return err
	}
	return tagDealOver(ctx, tx, dealID, current[dealID], ids, by)
}

// tagDealOver is tagDeal on a deal whose tags are current.
func tagDealOver(ctx context.Context, tx Tx, dealID int64, current []Tag, ids []int64, by Responsible) error {
	has := map[int64]bool{}
	all := []int64{}
	for _, t := range current {
		has[t.ID] = true
		all = append(all, t.ID)
	}
	added := []Tag{}
	for _, id := range ids {
		if has[id] {
			continue
		}
		t, err := tx.Tag(ctx, id)
		if err != nil {
			return err
		}
		has[id] = true
		all = append(all, id)
		added = append(added, t)
	}
	if len(added) == 0 {
		return nil
	}
	if err := tx.SetEntityTags(ctx, EntityDeal, dealID, all); err != nil {
		return err
	}
	names := make([]string, len(added))
	tagIDs := make([]int64, len(added))
	for i, t := range added {
		names[i], tagIDs[i] = t.Name, t.ID
	}
	return writeLog(ctx, tx, EntityDeal, dealID, LogDealTagsAdded, map[string]any{
		"text": "Добавлены теги: " + strings.Join(names, ", "), "tags": names, "tag_ids": tagIDs,
	}, by)
}

// logAuthor resolves who writes an entry: user_id must be an administrator
// (default: the caller when it is one, else the account's first), and
// employee_id a user of the account.
func logAuthor(ctx context.Context, tx Tx, v *violations, actor Actor, given Responsible) (Responsible, error) {
	users, err := tx.Users(ctx)
	if err != nil {
		return Responsible{}, err
	}
	byID := map[int64]User{}
	var firstAdmin int64
	for _, u := range users {
		byID[u.ID] = u
		if u.Role == RoleAdmin && (firstAdmin == 0 || u.ID < firstAdmin) {
			firstAdmin = u.ID
		}
	}
	by := Responsible{UserID: given.UserID, EmployeeID: given.EmployeeID}
	if by.UserID != 0 {
		if u, ok := byID[by.UserID]; !ok || u.Role != RoleAdmin {
			v.add(0, "user_id", ViolationChoice, "user_id is not an administrator of this CRM.")
		}
	} else if u, ok := byID[actor.UserID]; ok && u.Role == RoleAdmin {
		by.UserID = u.ID
	} else {
		by.UserID = firstAdmin
	}
	if _, ok := byID[by.EmployeeID]; by.EmployeeID != 0 && !ok {
		v.add(0, "employee_id", ViolationChoice, "employee_id is not an employee of this CRM.")
	}
	return by, nil
}

func callData(v *violations, c CallLog) map[string]any {
	if c.Direction < minCallDirection || c.Direction > maxCallDirection {
		v.rule(0, "data.direction", ViolationChoice, RuleCallDirection, "direction: 1 (inbound), 2 (outbound) or 3 (callback).")
	}
	if c.Status < minCallStatus || c.Status > maxCallStatus {
		v.rule(0, "data.status", ViolationChoice, RuleCallStatus, "status: 0 to 7.")
	}
	data := map[string]any{"direction": c.Direction, "status": c.Status}
	for _, f := range []struct {
		key, val string
		max      int
	}{{"from", c.From, maxLogPhone}, {"to", c.To, maxLogPhone}} {
		val := strings.TrimSpace(f.val)
		switch {
		case val == "":
			v.rule(0, "data."+f.key, ViolationRequired, RuleCallPhoneRequired, f.key+": a phone number is required.", f.key)
		case utf8.RuneCountInString(val) > f.max:
			v.rule(0, "data."+f.key, ViolationTooLong, RuleLogTooLong, f.key+": at most "+itoa(f.max)+" characters.", f.key, itoa(f.max))
		}
		data[f.key] = val
	}
	if link := strings.TrimSpace(c.RecordLink); link != "" {
		u, err := url.Parse(link)
		switch {
		case utf8.RuneCountInString(link) > maxLogLink:
			v.rule(0, "data.record_link", ViolationTooLong, RuleLogTooLong, "record_link: at most "+itoa(maxLogLink)+" characters.", "record_link", itoa(maxLogLink))
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			v.rule(0, "data.record_link", ViolationInvalid, RuleRecordLinkURL, "record_link: an http:// or https:// link is required.")
		}
		data["record_link"] = link
	}
	if c.Comment != "" {
		if utf8.RuneCountInString(c.Comment) > maxLogComment {
			v.rule(0, "data.comment", ViolationTooLong, RuleLogTooLong, "comment: at most "+itoa(maxLogComment)+" characters.", "comment", itoa(maxLogComment))
		}
		data["comment"] = c.Comment
	}
	if c.DurationBill != nil {
		if *c.DurationBill < 0 {
			v.rule(0, "data.duration_bill", ViolationInvalid, RuleDurationBillNegative, "duration_bill: must not be negative.")
		}
		data["duration_bill"] = *c.DurationBill
	}
	return data
}

func commentData(v *violations, text string) map[string]any {
	switch {
	case strings.TrimSpace(text) == "":
		v.rule(0, "data.comment", ViolationRequired, RuleCommentRequired, "comment: the comment text is required.")
	case utf8.RuneCountInString(text) > maxLogComment:
		v.rule(0, "data.comment", ViolationTooLong, RuleLogTooLong, "comment: at most "+itoa(maxLogComment)+" characters.", "comment", itoa(maxLogComment))
	}
	return map[string]any{"comment": text}
}

// addLog stores an entry made through the API, with the inbox type's name,
// and returns it with its author.
func addLog(ctx context.Context, tx Tx, entity EntityType, id int64, typeID int, inboxTypeID int64, data map[string]any, by Responsible) (LogLine, error) {
	types, err := tx.InboxTypes(ctx)
	if err != nil {
		return LogLine{}, err
	}
	for _, t := range types {
		if t.ID == inboxTypeID {
			data["inbox_name"] = t.Name
		}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return LogLine{}, err
	}
	e := LogEntry{EntityType: entity, EntityID: id, TypeID: typeID, Data: raw, UserID: by.UserID, EmployeeID: by.EmployeeID}
	if err := tx.InsertLog(ctx, &e); err != nil {
		return LogLine{}, err
	}
	lines, err := withAuthors(ctx, tx, []LogEntry{e})
	if err != nil {
		return LogLine{}, err
	}
	return lines[0], nil
}

// copyInboundCreation writes a request's creation entry (its values text
// and record link) onto the deal made from it.
func copyInboundCreation(ctx context.Context, tx Tx, inboundID, dealID int64) error {
	list, _, err := tx.Logs(ctx, LogQuery{EntityType: EntityInbound, EntityID: inboundID, TypeIDs: []int{LogInboundCreated}, Limit: 1})
	if err != nil || len(list) == 0 {
		return err
	}
	var src map[string]any
	if err := json.Unmarshal(list[0].Data, &src); err != nil {
		return err
	}
	data := map[string]any{"comment": src["comment"]}
	if link, ok := src["record_link"]; ok {
		data["record_link"] = link
	}
	return writeLog(ctx, tx, EntityDeal, dealID, LogDealLeadCreated, data, Responsible{})
}

// leadLinkedData is the data of a deal's "lead linked" entry: the
// request's name, id (a string, as Envybox writes it), its values text and
// its creation date in the account's time zone.
func leadLinkedData(ctx context.Context, tx Tx, l Inbound, values map[int64]string) (map[string]any, error) {
	a, err := tx.Account(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return map[string]any{
		"lead_name": l.Name, "lead_id": strconv.FormatInt(l.ID, 10), "comment": strings.TrimLeft(creationText("", values), " "),
		"lead_create_date": l.CreatedAt.In(loc).Format(time.DateTime),
	}, nil
}
