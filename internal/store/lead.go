package store

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

var leadOrder = map[string]string{"": "d.id", "id": "d.id", "created_at": "d.created_at", "updated_at": "d.updated_at"}

// Leads selects deals for amoCRM's lead list. The page's ids come from
// deals alone and the joins read only the page's rows, as Deals does. No
// count: amoCRM's lead list carries no total, and counting 100,000 deals
// cost more than the page (~20–35 ms on SQLite); one row past the page
// says whether there is a next one (core §1.2).
func (t *tenantTx) Leads(ctx context.Context, q crm.LeadQuery) ([]crm.Deal, bool, error) {
	f := &filter{}
	f.add(`d.account_id = ?`, t.accountID)
	f.in(`d.id`, q.IDs)
	f.in(`d.pipeline_id`, q.PipelineIDs)
	f.in(`d.created_by`, q.CreatedBy)
	f.in(`d.updated_by`, q.UpdatedBy)
	f.between(`d.price`, q.Price)
	f.between(`d.created_at`, q.CreatedAt)
	f.between(`d.updated_at`, q.UpdatedAt)
	f.between(`d.closed_at`, q.ClosedAt)
	f.between(`d.closest_task_at`, q.ClosestTaskAt)
	if cond, args := leadResp(q); cond != "" {
		f.add(cond, args...)
	}
	if len(q.Names) > 0 {
		args := make([]any, len(q.Names))
		for i, n := range q.Names {
			args[i] = n
		}
		f.add(`d.name IN (`+placeholders(len(q.Names))+`)`, args...)
	}
	if len(q.Statuses) > 0 {
		var or []string
		var args []any
		for _, s := range q.Statuses {
			if s.StageID != 0 {
				or = append(or, `(d.pipeline_id = ? AND d.stage_id = ?)`)
				args = append(args, s.PipelineID, s.StageID)
			} else {
				or = append(or, `(d.pipeline_id = ? AND d.stage_id IN (SELECT st.id FROM stages st WHERE st.account_id = d.account_id
					AND st.pipeline_id = ? AND st.status = ?))`)
				args = append(args, s.PipelineID, s.PipelineID, int(s.Status))
			}
		}
		f.add(`(`+strings.Join(or, ` OR `)+`)`, args...)
	}
	if kw := strings.ToLower(strings.TrimSpace(q.Search)); kw != "" {
		pat := containsPattern(kw)
		cond := like(t.foldExpr("d.name")) + ` OR EXISTS (SELECT 1 FROM service_values sv WHERE sv.account_id = d.account_id
			AND sv.entity_type = 'leads' AND sv.entity_id = d.id AND ` + like(t.foldExpr("sv.value")) + `)
			OR EXISTS (SELECT 1 FROM field_values fv WHERE fv.account_id = d.account_id
			AND fv.entity_type = 'leads' AND fv.entity_id = d.id AND ` + like(t.foldExpr("fv.value")) + `)`
		args := []any{pat, pat, pat}
		if id, err := strconv.ParseInt(kw, 10, 64); err == nil {
			cond += ` OR d.id = ?`
			args = append(args, id)
		}
		f.add(`(`+cond+`)`, args...)
	}
	column, ok := leadOrder[q.OrderBy]
	if !ok {
		column = "d.id"
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	order := column + dir
	if column != "d.id" {
		order += ", d.id" + dir
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	from := ` FROM deals d`
	if column == "d.id" {
		index, err := t.leadPageIndex(ctx, q, q.Offset+limit+1)
		if err != nil {
			return nil, false, err
		}
		if index != "" {
			from += ` INDEXED BY ` + index
		}
	}
	// Planned for its values on every call, as a deal search's page is
	// (planEachCall): the filtered lists' shares swing the same way.
	rows, err := t.query(ctx, `SELECT `+dealColumns+dealFrom+` WHERE d.id IN (SELECT d.id`+from+` WHERE `+f.sql()+
		` ORDER BY `+order+` LIMIT ? OFFSET ?) ORDER BY `+order, t.db.dialect.planEachCall(append(f.args, limit+1, q.Offset))...)
	if err != nil {
		return nil, false, err
	}
	list, _, err := scanDeals(rows, 0)
	if err != nil {
		return nil, false, err
	}
	if len(list) > limit {
		return list[:limit], true, nil
	}
	return list, false, nil
}

// leadResp is the condition of the leads list's responsible users ("" for
// none): the employee when there is one, else the administrator
// (crm.Responsible). It names d.employee_id and d.user_id alone, which
// deal_created_totals keeps too.
func leadResp(q crm.LeadQuery) (string, []any) {
	if len(q.ResponsibleUserIDs) == 0 {
		return "", nil
	}
	ph := placeholders(len(q.ResponsibleUserIDs))
	args := make([]any, 0, 2*len(q.ResponsibleUserIDs))
	for _, id := range q.ResponsibleUserIDs {
		args = append(args, id)
	}
	return `(d.employee_id IN (` + ph + `) OR (d.employee_id = 0 AND d.user_id IN (` + ph + `)))`, append(args, args...)
}

// leadPageIndex names the index a page of amoCRM's leads in id order is
// best read from on SQLite, or "" to leave the choice to SQLite. A list
// of one stage (filter[statuses] with one stage), perhaps narrowed to a
// responsible and a window of creation times, was read through the
// window's index, (stage, created_at): every deal of the stage in the
// window, ~10,000 at 100,000 deals, each read from the table for its
// responsible and sorted by id for a page of 50 — several ms of SQLite's
// CPU a page. deals_stage holds each deal's id in order and its creation
// time (0033), so walking it in the page's direction passes the deals
// outside the window on that side, then about need × (the window's deals
// / the matches) of the window's, reading a row only for the responsible.
// The kept totals (countKept) give those three numbers; the walk is taken
// when it passes fewer than half of the window's entries. Other criteria
// keep SQLite's own plan: the same query either way, only read another
// way (pageWalk).
func (t *tenantTx) leadPageIndex(ctx context.Context, q crm.LeadQuery, need int) (string, error) {
	if pageWalk == walkNever || t.db.dialect.name() != "sqlite" || len(q.Statuses) != 1 || q.Statuses[0].StageID == 0 ||
		len(q.IDs)+len(q.Names)+len(q.CreatedBy)+len(q.UpdatedBy) > 0 || strings.TrimSpace(q.Search) != "" ||
		!q.Price.Empty() || !q.UpdatedAt.Empty() || !q.ClosedAt.Empty() || !q.ClosestTaskAt.Empty() {
		return "", nil
	}
	k := keptCount{stageIDs: []int64{q.Statuses[0].StageID}, pipelineIDs: []int64{q.Statuses[0].PipelineID}, created: q.CreatedAt}
	if pageWalk == walkAlways {
		return `deals_stage`, nil
	}
	// The window's deals, those of the responsible, and those on the
	// walk's side of the window, in one statement.
	ks := []keptCount{k, k, {}}
	ks[1].resp, ks[1].respArgs = leadResp(q)
	side := crm.Range{}
	switch {
	case q.Desc && q.CreatedAt.To != nil && *q.CreatedAt.To < math.MaxInt64:
		after := *q.CreatedAt.To + 1
		side.From = &after
	case !q.Desc && q.CreatedAt.From != nil && *q.CreatedAt.From > math.MinInt64:
		before := *q.CreatedAt.From - 1
		side.To = &before
	}
	if side.Empty() {
		ks = ks[:2] // the window reaches the end the walk starts from
	} else {
		ks[2] = keptCount{stageIDs: k.stageIDs, pipelineIDs: k.pipelineIDs, created: side}
	}
	ns, err := t.countKeptAll(ctx, ks...)
	if err != nil {
		return "", err
	}
	window, matches, outside := ns[0], ns[1], 0
	if len(ns) > 2 {
		outside = ns[2]
	}
	if matches < need {
		return "", nil
	}
	if outside+need*window/matches > window/2 {
		return "", nil
	}
	return `deals_stage`, nil
}

func (t *tenantTx) DealContacts(ctx context.Context, dealIDs []int64) (map[int64][]int64, error) {
	return t.idPairs(ctx, `SELECT deal_id, contact_id FROM deal_contacts WHERE account_id = ? AND deal_id IN (%s) ORDER BY deal_id, position`, dealIDs)
}

func (t *tenantTx) SetDealContacts(ctx context.Context, dealID int64, contactIDs []int64) error {
	if _, err := t.exec(ctx, `DELETE FROM deal_contacts WHERE account_id = ? AND deal_id = ?`, t.accountID, dealID); err != nil {
		return err
	}
	for pos, id := range contactIDs {
		if _, err := t.exec(ctx, `INSERT INTO deal_contacts (account_id, deal_id, contact_id, position) VALUES (?, ?, ?, ?)`,
			t.accountID, dealID, id, pos); err != nil {
			return err
		}
	}
	return nil
}

func (t *tenantTx) DealsOfContacts(ctx context.Context, contactIDs []int64) (map[int64][]int64, error) {
	return t.idPairs(ctx, `SELECT x.contact_id, x.deal_id FROM (
		SELECT client_id AS contact_id, id AS deal_id FROM deals WHERE account_id = ? AND client_id IN (%[1]s)
		UNION ALL SELECT contact_id, deal_id FROM deal_contacts WHERE account_id = ? AND contact_id IN (%[1]s)) x
		ORDER BY x.contact_id, x.deal_id`, contactIDs, contactIDs)
}

func (t *tenantTx) DealsOfCompanies(ctx context.Context, companyIDs []int64) (map[int64][]int64, error) {
	return t.idPairs(ctx, `SELECT company_id, id FROM deals WHERE account_id = ? AND company_id IN (%s) ORDER BY company_id, id`, companyIDs)
}

// idPairs runs a query of (key, value) id pairs whose %s (or %[1]s) is the
// placeholders of ids; each list of ids follows the account id.
func (t *tenantTx) idPairs(ctx context.Context, q string, lists ...[]int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(lists) == 0 || len(lists[0]) == 0 {
		return out, nil
	}
	var args []any
	for _, ids := range lists {
		args = append(args, t.idArgs(ids)...)
	}
	q = strings.ReplaceAll(strings.ReplaceAll(q, "%[1]s", placeholders(len(lists[0]))), "%s", placeholders(len(lists[0])))
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v int64
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = append(out[k], v)
	}
	return out, rows.Err()
}

func (t *tenantTx) InsertLossReason(ctx context.Context, r *crm.LossReason) error {
	r.AccountID, r.CreatedAt, r.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO loss_reasons (account_id, name, sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		t.accountID, r.Name, r.Sort, unix(r.CreatedAt), unix(r.UpdatedAt))
	r.ID = id
	return err
}

const lossReasonColumns = `id, account_id, name, sort, created_at, updated_at`

func scanLossReason(row scanner) (crm.LossReason, error) {
	var r crm.LossReason
	var created, updated int64
	err := row.Scan(&r.ID, &r.AccountID, &r.Name, &r.Sort, &created, &updated)
	r.CreatedAt, r.UpdatedAt = fromUnix(created), fromUnix(updated)
	return r, err
}

func (t *tenantTx) LossReasons(ctx context.Context) ([]crm.LossReason, error) {
	rows, err := t.query(ctx, `SELECT `+lossReasonColumns+` FROM loss_reasons WHERE account_id = ? ORDER BY sort, id`, t.accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.LossReason{}
	for rows.Next() {
		r, err := scanLossReason(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *tenantTx) LossReason(ctx context.Context, id int64) (crm.LossReason, error) {
	r, err := scanLossReason(t.queryRow(ctx, `SELECT `+lossReasonColumns+` FROM loss_reasons WHERE account_id = ? AND id = ?`, t.accountID, id))
	return r, notFound(err, "LossReason")
}

func (t *tenantTx) SetDealUpdatedAt(ctx context.Context, id int64, at time.Time) error {
	res, err := t.exec(ctx, `UPDATE deals SET updated_at = ? WHERE account_id = ? AND id = ?`, unix(at), t.accountID, id)
	return affected(res, err, "Deal")
}

func (t *tenantTx) CompanyClients(ctx context.Context, companyIDs []int64) (map[int64][]int64, error) {
	return t.idPairs(ctx, `SELECT company_id, client_id FROM client_companies WHERE account_id = ? AND company_id IN (%s) ORDER BY company_id, id`, companyIDs)
}

func (t *tenantTx) ContactCustomers(ctx context.Context, contactIDs []int64) (map[int64][]int64, error) {
	return t.idPairs(ctx, `SELECT contact_id, customer_id FROM customer_contacts WHERE account_id = ? AND contact_id IN (%s) ORDER BY contact_id, customer_id`, contactIDs)
}

func (t *tenantTx) CompanyCustomers(ctx context.Context, companyIDs []int64) (map[int64][]int64, error) {
	return t.idPairs(ctx, `SELECT company_id, id FROM customers WHERE account_id = ? AND company_id IN (%s) ORDER BY company_id, id`, companyIDs)
}

func (t *tenantTx) UnlinkClientCompany(ctx context.Context, clientID, companyID int64) error {
	if _, err := t.exec(ctx, `DELETE FROM client_companies WHERE account_id = ? AND client_id = ? AND company_id = ?`, t.accountID, clientID, companyID); err != nil {
		return err
	}
	// Keep one primary company while the client has any.
	_, err := t.exec(ctx, `UPDATE client_companies SET is_primary = TRUE WHERE account_id = ? AND client_id = ?
		AND id = (SELECT MIN(id) FROM client_companies WHERE account_id = ? AND client_id = ?)
		AND NOT EXISTS (SELECT 1 FROM client_companies WHERE account_id = ? AND client_id = ? AND is_primary)`,
		t.accountID, clientID, t.accountID, clientID, t.accountID, clientID)
	return err
}
