package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// The deal board and table (/deals).
//
// The board shows one pipeline, a column per stage. An unfiltered column's
// count and sum come from the totals the store keeps as deals are written
// (crm.StageTotal), so they are exact at any size and cost one indexed
// read; a filtered column counts its matches. Each column renders its
// first cardsPerColumn cards and a "show more" button fetches the next
// ones as an HTML fragment (/deals/column); unfiltered, only those cards
// are read (crm.Service.DealPage), not the ids of the stage's other deals.
// The table shows every pipeline or one, a page at a time, with the count
// of what the filters match (one pipeline unfiltered: its kept totals).
// Board and table share one filter, kept in the URL.

// cardsPerColumn is how many cards a column renders at first and per
// "show more": past about 200 cards on a screen boards start to lag.
const cardsPerColumn = 50

// tableRows is the table view's page size.
const tableRows = 50

// countCap is where a filtered count stops being exact on screen: "10,000+".
const countCap = 10000

// boardFilter is the board's and table's state, all of it in the URL.
type boardFilter struct {
	PipelineID int64 // 0: all pipelines (the table only)
	Table      bool
	// Responsible is a user id, "none" or "" (anyone).
	Responsible string
	TagID       int64
	Keyword     string
	// From and To bound the creation day (YYYY-MM-DD, the account's zone).
	From, To string
	Offset   int
}

// Filtered reports whether any filter narrows the deals.
func (f boardFilter) Filtered() bool {
	return f.Responsible != "" || f.TagID != 0 || f.Keyword != "" || f.From != "" || f.To != ""
}

// Query is the filter as a URL query, with the given keys replaced (pairs
// of key and value; an empty value drops the key). It is a template.URL:
// html/template would otherwise escape its "&" and "=" after the "?" of a
// link, as it escapes any plain string put into a URL's query.
func (f boardFilter) Query(kv ...string) template.URL {
	q := url.Values{}
	if f.PipelineID != 0 {
		q.Set("pipeline", strconv.FormatInt(f.PipelineID, 10))
	} else if f.Table {
		q.Set("pipeline", "all")
	}
	if f.Table {
		q.Set("view", "table")
	}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("responsible", f.Responsible)
	if f.TagID != 0 {
		q.Set("tag", strconv.FormatInt(f.TagID, 10))
	}
	set("q", f.Keyword)
	set("from", f.From)
	set("to", f.To)
	if f.Table && f.Offset > 0 {
		q.Set("offset", strconv.Itoa(f.Offset))
	}
	return template.URL(replaceQuery(q, kv...))
}

// parseBoardFilter reads the filter from the query string. Values that do
// not parse are errors, not silently dropped: the user should see that
// the board is not showing what the address asks for.
func parseBoardFilter(v *view, q url.Values) (boardFilter, error) {
	var f boardFilter
	f.Table = q.Get("view") == "table"
	switch p := q.Get("pipeline"); p {
	case "":
	case "all":
		f.Table = true
	default:
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return f, crm.Errorf(crm.KindInvalid, "%s", v.T("board.bad_filter", "pipeline"))
		}
		f.PipelineID = id
	}
	if r := q.Get("responsible"); r != "" {
		if _, err := strconv.ParseInt(r, 10, 64); err != nil && r != "none" {
			return f, crm.Errorf(crm.KindInvalid, "%s", v.T("board.bad_filter", "responsible"))
		}
		f.Responsible = r
	}
	if t := q.Get("tag"); t != "" {
		id, err := strconv.ParseInt(t, 10, 64)
		if err != nil || id <= 0 {
			return f, crm.Errorf(crm.KindInvalid, "%s", v.T("board.bad_filter", "tag"))
		}
		f.TagID = id
	}
	f.Keyword = strings.TrimSpace(q.Get("q"))
	for _, d := range []struct {
		key string
		to  *string
	}{{"from", &f.From}, {"to", &f.To}} {
		s := strings.TrimSpace(q.Get(d.key))
		if s == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return f, crm.Errorf(crm.KindInvalid, "%s", v.T("board.bad_filter", d.key))
		}
		*d.to = s
	}
	var err error
	f.Offset, err = queryOffset(v, q, "board.bad_filter", "offset")
	return f, err
}

// countedFilter is dealFilter for a page that shows its total and never
// the ids of the matches (the board, its columns, the table), and of each
// match only what a card or a table row shows (brief rows).
func (f boardFilter) countedFilter(stageIDs []int64, limit, offset int) crm.DealFilter {
	df := f.dealFilter(stageIDs, limit, offset)
	df.NoIDs, df.Brief = true, true
	return df
}

// dealFilter is the domain search the filter asks for, over the stages
// given (all of the pipeline's, or all pipelines' when none).
func (f boardFilter) dealFilter(stageIDs []int64, limit, offset int) crm.DealFilter {
	df := crm.DealFilter{Keyword: f.Keyword, StageIDs: stageIDs, Limit: limit, Offset: offset}
	if f.PipelineID != 0 {
		df.PipelineIDs = []int64{f.PipelineID}
	}
	switch f.Responsible {
	case "":
	case "none":
		df.UserIDs = []int64{crm.NoResponsible}
	default:
		id, _ := strconv.ParseInt(f.Responsible, 10, 64)
		df.UserIDs = []int64{id}
	}
	if f.TagID != 0 {
		df.TagIDs = []int64{f.TagID}
	}
	if f.From != "" || f.To != "" {
		p := crm.DatePeriod{Type: crm.DatePeriodRange, Start: f.From, End: f.To}
		switch {
		case f.From == "":
			p = crm.DatePeriod{Type: crm.DateEarlierThan, Start: f.To}
		case f.To == "":
			p = crm.DatePeriod{Type: crm.DateLaterThan, Start: f.From}
		}
		df.Dates = []crm.DateFilter{{Select: crm.SelectCreated, Period: p}}
	}
	return df
}

// boardColumn is one stage's column.
type boardColumn struct {
	Stage crm.Stage
	Count int
	// Capped says Count stopped at countCap.
	Capped bool
	Sum    int64
	// HasSum is false for a filtered column, whose sum is not kept.
	HasSum bool
	Cards  []boardCard
	// CardsHTML is Cards written out (renderCards).
	CardsHTML template.HTML
	// NextOffset is where "show more" continues; Remaining how many are
	// left after the cards shown.
	NextOffset int
	Remaining  int
	// Closed marks won and lost stages, drawn as narrow strips.
	Closed bool
}

// boardData is the board's and table's content.
type boardData struct {
	Filter    boardFilter
	Pipelines []crm.Pipeline
	Pipeline  crm.Pipeline
	Stages    []crm.Stage // every stage a deal of the page may move to
	Chrome    cardChrome
	Users     []crm.User
	Tags      []crm.DictionaryTag
	Columns   []boardColumn
	// The table view.
	Rows       []crm.DealSearchRow
	RowsHTML   template.HTML // Rows written out (renderTableRows)
	Total      int
	TotalSum   int64
	HasSum     bool
	FirstRow   int
	LastRow    int
	PrevOffset int
	NextOffset int
	HasPrev    bool
	HasNext    bool
	StageNames map[int64]string
	PipeNames  map[int64]string
}

func (h *handler) board(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	v.Section, v.Title = "deals", v.T("nav.deals")
	f, err := parseBoardFilter(v, r.URL.Query())
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	data := boardData{Filter: f, StageNames: map[int64]string{}, PipeNames: map[int64]string{}}
	if data.Pipelines, err = h.svc.DealPipelines(ctx, v.Actor); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if len(data.Pipelines) == 0 {
		h.render(w, r, http.StatusOK, "board", v, data)
		return
	}
	for _, p := range data.Pipelines {
		data.PipeNames[p.ID] = p.Name
		for _, s := range p.Stages {
			data.StageNames[s.ID] = s.Name
		}
	}
	if f.PipelineID == 0 && !f.Table {
		f.PipelineID = data.Pipelines[0].ID
		for _, p := range data.Pipelines {
			if p.Primary {
				f.PipelineID = p.ID
				break
			}
		}
		data.Filter = f
	}
	if f.PipelineID != 0 {
		found := false
		for _, p := range data.Pipelines {
			if p.ID == f.PipelineID {
				data.Pipeline, found = p, true
			}
		}
		if !found {
			h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("board.no_pipeline")))
			return
		}
		data.Stages = data.Pipeline.Stages
		data.Chrome = newCardChrome(v, f, data.Stages)
	}
	if data.Users, err = h.svc.AccountUsers(ctx, v.Actor); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if data.Tags, _, err = h.svc.DictionaryTags(ctx, v.Actor, crm.EntityDeal, crm.TagQuery{Limit: 250}); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if f.Table {
		err = h.fillTable(r, v, &data)
	} else {
		err = h.fillBoard(r, v, &data)
	}
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "board", v, data)
}

func (h *handler) fillBoard(r *http.Request, v *view, data *boardData) error {
	ctx := r.Context()
	f := data.Filter
	var totals map[int64]crm.StageTotal
	if !f.Filtered() {
		list, err := h.svc.StageTotals(ctx, v.Actor, f.PipelineID)
		if err != nil {
			return err
		}
		totals = make(map[int64]crm.StageTotal, len(list))
		for _, t := range list {
			totals[t.StageID] = t
		}
	}
	var filtered []crm.DealSearchPage
	if totals == nil {
		// Every column in one read: the filter resolved once and the
		// cards' details read together.
		ids := make([]int64, len(data.Pipeline.Stages))
		for i, s := range data.Pipeline.Stages {
			ids[i] = s.ID
		}
		var err error
		if filtered, err = h.svc.FilterDealColumns(ctx, v.Actor, f.countedFilter(nil, cardsPerColumn, 0), ids); err != nil {
			return err
		}
	}
	for i, s := range data.Pipeline.Stages {
		col := boardColumn{Stage: s, Closed: s.Status == crm.StageWon || s.Status == crm.StageLost}
		if totals != nil {
			// The count is kept: only the cards shown are read.
			cards, err := h.svc.DealPage(ctx, v.Actor, crm.DealPageQuery{StageID: s.ID, Limit: cardsPerColumn, Brief: true})
			if err != nil {
				return err
			}
			t := totals[s.ID]
			col.Cards, col.Count, col.Sum, col.HasSum = boardCards(v, cards), int(t.Deals), t.PriceSum, true
		} else {
			col.Cards, col.Count = boardCards(v, filtered[i].Rows), filtered[i].Total
		}
		if col.Count > countCap && f.Filtered() {
			col.Capped = true
		}
		col.NextOffset = len(col.Cards)
		col.CardsHTML = renderCards(col.Cards, data.Chrome)
		col.Remaining = max(0, col.Count-len(col.Cards))
		data.Columns = append(data.Columns, col)
	}
	return nil
}

func (h *handler) fillTable(r *http.Request, v *view, data *boardData) error {
	ctx := r.Context()
	f := data.Filter
	if f.PipelineID != 0 && !f.Filtered() {
		// One pipeline unfiltered: the count and sum are the kept totals
		// of its stages, and only the page's rows are read.
		list, err := h.svc.StageTotals(ctx, v.Actor, f.PipelineID)
		if err != nil {
			return err
		}
		for _, t := range list {
			data.Total += int(t.Deals)
			data.TotalSum += t.PriceSum
		}
		data.HasSum = true
		if data.Rows, err = h.svc.DealPage(ctx, v.Actor, crm.DealPageQuery{PipelineID: f.PipelineID, Limit: tableRows, Offset: f.Offset, Brief: true}); err != nil {
			return err
		}
	} else {
		page, err := h.svc.FilterDeals(ctx, v.Actor, f.countedFilter(nil, tableRows, f.Offset))
		if err != nil {
			return err
		}
		data.Rows, data.Total = page.Rows, page.Total
	}
	data.RowsHTML = renderTableRows(v, data)
	data.FirstRow, data.LastRow = f.Offset+1, f.Offset+len(data.Rows)
	data.HasPrev, data.PrevOffset = f.Offset > 0, max(0, f.Offset-tableRows)
	data.HasNext, data.NextOffset = data.LastRow < data.Total, f.Offset+tableRows
	return nil
}

// boardCard is a deal as its card shows it, prepared in Go: the template
// reads plain fields and calls nothing. Reading the search row's embedded
// structs and formatting through template calls took half a board's time
// at 250 cards.
type boardCard struct {
	ID, StageID, Price int64
	Name, Client       string
	// PriceText is "" for a deal without a budget.
	PriceText string
	// TaskText is the next task ("Dec 4, 10:00 · Call"), "" when none.
	TaskText string
	Overdue  bool
	// Stale says how long nobody touched the deal, "" when recently.
	Stale string
	Tags  []string
}

func boardCards(v *view, rows []crm.DealSearchRow) []boardCard {
	out := make([]boardCard, len(rows))
	for i, r := range rows {
		c := boardCard{ID: r.ID, StageID: r.StageID, Price: r.Price, Name: r.Name, Client: r.Client.Name}
		if r.Price != 0 {
			c.PriceText = v.Money(r.Price)
		}
		if r.Task != nil {
			c.TaskText, c.Overdue = v.Time(r.Task.Time)+" · "+r.Task.Text, r.Task.Overdue
		}
		if days := v.StaleDays(r.UpdatedAt); days > 0 {
			c.Stale = v.T("board.stale", days)
		}
		for _, t := range r.Tags {
			c.Tags = append(c.Tags, t.Name)
		}
		out[i] = c
	}
	return out
}

// cardChrome is what every card of a page shares: the move menu's
// options, where a move without the script comes back to, and the labels.
type cardChrome struct {
	// Options are the move menu's <option>s with each stage selected, by
	// the selected stage's id: made once a page, not once a card (250
	// cards × a pipeline's stages were a quarter of the board's time).
	Options              map[int64]template.HTML
	Back                 string
	NoTask, MoveTo, Move string
}

func newCardChrome(v *view, f boardFilter, stages []crm.Stage) cardChrome {
	c := cardChrome{Options: make(map[int64]template.HTML, len(stages)), Back: "/deals?" + string(f.Query()),
		NoTask: v.T("board.no_task"), MoveTo: v.T("board.move_to"), Move: v.T("board.move")}
	for _, selected := range stages {
		var b strings.Builder
		for _, s := range stages {
			fmt.Fprintf(&b, `<option value="%d"`, s.ID)
			if s.ID == selected.ID {
				b.WriteString(" selected")
			}
			b.WriteString(">" + template.HTMLEscapeString(s.Name) + "</option>")
		}
		c.Options[selected.ID] = template.HTML(b.String())
	}
	return c
}

// columnData is one column's next cards, for "show more".
type columnData struct {
	Filter     boardFilter
	Stage      crm.Stage
	Stages     []crm.Stage
	Cards      []boardCard
	CardsHTML  template.HTML // Cards written out (renderCards)
	Chrome     cardChrome
	NextOffset int
	Remaining  int
}

// boardColumn answers "show more": the column's next cards as an HTML
// fragment for the page's script, or the whole board without it.
func (h *handler) boardColumn(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	q := r.URL.Query()
	f, err := parseBoardFilter(v, q)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	stageID, err := strconv.ParseInt(q.Get("stage"), 10, 64)
	if err != nil || f.PipelineID == 0 {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("board.bad_filter", "stage")))
		return
	}
	p, err := h.svc.DealPipeline(ctx, v.Actor, f.PipelineID)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	stage, ok := p.StageByID(stageID)
	if !ok {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("board.no_stage")))
		return
	}
	offset := f.Offset
	var cards []crm.DealSearchRow
	var total int
	if f.Filtered() {
		page, err := h.svc.FilterDeals(ctx, v.Actor, f.countedFilter([]int64{stageID}, cardsPerColumn, offset))
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		cards, total = page.Rows, page.Total
	} else {
		// As on the board: the stage's kept count, and its next cards alone.
		totals, err := h.svc.StageTotals(ctx, v.Actor, p.ID)
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		for _, t := range totals {
			if t.StageID == stageID {
				total = int(t.Deals)
			}
		}
		if cards, err = h.svc.DealPage(ctx, v.Actor, crm.DealPageQuery{StageID: stageID, Limit: cardsPerColumn, Offset: offset, Brief: true}); err != nil {
			h.renderError(w, r, v, err)
			return
		}
	}
	data := columnData{Filter: f, Stage: stage, Stages: p.Stages, Cards: boardCards(v, cards), NextOffset: offset + len(cards),
		Chrome: newCardChrome(v, f, p.Stages)}
	data.Remaining = max(0, total-data.NextOffset)
	data.CardsHTML = renderCards(data.Cards, data.Chrome)
	h.renderFragment(w, r, "board", "more-cards", v, data)
}

// moveDeal moves a deal to another stage of its pipeline: from a drop on
// the board (the script asks for JSON) or from the card's "move to"
// select (a form, answered with a redirect back).
func (h *handler) moveDeal(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	id, err := pathID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	stageID, err := strconv.ParseInt(r.PostFormValue("stage_id"), 10, 64)
	if err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("board.bad_filter", "stage_id")))
		return
	}
	if err := h.svc.ChangeDealStage(ctx, v.Actor, id, 0, stageID, v.Actor.AsResponsible()); err != nil {
		h.renderError(w, r, v, stageError(v, err))
		return
	}
	if isFetch(r) {
		fam, err := h.svc.Deal(ctx, v.Actor, id, false)
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "stage_id": fam.Deal.StageID,
			"message": v.T("board.moved", fam.Deal.Name, fam.Deal.Stage.Name)})
		return
	}
	back := safeNext(r.PostFormValue("back"))
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// stageError words the stage-change errors that carry only a code.
func stageError(v *view, err error) error {
	var key string
	switch {
	case crm.CodeOf(err) == crm.CodeStageChangeLocked:
		key = "board.stage_locked"
	case crm.CodeOf(err) == crm.CodeStageNotFound:
		key = "board.no_stage"
	case crm.CodeOf(err) == crm.CodeDealNotFound:
		key = "deal.not_found"
	default:
		return err
	}
	return crm.Errorf(crm.KindOf(err), "%s", v.T(key))
}

// pathID is the record id in the path ({id}).
func pathID(r *http.Request, v *view) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.Errorf(crm.KindNotFound, "%s", v.T("error.bad_id"))
	}
	return id, nil
}

var boardMessages = catalog{
	"board.bad_filter":   {"The filter %q has a value that is not understood.", "Фильтр %q задан неверно."},
	"board.no_pipeline":  {"No such pipeline.", "Такой воронки нет."},
	"board.no_stage":     {"No such stage in the deal's pipeline.", "В воронке сделки нет такого этапа."},
	"board.stage_locked": {"This pipeline does not allow changing stages by hand.", "В этой воронке нельзя менять этапы вручную."},
	"board.moved":        {"Deal “%s” moved to “%s”.", "Сделка «%s» перенесена на этап «%s»."},
	"board.move_failed":  {"The deal was not moved: %s", "Сделка не перенесена: %s"},
	"board.view_board":   {"Board", "Канбан"},
	"board.view_table":   {"Table", "Таблица"},
	"board.all":          {"All pipelines", "Все воронки"},
	"board.filters":      {"Filters", "Фильтры"},
	"board.keyword":      {"Name, phone, email", "Название, телефон, email"},
	"board.any_tag":      {"Any tag", "Любой тег"},
	"board.created_from": {"Created from", "Создана с"},
	"board.created_to":   {"Created to", "Создана по"},
	"board.deals_count":  {"%s deals", "Сделок: %s"},
	"board.show_more":    {"Show more (%s)", "Показать ещё (%s)"},
	"board.move_to":      {"Move to stage", "Перенести на этап"},
	"board.move":         {"Move", "Перенести"},
	"board.no_task":      {"No task", "Нет задачи"},
	"board.empty":        {"No deals.", "Сделок нет."},
	"board.no_pipelines": {"The account has no deal pipelines yet.", "В аккаунте пока нет воронок сделок."},
	"board.total":        {"Total: %s deals", "Всего сделок: %s"},
	"board.total_sum":    {"Total: %s deals, %s", "Всего сделок: %s на сумму %s"},
	"board.drag_hint":    {"Drag a card to another column, or use its “Move to stage” menu.", "Перетащите карточку в другую колонку или выберите этап в её меню."},
	"board.stale":        {"Untouched for %d days", "Без изменений %d дн."},
	"board.stage_of":     {"Stage of %s", "Этап сделки %s"},
}
