package crm

import (
	"context"
	"sort"
	"time"
)

// The reports dashboard (the web workspace's /reports, issue 16): five
// series an owner reads to see how sales go. They are computed here, not
// in a screen, so that every number is the same one the APIs give: the
// funnel is StageTotals (the board's column heads), a won deal is one on
// a StageWon stage, a manager is the responsible the custom statistics
// group by (ReportByResponsible), an overdue task is what Task.Overdue
// says, a lead's source is the source_name amoCRM's unsorted shows for it
// (its integration's, else its inbox type's).
//
// Dates are the days and months of the account's time zone: the caller
// names local dates and the boundaries are computed in that zone, so a
// day across a daylight-saving change is 23 or 25 hours long and still
// one bar.

// Dashboard limits.
const (
	// MaxDashboardDays is the longest date window, a year and a day: a
	// bar a day beyond that is unreadable and the query unbounded.
	MaxDashboardDays = 366
	// DashboardMonths is how many calendar months the won and lost chart
	// covers, ending with the month of the window's last day.
	DashboardMonths = 12
)

// DashboardQuery selects what the dashboard shows.
type DashboardQuery struct {
	// PipelineID is the deal pipeline of the funnel, the won and lost
	// months and the managers' deals; 0 is the primary pipeline.
	PipelineID int64
	// From and To are the window's first and last day (inclusive), as
	// dates of the account's time zone (the clock part is ignored). Zero
	// To is today; zero From is 29 days before To (30 days).
	From, To time.Time
}

// Dashboard is the dashboard's series.
type Dashboard struct {
	// Pipeline is the pipeline the deal series are of; Pipelines every
	// deal pipeline, for the picker.
	Pipeline  Pipeline
	Pipelines []Pipeline
	// From and To are the window's first and last day, at midnight in the
	// account's time zone.
	From, To time.Time
	// Sources are the names of the lead sources with at least one lead in
	// the window ("" for none), the most leads first; LeadDays has a count
	// per source for each day of the window.
	Sources  []string
	LeadDays []DashboardLeadDay
	// Funnel has one entry per stage of the pipeline, in stage order.
	Funnel []DashboardStage
	// Months are the DashboardMonths months ending with To's, oldest first.
	Months []DashboardMonth
	// Managers are the account's users and, when some deal or task has
	// nobody responsible, a row with UserID 0; in user order.
	Managers []DashboardManager
	// CustomersOff says the account has customers switched off (then
	// Customers is empty); Customers counts customers per status, in
	// status order, with statuses no customer has.
	CustomersOff bool
	Customers    []DashboardCustomerStatus
}

// DashboardLeadDay is one day of the leads chart.
type DashboardLeadDay struct {
	Day time.Time // midnight in the account's time zone
	// Counts has one entry per Dashboard.Sources.
	Counts []int64
}

// Total is the day's leads from every source.
func (d DashboardLeadDay) Total() int64 {
	var n int64
	for _, c := range d.Counts {
		n += c
	}
	return n
}

// DashboardStage is one stage of the funnel. Deals and PriceSum are what
// the stage holds now (StageTotals). Reached and ReachedSum are the deals
// that got at least this far: for the first stage every deal of the
// pipeline (a deal starts in it), for a later stage the deals on it or on
// a later stage that is not lost, for a lost stage its own deals. Share is
// Reached over the first stage's Reached (so the won stage's Share is the
// pipeline's win rate; 0 when the pipeline has no deal). StageShare is
// Deals over all of the pipeline's deals.
type DashboardStage struct {
	Stage      Stage
	Deals      int64
	PriceSum   int64
	Reached    int64
	ReachedSum int64
	Share      float64
	StageShare float64
}

// DashboardMonth is one month of the won and lost chart: the deals of the
// pipeline that reached a won or a lost stage in the month (their close
// time, Deal.ClosedAt) and are still there.
type DashboardMonth struct {
	Month           time.Time // the first day, midnight in the account's time zone
	Won, Lost       int64
	WonSum, LostSum int64
}

// DashboardManager is one user's results: the pipeline's deals they are
// responsible for that were won in the window (by close time) and that are
// open now (on a StageNew or StageInWork stage), and the tasks for them
// that are overdue now, of every pipeline and entity.
type DashboardManager struct {
	UserID        int64 // 0: nobody responsible
	Name          string
	Won, WonSum   int64
	Open, OpenSum int64
	OverdueTasks  int64
}

// DashboardCustomerStatus is how many customers have one status.
type DashboardCustomerStatus struct {
	Status    CustomerStatus
	Customers int64
}

// DashboardStore is the persistence of the dashboard: grouped counts over
// time buckets. Bounds are ascending instants; bucket i is
// [bounds[i], bounds[i+1]), so len(bounds)-1 buckets, and what lies outside
// them all is not counted.
type DashboardStore interface {
	// LeadsBySource counts inbound requests by creation bucket, inbox
	// type (Key) and amoCRM unsorted source name (Name, "" when the
	// request has none stored).
	LeadsBySource(ctx context.Context, bounds []time.Time) ([]BucketCount, error)
	// ClosedByMonth counts and sums the pipeline's closed deals by
	// close-time bucket and stage (Key).
	ClosedByMonth(ctx context.Context, pipelineID int64, bounds []time.Time) ([]BucketCount, error)
	// ManagerDeals counts and sums the pipeline's deals by responsible
	// (the employee, else the administrator): won with a close time in
	// [from, to) and open now.
	ManagerDeals(ctx context.Context, pipelineID int64, from, to time.Time) (won, open []BucketCount, err error)
	// OverdueTasksByResponsible counts the open tasks due before now by
	// responsible (the employee, else the administrator; 0 for a
	// department's).
	OverdueTasksByResponsible(ctx context.Context, now time.Time) ([]BucketCount, error)
	// CustomersByStatus counts the customers per status id.
	CustomersByStatus(ctx context.Context) ([]BucketCount, error)
}

// BucketCount is one group of a dashboard count: the bucket index (0 when
// the query has none), a key (an inbox type, a status, a user) and a name
// where the group has one, how many rows and the sum of their amounts.
type BucketCount struct {
	Bucket int
	Key    int64
	Name   string
	Count  int64
	Sum    int64
}

// Window returns the query's first and last day at midnight in loc,
// defaulted as DashboardQuery says; now is the current time. Errors:
// invalid (the last day before the first, a window over MaxDashboardDays).
func (q DashboardQuery) Window(now time.Time, loc *time.Location) (from, to time.Time, err error) {
	day := func(t time.Time) time.Time {
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	to = day(now.In(loc))
	if !q.To.IsZero() {
		to = day(q.To)
	}
	from = to.AddDate(0, 0, -29)
	if !q.From.IsZero() {
		from = day(q.From)
	}
	if to.Before(from) {
		return from, to, Errorf(KindInvalid, "The window ends (%s) before it starts (%s).", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	if n := daysBetween(from, to) + 1; n > MaxDashboardDays {
		return from, to, Errorf(KindInvalid, "The window is %d days long; the longest is %d.", n, MaxDashboardDays)
	}
	return from, to, nil
}

// daysBetween counts calendar days from a to b (both local midnights).
func daysBetween(a, b time.Time) int {
	n := 0
	for d := a; d.Before(b); d = d.AddDate(0, 0, 1) {
		n++
	}
	return n
}

// Dashboard computes the reports dashboard. Every user of the account may
// read it, as they may read every deal and task through the APIs. Errors:
// invalid (the window), not found (no deal pipeline has the id).
func (s *Service) Dashboard(ctx context.Context, actor Actor, q DashboardQuery) (Dashboard, error) {
	return read(ctx, s, actor, func(tx Tx) (Dashboard, error) {
		from, to, err := q.Window(tx.Now(), actor.Location())
		if err != nil {
			return Dashboard{}, err
		}
		out := Dashboard{From: from, To: to}
		if out.Pipelines, err = tx.Pipelines(ctx, PipelineDeal); err != nil {
			return out, err
		}
		if out.Pipeline, err = pickPipeline(out.Pipelines, q.PipelineID); err != nil {
			return out, err
		}
		if err := dashboardLeads(ctx, tx, &out); err != nil {
			return out, err
		}
		if err := dashboardFunnel(ctx, tx, &out); err != nil {
			return out, err
		}
		if err := dashboardMonths(ctx, tx, &out); err != nil {
			return out, err
		}
		if err := dashboardManagers(ctx, tx, &out); err != nil {
			return out, err
		}
		return out, dashboardCustomers(ctx, tx, &out)
	})
}

// pickPipeline is the pipeline of id among the deal pipelines, or the
// primary one (the first when none is marked) for 0. An account without
// deal pipelines gets the zero Pipeline for 0.
func pickPipeline(list []Pipeline, id int64) (Pipeline, error) {
	if id == 0 {
		for _, p := range list {
			if p.Primary {
				return p, nil
			}
		}
		if len(list) > 0 {
			return list[0], nil
		}
		return Pipeline{}, nil
	}
	for _, p := range list {
		if p.ID == id {
			return p, nil
		}
	}
	return Pipeline{}, Errorf(KindNotFound, "Pipeline not found")
}

func dashboardLeads(ctx context.Context, tx Tx, out *Dashboard) error {
	var bounds []time.Time
	for d := out.From; !d.After(out.To); d = d.AddDate(0, 0, 1) {
		bounds = append(bounds, d)
	}
	bounds = append(bounds, out.To.AddDate(0, 0, 1))
	counts, err := tx.LeadsBySource(ctx, bounds)
	if err != nil {
		return err
	}
	types, err := tx.InboxTypes(ctx)
	if err != nil {
		return err
	}
	inbox := make(map[int64]string, len(types))
	for _, t := range types {
		inbox[t.ID] = t.Name
	}
	// A lead's source is what amoCRM's unsorted shows as its source_name:
	// the one its integration gave, else its inbox type's name
	// (DefaultUnsortedSource).
	source := func(c BucketCount) string {
		if c.Name != "" {
			return c.Name
		}
		return inbox[c.Key]
	}
	totals := map[string]int64{}
	for _, c := range counts {
		totals[source(c)] += c.Count
	}
	for name := range totals {
		out.Sources = append(out.Sources, name)
	}
	// The biggest source first, at the foot of each stacked bar.
	sort.Slice(out.Sources, func(i, j int) bool {
		a, b := out.Sources[i], out.Sources[j]
		if totals[a] != totals[b] {
			return totals[a] > totals[b]
		}
		return a < b
	})
	index := make(map[string]int, len(out.Sources))
	for i, name := range out.Sources {
		index[name] = i
	}
	out.LeadDays = make([]DashboardLeadDay, len(bounds)-1)
	for i := range out.LeadDays {
		out.LeadDays[i] = DashboardLeadDay{Day: bounds[i], Counts: make([]int64, len(out.Sources))}
	}
	for _, c := range counts {
		if c.Bucket >= 0 && c.Bucket < len(out.LeadDays) {
			out.LeadDays[c.Bucket].Counts[index[source(c)]] += c.Count
		}
	}
	return nil
}

func dashboardFunnel(ctx context.Context, tx Tx, out *Dashboard) error {
	p := out.Pipeline
	if p.ID == 0 {
		return nil
	}
	kept, err := tx.StageTotals(ctx, p.ID)
	if err != nil {
		return err
	}
	byStage := make(map[int64]StageTotal, len(kept))
	var all int64
	for _, t := range kept {
		byStage[t.StageID] = t
		all += t.Deals
	}
	out.Funnel = make([]DashboardStage, len(p.Stages))
	for i, st := range p.Stages {
		t := byStage[st.ID]
		out.Funnel[i] = DashboardStage{Stage: st, Deals: t.Deals, PriceSum: t.PriceSum}
		if all > 0 {
			out.Funnel[i].StageShare = float64(t.Deals) / float64(all)
		}
	}
	// Reached: this stage's deals and those of every later stage that is
	// not lost; a lost stage is reached by its own deals only, and the
	// first stage by every deal.
	var later, laterSum int64
	for i := len(out.Funnel) - 1; i >= 0; i-- {
		f := &out.Funnel[i]
		if f.Stage.Status == StageLost {
			f.Reached, f.ReachedSum = f.Deals, f.PriceSum
			continue
		}
		later += f.Deals
		laterSum += f.PriceSum
		f.Reached, f.ReachedSum = later, laterSum
	}
	if len(out.Funnel) > 0 {
		var sum int64
		for _, t := range kept {
			sum += t.PriceSum
		}
		out.Funnel[0].Reached, out.Funnel[0].ReachedSum = all, sum
	}
	if len(out.Funnel) > 0 && out.Funnel[0].Reached > 0 {
		first := float64(out.Funnel[0].Reached)
		for i := range out.Funnel {
			out.Funnel[i].Share = float64(out.Funnel[i].Reached) / first
		}
	}
	return nil
}

func dashboardMonths(ctx context.Context, tx Tx, out *Dashboard) error {
	loc := out.To.Location()
	last := time.Date(out.To.Year(), out.To.Month(), 1, 0, 0, 0, 0, loc)
	bounds := make([]time.Time, DashboardMonths+1)
	for i := range bounds {
		bounds[i] = last.AddDate(0, i-DashboardMonths+1, 0)
	}
	out.Months = make([]DashboardMonth, DashboardMonths)
	for i := range out.Months {
		out.Months[i].Month = bounds[i]
	}
	if out.Pipeline.ID == 0 {
		return nil
	}
	counts, err := tx.ClosedByMonth(ctx, out.Pipeline.ID, bounds)
	if err != nil {
		return err
	}
	status := make(map[int64]StageStatus, len(out.Pipeline.Stages))
	for _, st := range out.Pipeline.Stages {
		status[st.ID] = st.Status
	}
	for _, c := range counts {
		if c.Bucket < 0 || c.Bucket >= len(out.Months) {
			continue
		}
		m := &out.Months[c.Bucket]
		switch status[c.Key] {
		case StageWon:
			m.Won += c.Count
			m.WonSum += c.Sum
		case StageLost:
			m.Lost += c.Count
			m.LostSum += c.Sum
		}
	}
	return nil
}

func dashboardManagers(ctx context.Context, tx Tx, out *Dashboard) error {
	users, err := tx.Users(ctx)
	if err != nil {
		return err
	}
	out.Managers = make([]DashboardManager, 0, len(users)+1)
	for _, u := range users {
		out.Managers = append(out.Managers, DashboardManager{UserID: u.ID, Name: u.Name})
	}
	var won, open []BucketCount
	if out.Pipeline.ID != 0 {
		if won, open, err = tx.ManagerDeals(ctx, out.Pipeline.ID, out.From, out.To.AddDate(0, 0, 1)); err != nil {
			return err
		}
	}
	overdue, err := tx.OverdueTasksByResponsible(ctx, tx.Now())
	if err != nil {
		return err
	}
	// A key that is no user (nobody, a department, a user since removed)
	// counts under "nobody", a row made only when something is in it.
	index := make(map[int64]int, len(users)+1)
	for i, u := range users {
		index[u.ID] = i
	}
	row := func(id int64) *DashboardManager {
		i, ok := index[id]
		if !ok {
			if i, ok = index[0]; !ok {
				i = len(out.Managers)
				index[0] = i
				out.Managers = append(out.Managers, DashboardManager{})
			}
		}
		return &out.Managers[i]
	}
	for _, c := range won {
		r := row(c.Key)
		r.Won += c.Count
		r.WonSum += c.Sum
	}
	for _, c := range open {
		r := row(c.Key)
		r.Open += c.Count
		r.OpenSum += c.Sum
	}
	for _, c := range overdue {
		row(c.Key).OverdueTasks += c.Count
	}
	return nil
}

func dashboardCustomers(ctx context.Context, tx Tx, out *Dashboard) error {
	a, err := tx.Account(ctx)
	if err != nil {
		return err
	}
	if a.CustomersMode == CustomersDisabled || a.CustomersMode == "" {
		out.CustomersOff = true
		return nil
	}
	statuses, err := tx.CustomerStatuses(ctx)
	if err != nil {
		return err
	}
	counts, err := tx.CustomersByStatus(ctx)
	if err != nil {
		return err
	}
	byStatus := map[int64]int64{}
	for _, c := range counts {
		byStatus[c.Key] += c.Count
	}
	for _, st := range statuses {
		out.Customers = append(out.Customers, DashboardCustomerStatus{Status: st, Customers: byStatus[st.ID]})
		delete(byStatus, st.ID)
	}
	// Customers of a status that is no longer listed still count.
	var rest []int64
	for id := range byStatus {
		rest = append(rest, id)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i] < rest[j] })
	for _, id := range rest {
		out.Customers = append(out.Customers, DashboardCustomerStatus{Status: CustomerStatus{ID: id}, Customers: byStatus[id]})
	}
	return nil
}
