package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// The deal search (Envybox E15) in SQL. One statement selects the ids of
// every matching deal, newest first: all_ids, and count is their number;
// the page's rows are then read by primary key. Nothing but ids leaves the
// database for the deals outside the page.
//
// Index use: the deal's own columns (stage, pipeline, inbox type,
// responsible, dates) are plain conditions on deals; conditions on other
// tables are uncorrelated "d.id IN (SELECT …)" sets driven by an indexed
// column (field_id, tag_id, stage_id, …), evaluated once per query — except
// field conditions on SQLite when the deal's own criteria leave few deals,
// which are probed per deal (searchWhere); the client's first deal is an
// anti-join. The keyword, which no index can
// serve (substring, case-folded), is the last term (keywordCond). Migration
// 0010 adds the indexes: stage with creation date, closing and stage-change
// dates, employee, service values by field. PostgreSQL needs its statistics
// (autovacuum's ANALYZE) to choose them.

// searchSet is how a deal reaches an entity's rows: the deal itself
// (d.id), its client (d.client_id), or its linked leads (through
// inbound_deals).
func (t *tenantTx) searchSet(entity crm.EntityType, inner string, args []any) (string, []any) {
	switch entity {
	case crm.EntityContact:
		return `d.client_id IN (` + inner + `)`, args
	case crm.EntityInbound:
		return `d.id IN (SELECT ld.deal_id FROM inbound_deals ld WHERE ld.account_id = ? AND ld.inbound_id IN (` + inner + `))`,
			append([]any{t.accountID}, args...)
	}
	return `d.id IN (` + inner + `)`, args
}

// numExpr reads a stored decimal text as a number. PostgreSQL's CAST fails
// on text that is not a number and its planner may evaluate it before the
// field_id condition, so it only casts what looks like one.
func (t *tenantTx) numExpr(col string) string {
	if t.db.dialect.name() == "postgres" {
		return `(CASE WHEN ` + col + ` ~ '^-{0,1}[0-9]+(\.[0-9]+){0,1}$' THEN CAST(` + col + ` AS DOUBLE PRECISION) END)`
	}
	return `CAST(` + col + ` AS REAL)`
}

// intExpr reads a stored Unix time as an integer, like numExpr.
func (t *tenantTx) intExpr(col string) string {
	if t.db.dialect.name() == "postgres" {
		return `(CASE WHEN ` + col + ` ~ '^-{0,1}[0-9]+$' THEN CAST(` + col + ` AS BIGINT) END)`
	}
	return `CAST(` + col + ` AS INTEGER)`
}

// valueCond is the condition of a FieldMatch on a text column (and for
// enums the enum column).
func (t *tenantTx) valueCond(m crm.FieldMatch, col, enumCol string) (string, []any) {
	f := &filter{}
	switch m.Op {
	case crm.MatchContains:
		f.add(like(t.foldExpr(col)), containsPattern(m.Text))
	case crm.MatchEquals:
		f.add(t.foldExpr(col)+` = ?`, m.Text)
	case crm.MatchAnyOf:
		args := make([]any, len(m.Texts))
		for i, s := range m.Texts {
			args[i] = s
		}
		f.add(t.foldExpr(col)+` IN (`+placeholders(len(args))+`)`, args...)
	case crm.MatchNumber:
		if m.Number.From != nil {
			f.add(t.numExpr(col)+` >= ?`, *m.Number.From)
		}
		if m.Number.To != nil {
			f.add(t.numExpr(col)+` <= ?`, *m.Number.To)
		}
	case crm.MatchTime:
		f.between(t.intExpr(col), m.Range)
	case crm.MatchEnum:
		f.in(enumCol, m.EnumIDs)
	case crm.MatchChecked, crm.MatchNotChecked:
		f.add(col + ` = '1'`)
	}
	if len(f.where) == 0 {
		return `1 = 1`, nil
	}
	return f.sql(), f.args
}

// ownerCond is the condition that some row of from, owned by the deal
// (EntityDeal), its client (EntityContact) or one of its linked leads
// (EntityInbound) through the column owner, satisfies where. As a set
// (searchSet) the rows are found once for all deals, through the index
// serving where; perDeal probes each deal's own rows through the
// per-owner index instead (see searchWhere).
func (t *tenantTx) ownerCond(entity crm.EntityType, perDeal bool, from, owner, where string, args []any) (string, []any) {
	if !perDeal {
		return t.searchSet(entity, `SELECT `+owner+` FROM `+from+` WHERE `+where, args)
	}
	switch entity {
	case crm.EntityContact:
		return `EXISTS (SELECT 1 FROM ` + from + ` WHERE ` + where + ` AND ` + owner + ` = d.client_id)`, args
	case crm.EntityInbound:
		return `EXISTS (SELECT 1 FROM inbound_deals ld JOIN ` + from + ` ON ` + owner + ` = ld.inbound_id
			WHERE ld.account_id = d.account_id AND ld.deal_id = d.id AND ` + where + `)`, args
	}
	return `EXISTS (SELECT 1 FROM ` + from + ` WHERE ` + where + ` AND ` + owner + ` = d.id)`, args
}

// fieldCond is the condition a FieldMatch puts on a deal; perDeal as in
// ownerCond.
func (t *tenantTx) fieldCond(m crm.FieldMatch, perDeal bool) (string, []any) {
	entity := string(m.Entity)
	fvFrom, svFrom := `field_values fv`, `service_values sv`
	if perDeal {
		// Each probe goes by its owner (perDeal is SQLite's alone): with
		// the value or option index at hand, SQLite could walk every row
		// of a common value once per deal. The service values' index is
		// their UNIQUE (account_id, entity_type, entity_id, field_id).
		fvFrom += ` INDEXED BY field_values_entity`
		svFrom += ` INDEXED BY sqlite_autoindex_service_values_1`
	}
	if !m.Service {
		cond, args := t.valueCond(m, "fv.value", "fv.enum_id")
		sql, all := t.ownerCond(m.Entity, perDeal, fvFrom, `fv.entity_id`,
			`fv.account_id = ? AND fv.entity_type = ? AND fv.field_id = ? AND `+cond, append([]any{t.accountID, entity, m.FieldID}, args...))
		if m.Op == crm.MatchNotChecked {
			sql = `NOT ` + sql
		}
		return sql, all
	}
	// Names, phones and emails live on the records themselves (the service
	// values repeat them); the rest are service values.
	switch {
	case m.Entity == crm.EntityDeal && m.FieldID == crm.FieldDealName:
		return t.valueCond(m, "d.name", "")
	case m.Entity == crm.EntityContact && m.FieldID == crm.FieldClientName:
		cond, args := t.valueCond(m, "c.name", "")
		return t.ownerCond(m.Entity, perDeal, `contacts c`, `c.id`, `c.account_id = ? AND `+cond, append([]any{t.accountID}, args...))
	case m.Entity == crm.EntityInbound && m.FieldID <= 3:
		col := map[int64]string{1: "l.name", 2: "l.phone", 3: "l.email"}[m.FieldID]
		cond, args := t.valueCond(m, col, "")
		return t.ownerCond(m.Entity, perDeal, `inbounds l`, `l.id`, `l.account_id = ? AND `+cond, append([]any{t.accountID}, args...))
	}
	cond, args := t.valueCond(m, "sv.value", "")
	return t.ownerCond(m.Entity, perDeal, svFrom, `sv.entity_id`,
		`sv.account_id = ? AND sv.entity_type = ? AND sv.field_id = ? AND `+cond, append([]any{t.accountID, entity, m.FieldID}, args...))
}

// having bounds an aggregate: "HAVING agg >= ? AND agg <= ?" ("" for an
// empty range).
func having(agg string, r crm.Range) (string, []any) {
	f := &filter{}
	f.between(agg, r)
	if len(f.where) == 0 {
		return "", nil
	}
	return ` HAVING ` + f.sql(), f.args
}

// dateCond is the condition a DateCondition puts on a deal.
func (t *tenantTx) dateCond(f *filter, c crm.DateCondition) {
	switch c.Select {
	case crm.SelectCreated:
		f.between(`d.created_at`, c.Range)
	case crm.SelectClosed, crm.SelectStageChanged:
		col := map[crm.DateSelect]string{crm.SelectClosed: "d.closed_at", crm.SelectStageChanged: "d.stage_updated_at"}[c.Select]
		if c.Range.Empty() {
			f.add(col + ` IS NOT NULL`)
		}
		f.between(col, c.Range)
	case crm.SelectStageTransition:
		sub := &filter{}
		sub.add(`h.account_id = ?`, t.accountID)
		sub.in(`h.stage_id`, c.StageIDs)
		sub.between(`h.entered_at`, c.Range)
		f.add(`d.id IN (SELECT h.deal_id FROM deal_stage_history h WHERE `+sub.sql()+`)`, sub.args...)
	case crm.SelectLeadCreated, crm.SelectFirstLeadCreated:
		agg := `MAX(l.created_at)`
		if c.Select == crm.SelectFirstLeadCreated {
			agg = `MIN(l.created_at)`
		}
		h, args := having(agg, c.Range)
		f.add(`d.id IN (SELECT ld.deal_id FROM inbound_deals ld JOIN inbounds l ON l.id = ld.inbound_id AND l.account_id = ld.account_id
			WHERE ld.account_id = ? GROUP BY ld.deal_id`+h+`)`, append([]any{t.accountID}, args...)...)
	case crm.SelectNextTask:
		// The nearest open task: the earliest due time of the tasks not
		// done (tasks.success false).
		h, args := having(`MIN(tk.due_at)`, c.Range)
		f.add(`d.id IN (SELECT tk.deal_id FROM tasks tk WHERE tk.account_id = ? AND tk.success = ? GROUP BY tk.deal_id`+h+`)`,
			append([]any{t.accountID, false}, args...)...)
	}
}

// keywordCond matches the keyword (lower-cased) against the deal's name and
// values and its client's name, values, contact data and contact persons.
// The name service values (2001, 1001) repeat the names and are skipped.
//
// Two forms, the same rows: with other criteria (narrowed) the keyword is
// checked per remaining deal by correlated EXISTS on the per-entity indexes;
// alone, every deal would be probed six times, so each table is scanned once
// instead into "d.id IN (…)" and "d.client_id IN (…)" sets (100,000 deals on
// SQLite: 0.6 s per-deal, about 0.1 s by sets; the other way round with a
// stage and a quarter: 18 ms against 50 ms). join reports whether the form
// needs the client joined as c.
func (t *tenantTx) keywordCond(f *filter, kw string, narrowed bool) (join bool) {
	pat := containsPattern(kw)
	fold := t.foldExpr
	if t.db.dialect.name() == "sqlite" && asciiOnly(kw) {
		// SQLite's LIKE ignores the case of ASCII letters itself: an ASCII
		// keyword (a phone, an email, a latin name) needs no call of the
		// folding function per row.
		fold = func(expr string) string { return expr }
	}
	if !narrowed {
		a := t.accountID
		f.add(`(`+like(fold("d.name"))+`
		OR d.id IN (SELECT sv.entity_id FROM service_values sv WHERE sv.account_id = ? AND sv.entity_type = 'leads' AND sv.field_id <> 2001
				AND `+like(fold("sv.value"))+`
			UNION ALL SELECT fv.entity_id FROM field_values fv WHERE fv.account_id = ? AND fv.entity_type = 'leads' AND `+like(fold("fv.value"))+`)
		OR d.client_id IN (SELECT c.id FROM contacts c WHERE c.account_id = ? AND `+like(fold("c.name"))+`
			UNION ALL SELECT sv.entity_id FROM service_values sv WHERE sv.account_id = ? AND sv.entity_type = 'contacts' AND sv.field_id <> 1001
				AND `+like(fold("sv.value"))+`
			UNION ALL SELECT fv.entity_id FROM field_values fv WHERE fv.account_id = ? AND fv.entity_type = 'contacts' AND `+like(fold("fv.value"))+`
			UNION ALL SELECT cd.owner_id FROM contact_data cd WHERE cd.account_id = ? AND cd.owner_type = 'contacts' AND `+like(fold("cd.value"))+`
			UNION ALL SELECT p.client_id FROM contact_persons p WHERE p.account_id = ? AND `+like(fold("p.name"))+`))`,
			pat, a, pat, a, pat, a, pat, a, pat, a, pat, a, pat, a, pat)
		return false
	}
	f.add(`(`+like(fold("d.name"))+` OR `+like(fold("c.name"))+`
		OR EXISTS (SELECT 1 FROM service_values sv WHERE sv.account_id = d.account_id AND sv.entity_type = 'leads' AND sv.entity_id = d.id
			AND sv.field_id <> 2001 AND `+like(fold("sv.value"))+`)
		OR EXISTS (SELECT 1 FROM field_values fv WHERE fv.account_id = d.account_id AND fv.entity_type = 'leads' AND fv.entity_id = d.id
			AND `+like(fold("fv.value"))+`)
		OR EXISTS (SELECT 1 FROM service_values sv WHERE sv.account_id = d.account_id AND sv.entity_type = 'contacts' AND sv.entity_id = d.client_id
			AND sv.field_id <> 1001 AND `+like(fold("sv.value"))+`)
		OR EXISTS (SELECT 1 FROM field_values fv WHERE fv.account_id = d.account_id AND fv.entity_type = 'contacts' AND fv.entity_id = d.client_id
			AND `+like(fold("fv.value"))+`)
		OR EXISTS (SELECT 1 FROM contact_data cd WHERE cd.account_id = d.account_id AND cd.owner_type = 'contacts' AND cd.owner_id = d.client_id
			AND `+like(fold("cd.value"))+`)
		OR EXISTS (SELECT 1 FROM contact_persons p WHERE p.account_id = d.account_id AND p.client_id = d.client_id
			AND `+like(fold("p.name"))+`))`, pat, pat, pat, pat, pat, pat, pat, pat)
	return true
}

// narrowed reports whether a search has criteria that usually leave few
// deals for the keyword: stages, pipelines, inbox types, tags, lead stages,
// fields or a date. The responsible and the client's first deal are not
// counted (they typically keep a fifth of the deals or more).
func narrowed(q crm.DealSearchQuery) bool {
	if len(q.StageIDs)+len(q.PipelineIDs)+len(q.InboxTypeIDs)+len(q.TagIDs)+len(q.LeadStageIDs)+len(q.Fields) > 0 {
		return true
	}
	for _, c := range q.Dates {
		if c.Select != crm.SelectCreated || !c.Range.Empty() {
			return true
		}
	}
	return false
}

func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// perDealCandidates is the most deals the deal's own criteria may leave
// for field conditions to be checked per deal (searchWhere; a variable for
// the tests comparing the two forms): at 100,000
// deals on SQLite a probe costs about 2 µs per deal, and a set about as
// much per row it holds — with statistics. crmd's SQLite has none, and
// without them a set's plan is far worse: at 1,000,000 deals a one-month
// window (27,000 candidates, past the first bound of 5,000) took 1.5 s as
// sets. Probing 50,000 candidates costs about 100 ms at worst.
var perDealCandidates = 50_000

// searchWhere builds the WHERE clause of a search; join reports whether it
// needs the client (contacts c).
//
// Field conditions take one of two forms, the same rows. As sets (d.id IN
// (SELECT …)) each is found once through the field's index — for an option
// of a select field, every row of that option in the account (an eighth of
// all deals with eight options), each read from the table to learn its
// field and owner. When the deal's own criteria (a month of creation
// dates, stages, …) leave few deals, probing those few deals' rows is
// cheaper: a select option with a one-month creation range at 100,000
// deals was 12,500 rows read and sorted into a set for 2,700 candidates
// (29 ms per search on SQLite, 300 ms at p50 under load); probed per deal,
// 12 ms. So on SQLite the candidates are counted first, up to
// perDealCandidates, through the index that serves the own criteria.
// PostgreSQL plans both forms alike (a semi-join, its statistics choosing
// the side), so it keeps the sets and saves the count.
func (t *tenantTx) searchWhere(ctx context.Context, q crm.DealSearchQuery) (f *filter, join bool, err error) {
	f = t.ownWhere(q)
	perDeal := false
	if len(q.Fields) > 0 && len(f.where) > 1 && t.db.dialect.name() == "sqlite" {
		if perDeal, err = t.fewCandidates(ctx, q, f); err != nil {
			return nil, false, err
		}
	}
	if len(q.TagIDs) > 0 {
		sub := &filter{}
		sub.add(`et.account_id = ? AND et.entity_type = 'leads'`, t.accountID)
		sub.in(`et.tag_id`, q.TagIDs)
		f.add(`d.id IN (SELECT et.entity_id FROM entity_tags et WHERE `+sub.sql()+`)`, sub.args...)
	}
	if len(q.LeadStageIDs) > 0 {
		sub := &filter{}
		sub.add(`ld.account_id = ?`, t.accountID)
		sub.in(`l.stage_id`, q.LeadStageIDs)
		f.add(`d.id IN (SELECT ld.deal_id FROM inbound_deals ld JOIN inbounds l ON l.id = ld.inbound_id AND l.account_id = ld.account_id
			WHERE `+sub.sql()+`)`, sub.args...)
	}
	for _, m := range q.Fields {
		cond, args := t.fieldCond(m, perDeal)
		f.add(cond, args...)
	}
	if q.FirstDealOfClient {
		// An anti-join on deals_client; "d.id IN (SELECT MIN(id) … GROUP BY
		// client_id)" made PostgreSQL probe the primary key once per client.
		f.add(`NOT EXISTS (SELECT 1 FROM deals d1 WHERE d1.account_id = d.account_id AND d1.client_id = d.client_id AND d1.id < d.id)`)
	}
	if kw := strings.ToLower(strings.TrimSpace(q.Keyword)); kw != "" {
		join = t.keywordCond(f, kw, narrowed(q))
	}
	return f, join, nil
}

// ownWhere is the part of a search's WHERE clause on the deal's own
// columns (and its dates): what fewCandidates counts.
func (t *tenantTx) ownWhere(q crm.DealSearchQuery) *filter {
	f := &filter{}
	f.add(`d.account_id = ?`, t.accountID)
	f.in(`d.stage_id`, q.StageIDs)
	f.in(`d.pipeline_id`, q.PipelineIDs)
	f.in(`d.inbox_type_id`, q.InboxTypeIDs)
	if cond, args := searchResp(q); cond != "" {
		f.add(cond, args...)
	}
	for _, c := range q.Dates {
		t.dateCond(f, c)
	}
	return f
}

// searchResp is the condition a search puts on the deal's responsible
// ("" for none): any of the users (as employee, or as administrator of a
// deal without employee and department), the departments, or nobody. It
// names d.employee_id, d.department_id and d.user_id alone, which
// deal_created_totals keeps too (keptCount.resp).
func searchResp(q crm.DealSearchQuery) (string, []any) {
	resp := &filter{}
	if len(q.UserIDs) > 0 {
		in := placeholders(len(q.UserIDs))
		args := make([]any, 0, 2*len(q.UserIDs))
		for range 2 {
			for _, id := range q.UserIDs {
				args = append(args, id)
			}
		}
		resp.add(`d.employee_id IN (`+in+`) OR (d.employee_id = 0 AND d.department_id = 0 AND d.user_id IN (`+in+`))`, args...)
	}
	resp.in(`d.department_id`, q.DepartmentIDs)
	if q.NoResponsible {
		resp.add(`(d.employee_id = 0 AND d.department_id = 0 AND d.user_id = 0)`)
	}
	if len(resp.where) == 0 {
		return "", nil
	}
	return `(` + strings.Join(resp.where, ` OR `) + `)`, resp.args
}

// fewCandidates reports whether at most perDealCandidates deals satisfy f,
// the deal's own criteria of q. When those are what the kept totals count
// (stages, pipelines, the responsible and one window of creation times:
// ownKept) the totals answer, a few hundred kept rows; otherwise the
// deals are counted, up to the bound, through the index serving f — at
// 1,000,000 deals a month's window was ~27,000 entries of
// deals_created_search, which holds every deal's search text, walked
// before the search itself walked them again. Either way only the form of
// the field conditions depends on the answer, never the rows.
func (t *tenantTx) fewCandidates(ctx context.Context, q crm.DealSearchQuery, f *filter) (bool, error) {
	var n int
	var err error
	if k, ok := ownKept(q); ok {
		n, err = t.countKept(ctx, k)
	} else {
		args := append(slices.Clip(f.args), perDealCandidates+1)
		err = t.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM deals d WHERE `+f.sql()+` LIMIT ?) x`, args...).Scan(&n)
	}
	return n <= perDealCandidates, err
}

// ownKept is the count of the deals q's own criteria (those searchWhere
// puts on deals before the field conditions) select, if the kept totals
// answer it: no inbox types and no date but at most one window of
// creation times.
func ownKept(q crm.DealSearchQuery) (keptCount, bool) {
	if len(q.InboxTypeIDs) > 0 || len(q.Dates) > 1 {
		return keptCount{}, false
	}
	k := keptCount{stageIDs: q.StageIDs, pipelineIDs: q.PipelineIDs}
	k.resp, k.respArgs = searchResp(q)
	for _, c := range q.Dates {
		if c.Select != crm.SelectCreated {
			return keptCount{}, false
		}
		k.created = c.Range
	}
	return k, true
}

func (t *tenantTx) SearchDeals(ctx context.Context, q crm.DealSearchQuery) ([]int64, []crm.Deal, error) {
	f, join, err := t.searchWhere(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	from := ` FROM deals d`
	if join {
		// LEFT: a lead made through amoCRM may have no client (0014).
		from += ` LEFT JOIN contacts c ON c.id = d.client_id AND c.account_id = d.account_id`
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	if q.BeforeID != 0 {
		f.add(`d.id < ?`, q.BeforeID)
	}
	if q.PageOnly {
		// A keyed page: the newest matches below BeforeID, walking the
		// deals newest first until the page is full, never all of them.
		page, err := t.pageIDs(ctx, `SELECT d.id`+from+` WHERE `+f.sql()+` ORDER BY d.id DESC LIMIT ?`, append(f.args, limit))
		if err != nil || len(page) == 0 {
			return nil, []crm.Deal{}, err
		}
		deals, err := t.dealsByID(ctx, page)
		return nil, deals, err
	}
	ids, err := t.searchIDs(ctx, from+` WHERE `+f.sql(), f.args)
	if err != nil {
		return nil, nil, err
	}
	if q.Offset >= len(ids) {
		return ids, []crm.Deal{}, nil
	}
	page := ids[q.Offset:min(len(ids), q.Offset+limit)]
	deals, err := t.dealsByID(ctx, page)
	return ids, deals, err
}

// searchIDs reads the ids a search selects, newest first. PostgreSQL sends
// them as one comma-separated text: a row per id through database/sql costs
// more than the query itself at 100,000 ids. SQLite, in process, reads rows.
func (t *tenantTx) searchIDs(ctx context.Context, fromWhere string, args []any) ([]int64, error) {
	ids := []int64{}
	if t.db.dialect.name() == "postgres" {
		var list string
		if err := t.queryRow(ctx, `SELECT COALESCE(string_agg(CAST(d.id AS TEXT), ',' ORDER BY d.id DESC), '')`+fromWhere,
			t.db.dialect.planEachCall(args)...).Scan(&list); err != nil {
			return nil, err
		}
		for part := range strings.SplitSeq(list, ",") {
			if part == "" {
				continue
			}
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	// No ORDER BY: asked for ids in order, SQLite without statistics (crmd
	// never gathers them) walked every deal newest first, probing field
	// values for each, instead of the date window's index — 11 s a search
	// at 100,000 deals. The ids are sorted here instead.
	rows, err := t.query(ctx, `SELECT d.id`+fromWhere, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Compare(b, a) })
	return ids, rows.Err()
}

// pageIDs reads the ids a query selects, in its order. A search's page is
// planned for its values on every call (planEachCall).
func (t *tenantTx) pageIDs(ctx context.Context, query string, args []any) ([]int64, error) {
	rows, err := t.query(ctx, query, t.db.dialect.planEachCall(args)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// dealsByID reads deals by id, newest first.
func (t *tenantTx) dealsByID(ctx context.Context, ids []int64) ([]crm.Deal, error) {
	rows, err := t.query(ctx, `SELECT `+dealColumns+dealFrom+` WHERE d.account_id = ? AND d.id IN (`+placeholders(len(ids))+`)`,
		t.idArgs(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]crm.Deal, 0, len(ids))
	for rows.Next() {
		d, err := scanDeal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, rows.Err()
}

func (t *tenantTx) DealSearchExtras(ctx context.Context, ids []int64) (map[int64]crm.DealSearchExtra, error) {
	out := make(map[int64]crm.DealSearchExtra, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in := placeholders(len(ids))
	// The nearest open task of each deal: the first by due time, then id.
	rows, err := t.query(ctx, `SELECT tk.deal_id, tk.id, tk.text, tk.due_at, tk.user_id, tk.employee_id, tk.department_id FROM tasks tk
		WHERE tk.account_id = ? AND tk.success = ? AND tk.deal_id IN (`+in+`) ORDER BY tk.deal_id, tk.due_at, tk.id`,
		append([]any{t.accountID, false}, t.idArgs(ids)[1:]...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var dealID, due int64
		var task crm.DealSearchTask
		if err := rows.Scan(&dealID, &task.ID, &task.Text, &due, &task.UserID, &task.EmployeeID, &task.DepartmentID); err != nil {
			rows.Close()
			return nil, err
		}
		if x := out[dealID]; x.Task == nil {
			task.Time = fromUnix(due)
			x.Task = &task
			out[dealID] = x
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The latest comment entry of each deal (logs_entity serves the MAX).
	rows, err = t.query(ctx, `SELECT lg.entity_id, lg.data FROM logs lg WHERE lg.account_id = ? AND lg.entity_type = ? AND lg.type_id = ?
		AND lg.entity_id IN (`+in+`) AND lg.id = (SELECT MAX(l2.id) FROM logs l2 WHERE l2.account_id = lg.account_id
		AND l2.entity_type = lg.entity_type AND l2.entity_id = lg.entity_id AND l2.type_id = lg.type_id)`,
		append([]any{t.accountID, string(crm.EntityDeal), crm.LogDealComment}, t.idArgs(ids)[1:]...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var dealID int64
		var data string
		if err := rows.Scan(&dealID, &data); err != nil {
			rows.Close()
			return nil, err
		}
		x := out[dealID]
		x.LastComment = []byte(data)
		out[dealID] = x
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The latest linked lead's creation. CROSS JOIN keeps SQLite on the
	// links of the page's deals: left to choose, without statistics, it
	// walked every lead of the account and probed the links of each (6 s a
	// page at 100,000 deals). PostgreSQL plans it as the JOIN it means.
	rows, err = t.query(ctx, `SELECT ld.deal_id, MAX(l.created_at) FROM inbound_deals ld CROSS JOIN inbounds l
		WHERE l.id = ld.inbound_id AND l.account_id = ld.account_id AND ld.account_id = ? AND ld.deal_id IN (`+in+`) GROUP BY ld.deal_id`,
		t.idArgs(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var dealID int64
		var created sql.NullInt64
		if err := rows.Scan(&dealID, &created); err != nil {
			return nil, err
		}
		x := out[dealID]
		x.LeadCreatedAt = timeOf(created)
		out[dealID] = x
	}
	return out, rows.Err()
}

func (t *tenantTx) ClientsCompanies(ctx context.Context, clientIDs []int64) (map[int64][]crm.ClientCompany, error) {
	out := make(map[int64][]crm.ClientCompany, len(clientIDs))
	if len(clientIDs) == 0 {
		return out, nil
	}
	rows, err := t.query(ctx, `SELECT co.id, co.account_id, co.name, co.responsible_user_id, co.created_by, co.updated_by, co.created_at,
		co.updated_at, co.full_name, co.inn, co.kpp, co.ogrn, co.legal_address, co.postal_address, co.general_manager, co.bank_name,
		co.bik, co.payment_account, co.correspondent_account, l.client_id, l.is_primary
		FROM client_companies l JOIN companies co ON co.id = l.company_id AND co.account_id = l.account_id
		WHERE l.account_id = ? AND l.client_id IN (`+placeholders(len(clientIDs))+`) ORDER BY l.client_id, l.is_primary DESC, l.id`,
		t.idArgs(clientIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c crm.ClientCompany
		var created, updated int64
		d := &c.LegalDetails
		if err := rows.Scan(&c.ID, &c.AccountID, &c.Name, &c.ResponsibleUserID, &c.CreatedBy, &c.UpdatedBy, &created, &updated,
			&d.FullName, &d.INN, &d.KPP, &d.OGRN, &d.LegalAddress, &d.PostalAddress, &d.GeneralManager, &d.BankName,
			&d.BIK, &d.PaymentAccount, &d.CorrespondentAccount, &c.ClientID, &c.Primary); err != nil {
			return nil, err
		}
		c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
		out[c.ClientID] = append(out[c.ClientID], c)
	}
	return out, rows.Err()
}
