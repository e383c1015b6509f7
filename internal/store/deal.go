package store

import (
	"context"
	"database/sql"
	"math"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

const dealColumns = `d.id, d.account_id, d.name, d.client_id, d.pipeline_id, d.stage_id, d.user_id, d.employee_id, d.old_employee_id,
	d.department_id, d.inbox_type_id, d.it_reaction, d.with_event, d.parent_deal_id, d.stage_updated_at, d.closed_at, d.created_at, d.updated_at,
	d.closest_task_at, s.id, s.account_id, s.pipeline_id, s.status, s.name, s.position, s.color, s.no_delete, s.ext_id, s.created_at, s.updated_at, c.name,
	d.price, d.created_by, d.updated_by, d.loss_reason_id, d.company_id`

// dealFrom joins the client with LEFT JOIN: a lead made through amoCRM
// without contacts has none (client_id NULL, crm.Deal.ClientID 0).
const dealFrom = ` FROM deals d JOIN stages s ON s.id = d.stage_id AND s.account_id = d.account_id
	LEFT JOIN contacts c ON c.id = d.client_id AND c.account_id = d.account_id`

func scanDeal(row scanner) (crm.Deal, error) {
	var d crm.Deal
	var client, oldEmployee, parent, stageUpdated, closed, closestTask, lossReason, company sql.NullInt64
	var clientName sql.NullString
	var created, updated, sCreated, sUpdated int64
	st := &d.Stage
	err := row.Scan(&d.ID, &d.AccountID, &d.Name, &client, &d.PipelineID, &d.StageID, &d.UserID, &d.EmployeeID, &oldEmployee,
		&d.DepartmentID, &d.InboxTypeID, &d.ItReaction, &d.WithEvent, &parent, &stageUpdated, &closed, &created, &updated,
		&closestTask, &st.ID, &st.AccountID, &st.PipelineID, &st.Status, &st.Name, &st.Position, &st.Color, &st.NoDelete, &st.ExtID, &sCreated, &sUpdated, &clientName,
		&d.Price, &d.CreatedBy, &d.UpdatedBy, &lossReason, &company)
	d.ClientID, d.ClientName, d.LossReasonID, d.CompanyID = client.Int64, clientName.String, lossReason.Int64, company.Int64
	d.OldEmployeeID, d.ParentDealID = oldEmployee.Int64, parent.Int64
	d.StageUpdatedAt, d.ClosedAt = timeOf(stageUpdated), timeOf(closed)
	d.ClosestTaskAt = timeOf(closestTask) // kept by SyncDealTasks (task.go), not written by UpdateDeal
	d.CreatedAt, d.UpdatedAt = fromUnix(created), fromUnix(updated)
	st.CreatedAt, st.UpdatedAt = fromUnix(sCreated), fromUnix(sUpdated)
	return d, err
}

// dealInsertColumns are the columns dealArgs fills, in its order.
const dealInsertColumns = `name, client_id, pipeline_id, stage_id, user_id, employee_id, old_employee_id, department_id,
	inbox_type_id, it_reaction, with_event, parent_deal_id, stage_updated_at, closed_at, created_at, updated_at,
	price, created_by, updated_by, loss_reason_id, company_id`

var dealInsertCount = columnCount(dealInsertColumns)

func dealArgs(d *crm.Deal) []any {
	return []any{d.Name, nullID(d.ClientID), d.PipelineID, d.StageID, d.UserID, d.EmployeeID, nullID(d.OldEmployeeID), d.DepartmentID,
		d.InboxTypeID, d.ItReaction, d.WithEvent, nullID(d.ParentDealID), nullTime(d.StageUpdatedAt), nullTime(d.ClosedAt),
		unix(d.CreatedAt), unix(d.UpdatedAt), d.Price, d.CreatedBy, d.UpdatedBy, nullID(d.LossReasonID), nullID(d.CompanyID)}
}

func (t *tenantTx) InsertDeal(ctx context.Context, d *crm.Deal) error {
	d.AccountID, d.CreatedAt, d.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO deals (`+dealInsertColumns+`, account_id) VALUES (`+placeholders(dealInsertCount+1)+`)`,
		append(dealArgs(d), t.accountID)...)
	d.ID = id
	t.dirtyDeal(id)
	return err
}

func (t *tenantTx) UpdateDeal(ctx context.Context, d *crm.Deal) error {
	d.UpdatedAt = t.now
	t.dirtyDeal(d.ID)
	res, err := t.exec(ctx, `UPDATE deals SET name = ?, client_id = ?, pipeline_id = ?, stage_id = ?, user_id = ?, employee_id = ?,
		old_employee_id = ?, department_id = ?, inbox_type_id = ?, it_reaction = ?, with_event = ?, parent_deal_id = ?, stage_updated_at = ?,
		closed_at = ?, created_at = ?, updated_at = ?, price = ?, created_by = ?, updated_by = ?, loss_reason_id = ?, company_id = ?
		WHERE account_id = ? AND id = ?`, append(dealArgs(d), t.accountID, d.ID)...)
	return affected(res, err, "Deal")
}

// MoveDeal writes only the columns a stage change changes. UpdateDeal,
// which writes every column, made SQLite rewrite the deal's entry in each
// of its indexes (an index is rewritten when a column of it is assigned,
// changed or not) and recompute its search text, which no stage is part
// of: a stage change on its own took about a third less on the write
// connection.
func (t *tenantTx) MoveDeal(ctx context.Context, d *crm.Deal) error {
	d.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE deals SET pipeline_id = ?, stage_id = ?, stage_updated_at = ?, closed_at = ?, updated_at = ?
		WHERE account_id = ? AND id = ?`, d.PipelineID, d.StageID, nullTime(d.StageUpdatedAt), nullTime(d.ClosedAt), unix(d.UpdatedAt),
		t.accountID, d.ID)
	return affected(res, err, "Deal")
}

// dealColumnNames are dealInsertColumns one by one, in dealArgs' order.
var dealColumnNames = func() []string {
	names := strings.Split(dealInsertColumns, ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	return names
}()

// PatchDeal writes the columns of d that differ from stored, the deal as
// read earlier in this transaction, and its update time: what UpdateDeal
// writes, without assigning what did not change. SQLite rewrites a row's
// entry in every index of a column assigned, changed or not, and fires the
// triggers named for it (the totals, the keyword index's on created_at), so
// an amoCRM status change through UpdateDeal cost what a change of every
// column does. The deal's search text is recomputed only when a column it
// is made of (its name, its client) changed.
func (t *tenantTx) PatchDeal(ctx context.Context, d, stored *crm.Deal) error {
	d.UpdatedAt = t.now
	now, old := dealArgs(d), dealArgs(stored)
	var set strings.Builder
	args := make([]any, 0, len(now)+2)
	for i, name := range dealColumnNames {
		if name != "updated_at" && now[i] == old[i] {
			continue
		}
		if set.Len() > 0 {
			set.WriteString(", ")
		}
		set.WriteString(name + " = ?")
		args = append(args, now[i])
		if name == "name" || name == "client_id" {
			t.dirtyDeal(d.ID)
		}
	}
	res, err := t.exec(ctx, `UPDATE deals SET `+set.String()+` WHERE account_id = ? AND id = ?`, append(args, t.accountID, d.ID)...)
	return affected(res, err, "Deal")
}

func (t *tenantTx) Deal(ctx context.Context, id int64) (crm.Deal, error) {
	d, err := scanDeal(t.queryRow(ctx, `SELECT `+dealColumns+dealFrom+` WHERE d.account_id = ? AND d.id = ?`, t.accountID, id))
	return d, notFound(err, "Deal")
}

func (t *tenantTx) Deals(ctx context.Context, q crm.DealQuery) ([]crm.Deal, int, error) {
	f := &filter{}
	f.add(`d.account_id = ?`, t.accountID)
	f.in(`d.pipeline_id`, q.PipelineIDs)
	f.in(`d.stage_id`, q.StageIDs)
	f.in(`d.client_id`, q.ClientIDs)
	f.in(`d.parent_deal_id`, q.ParentIDs)
	if q.DateField == "stage_transition" {
		sub := &filter{}
		sub.add(`h.deal_id = d.id`)
		sub.in(`h.stage_id`, q.DateStageIDs)
		sub.between(`h.entered_at`, q.Dates)
		f.add(`EXISTS (SELECT 1 FROM deal_stage_history h WHERE `+sub.sql()+`)`, sub.args...)
	} else if col := dateColumn("d", q.DateField); col != "" {
		f.between(col, q.Dates)
	}
	kw := strings.ToLower(strings.TrimSpace(q.Keyword))
	fast, joinClient := false, false
	var kwCond string // the fast path's test of the search text, added by dealsByKeyword
	if kw != "" {
		if err := t.flushGroupSearch(ctx); err != nil {
			return nil, 0, err
		}
		kwCond, fast = t.keywordMatch(kw)
	}
	if kw != "" && !fast {
		joinClient = true
		pat := containsPattern(kw)
		f.add(`(`+like(t.foldExpr("d.name"))+` OR `+like(t.foldExpr("c.name"))+` OR EXISTS (SELECT 1 FROM service_values sv WHERE sv.account_id = d.account_id
			AND ((sv.entity_type = 'leads' AND sv.entity_id = d.id) OR (sv.entity_type = 'contacts' AND sv.entity_id = d.client_id))
			AND `+like(t.foldExpr("sv.value"))+`) OR EXISTS (SELECT 1 FROM field_values fv WHERE fv.account_id = d.account_id
			AND ((fv.entity_type = 'leads' AND fv.entity_id = d.id) OR (fv.entity_type = 'contacts' AND fv.entity_id = d.client_id))
			AND `+like(t.foldExpr("fv.value"))+`) OR EXISTS (SELECT 1 FROM contact_data cd WHERE cd.account_id = d.account_id
			AND cd.owner_type = 'contacts' AND cd.owner_id = d.client_id AND `+like(t.foldExpr("cd.value"))+`))`, pat, pat, pat, pat, pat)
	}
	// Every deal has exactly one stage and at most one client, so the
	// count joins only what the conditions name: the client for a keyword
	// (LEFT: a lead without contacts still matches by its own fields). Counting over the page's three-table join cost ~300 ms
	// at 100,000 deals on SQLite.
	countFrom := ` FROM deals d`
	if joinClient {
		countFrom += ` LEFT JOIN contacts c ON c.id = d.client_id AND c.account_id = d.account_id`
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	if fast {
		return t.dealsByKeyword(ctx, f, kwCond, kw, q, limit)
	}
	var total int
	var err error
	k, kept := keptDealCount(q, kw)
	if kept {
		total, err = t.countKept(ctx, k)
	} else {
		err = t.queryRow(ctx, `SELECT COUNT(*)`+countFrom+` WHERE `+f.sql(), f.args...).Scan(&total)
	}
	if err != nil {
		return nil, 0, err
	}
	if q.Offset >= total {
		return []crm.Deal{}, total, nil
	}
	pageFrom := countFrom
	if kept {
		index, err := t.dealPageWalk(ctx, k, total, q.Offset+limit)
		if err != nil {
			return nil, 0, err
		}
		if index != "" {
			pageFrom = ` FROM deals d INDEXED BY ` + index
		}
	}
	// The page's ids come from deals alone (newest first by primary key);
	// the joins then read only those 50 rows. Joining first let SQLite sort
	// the whole join (~200 ms at 100,000 deals).
	rows, err := t.query(ctx, `SELECT `+dealColumns+dealFrom+` WHERE d.id IN (SELECT d.id`+pageFrom+` WHERE `+f.sql()+
		` ORDER BY d.id DESC LIMIT ? OFFSET ?) ORDER BY d.id DESC`, append(f.args, limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	return scanDeals(rows, total)
}

// dealPageWalk names the index a page of a kept list is best read from on
// SQLite, or "" to leave the choice to SQLite. Without statistics SQLite reads such a
// page through the window's index (stage or pipeline, created_at): every
// match, sorted by id to keep the newest — ~10,000 entries for a stage
// over most of its life at 100,000 deals. The stage's and pipeline's
// indexes hold (id, created_at) in order (0033), so walking one backwards
// reads, without a row, the deals newer than the window and then the
// page: need entries when the window reaches today. The kept totals say
// how many are newer (ids follow creation times but for deals made with
// an older time, which only cost more entries), so the walk is taken when
// it passes fewer than half the entries the sort would read; it is the
// same query, only read another way. With a responsible the walk reads
// each entry's row to test it, as the sort does each of the window's, and
// passes about need × (the window's deals / the matches) of the window's
// entries: the totals without the responsible give both.
func (t *tenantTx) dealPageWalk(ctx context.Context, k keptCount, total, need int) (string, error) {
	if t.db.dialect.name() != "sqlite" {
		return "", nil
	}
	var index string
	switch {
	case pageWalk == walkNever || (total < need && pageWalk != walkAlways):
		return windowIndex(k), nil
	case len(k.stageIDs) == 1:
		index = `deals_stage`
	case len(k.stageIDs) == 0 && len(k.pipelineIDs) == 1:
		index = `deals_pipeline`
	default:
		return windowIndex(k), nil
	}
	if pageWalk == walkAlways {
		return index, nil
	}
	// The window's deals without the responsible, and the deals newer
	// than the window, in one statement.
	all := keptCount{stageIDs: k.stageIDs, pipelineIDs: k.pipelineIDs, created: k.created}
	var ks []keptCount
	if k.resp != "" {
		ks = append(ks, all)
	}
	if to := k.created.To; to != nil {
		if *to == math.MaxInt64 {
			return index, nil
		}
		after := *to + 1
		ks = append(ks, keptCount{stageIDs: k.stageIDs, pipelineIDs: k.pipelineIDs, created: crm.Range{From: &after}})
	}
	window, newer := total, 0
	if len(ks) > 0 {
		ns, err := t.countKeptAll(ctx, ks...)
		if err != nil {
			return "", err
		}
		if k.resp != "" {
			window, ns = ns[0], ns[1:]
		}
		if len(ns) > 0 {
			newer = ns[0]
		}
	}
	if newer+need*window/max(total, 1) > window/2 {
		return windowIndex(k), nil
	}
	return index, nil
}

// pageWalk is how dealPageWalk and leadPageIndex choose between walking
// an index for a page and SQLite's own plan: by the kept totals'
// estimate, or (for the tests, which read every page each way) never or
// whenever the list's shape allows it.
var pageWalk = walkEstimated

// The values of pageWalk.
const (
	walkEstimated = iota
	walkNever
	walkAlways
)

// windowIndex is the index serving a kept list's window of creation times
// on SQLite, "" without a window. Named, because the stage's and the
// pipeline's indexes, holding ids in order and the creation time, cover
// the page's query too and spare SQLite its sort: without statistics it
// would walk them through every deal of the stage (25,000 entries for a
// month of one stage of four at 100,000 deals) for a few hundred matches.
func windowIndex(k keptCount) string {
	switch {
	case k.created.Empty():
		return ""
	case len(k.stageIDs) > 0:
		return `deals_search_stage_created`
	case len(k.pipelineIDs) > 0:
		return `deals_report_created`
	}
	return `deals_created_search`
}

// keptDealCount is the count of a list the kept totals answer (stages,
// pipelines and a window of creation dates, or no window), if it is one.
func keptDealCount(q crm.DealQuery, kw string) (keptCount, bool) {
	if kw != "" || len(q.ClientIDs) > 0 || len(q.ParentIDs) > 0 || q.DateField == "stage_transition" {
		return keptCount{}, false
	}
	k := keptCount{stageIDs: q.StageIDs, pipelineIDs: q.PipelineIDs}
	switch {
	case q.DateField == "" || q.DateField == "created":
		k.created = q.Dates
	case !q.Dates.Empty():
		return keptCount{}, false
	}
	return k, true
}

// dealsByKeyword answers a keyword list with one pass over the matching
// deals: their ids, newest first, give both the count and the page, where
// a count and then a page each tested every deal in the window again. A
// keyword matches a small share of the deals, so the ids stay few.
// f holds the list's other conditions; kwCond tests a deal's search text
// for kw, which the index's phrase query makes needless where it is exact.
func (t *tenantTx) dealsByKeyword(ctx context.Context, f *filter, kwCond, kw string, q crm.DealQuery, limit int) ([]crm.Deal, int, error) {
	offset := q.Offset
	// The same two steps as the field-value search (deal_filter.go): every
	// matching id, then the page's deals by id. The ids come from the
	// trigram index where it serves the list (deal_search.go), else from
	// the deals of the window.
	from, pre, exact, ok := t.trigramSource(kw, q)
	if !ok {
		from, pre = ` FROM deals d WHERE `, nil
	}
	if !exact {
		f.add(kwCond, kw)
	}
	ids, err := t.searchIDs(ctx, from+f.sql(), append(pre, f.args...))
	if err != nil {
		return nil, 0, err
	}
	total := len(ids)
	ids = ids[min(offset, total):min(offset+limit, total)]
	if len(ids) == 0 {
		return []crm.Deal{}, total, nil
	}
	deals, err := t.dealsByID(ctx, ids)
	return deals, total, err
}

// scanDeals reads a page of deals and closes rows.
func scanDeals(rows *sql.Rows, total int) ([]crm.Deal, int, error) {
	defer rows.Close()
	out := []crm.Deal{}
	for rows.Next() {
		d, err := scanDeal(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

func (t *tenantTx) RecordStage(ctx context.Context, dealID, stageID int64, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO deal_stage_history (account_id, deal_id, stage_id, entered_at) VALUES (?, ?, ?, ?)`,
		t.accountID, dealID, stageID, unix(at))
	return err
}
