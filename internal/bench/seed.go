package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/store"
)

// Dataset is what Seed made: the credentials to reach it and the ids and
// values the scenarios pick their requests from.
type Dataset struct {
	AccountID int64
	Creds     auth.AccountCredentials
	// Password is the main account administrator's (Creds.UserID), with
	// which the page scenarios sign in to the web workspace.
	Password string
	TimeZone string // the account's, in which Envybox reads dates
	// Counts of seeded rows by kind ("deals", "clients", …).
	Counts map[string]int
	// Rows is the total number of rows written by the bulk path.
	Rows    int
	Elapsed time.Duration

	DealIDs, ClientIDs, LeadIDs, CustomerIDs []int64
	StatusIDs, SegmentIDs                    []int64
	Stages                                   []crm.Stage // of every deal pipeline
	// BoardPipeline is the deal pipeline holding the most seeded deals
	// (the deals go round every stage of every pipeline, so the one with
	// the most stages), BoardDeals how many: the board scenarios show it.
	BoardPipeline int64
	BoardDeals    int
	UserIDs       []int64
	// SourceField is the deals' select field and SourceEnums its options;
	// BudgetField their numeric field (every second deal).
	SourceField, BudgetField int64
	SourceEnums              []int64
	// Surnames are the clients' surnames: each is a keyword matching about
	// 1/len of the deals.
	Surnames []string
	// Segments is the second account, in segments mode (amoCRM's modes
	// exclude each other): customers with segments, no deals.
	Segments *Dataset
	// FirstDeal and LastDeal bound the deals' creation times.
	FirstDeal, LastDeal time.Time
}

// Synthetic names: small pools combined, so keywords match a known share.
var (
	firstNames = []string{"Иван", "Пётр", "Анна", "Мария", "Олег", "Сергей", "Елена", "Ольга", "Дмитрий", "Наталья",
		"Алексей", "Татьяна", "Андрей", "Ирина", "Максим", "Светлана", "Никита", "Юлия", "Павел", "Ксения"}
	surnames = []string{"Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов",
		"Волков", "Алексеев"}
	products = []string{"Поставка мебели", "Ремонт офиса", "Оптовый заказ", "Доставка", "Монтаж", "Консультация", "Подписка"}
	sources  = []string{"Сайт", "Звонок", "Выставка", "Рекомендация", "Яндекс.Директ", "Google Ads", "Email", "Партнёр"}
	tagNames = []string{"VIP", "Повторный", "Опт", "Розница", "Срочно", "Москва", "Регион", "Тендер", "Скидка", "Новый", "B2B", "B2C"}
)

// SeedShape is how many of each record Seed makes per deal; the defaults
// (DefaultShape) describe a small sales team's CRM after a few years.
type SeedShape struct {
	ClientsPerDeal   float64 // clients (amoCRM contacts) per deal
	LeadsPerDeal     float64 // Envybox leads per deal; half of them became deals
	CustomersPerDeal float64 // amoCRM customers per deal
	Transactions     int     // purchases per customer
	TaskEvery        int     // one deal in TaskEvery has a task
	TagEvery         int     // one deal in TagEvery has tags
	Span             time.Duration
}

// DefaultShape: two deals per client, one lead per two deals, one customer
// per ten deals with three purchases, a task on every fourth deal, tags on
// every fifth, all spread over three years up to now.
var DefaultShape = SeedShape{ClientsPerDeal: 0.5, LeadsPerDeal: 0.5, CustomersPerDeal: 0.1, Transactions: 3, TaskEvery: 4, TagEvery: 5,
	Span: 3 * 365 * 24 * time.Hour}

// seedBatch is the number of deals (and their dependants) per bulk
// transaction: big enough that statements dominate, small enough that one
// transaction's WAL stays modest.
const seedBatch = 10_000

// Seed creates an account on db and fills it with deals deals and their
// clients, contact data, leads, customers, transactions, custom field
// values, tags, tasks and stage history through the store's bulk path.
// The account and its reference data (users, pipelines, fields, tags,
// segments) are made through the service, as a user would.
func Seed(ctx context.Context, db *store.DB, deals int, shape SeedShape, progress func(string)) (*Dataset, error) {
	if progress == nil {
		progress = func(string) {}
	}
	start := time.Now()
	ds, actor, err := seedReference(ctx, db, "Bench", crm.CustomersPeriodicity)
	if err != nil {
		return nil, fmt.Errorf("reference data: %w", err)
	}
	// The page scenarios sign in as a browser would, with a password.
	a, err := auth.New(ctx, db)
	if err != nil {
		return nil, err
	}
	if err := a.SetPassword(ctx, ds.Creds.UserID, benchPassword); err != nil {
		return nil, fmt.Errorf("administrator's password: %w", err)
	}
	ds.Password = benchPassword
	s := &seeder{db: db, ds: ds, actor: actor, shape: shape, now: time.Now().UTC().Truncate(time.Second)}
	ds.LastDeal = s.now
	ds.FirstDeal = s.now.Add(-shape.Span)
	steps := []struct {
		name string
		fn   func(ctx context.Context, n int) error
		n    int
	}{
		{"clients", s.clients, max(1, int(float64(deals)*shape.ClientsPerDeal))},
		{"deals", s.deals, deals},
		{"leads", s.leads, int(float64(deals) * shape.LeadsPerDeal)},
		{"customers", s.customers, int(float64(deals) * shape.CustomersPerDeal)},
	}
	for _, st := range steps {
		t := time.Now()
		if err := st.fn(ctx, st.n); err != nil {
			return nil, fmt.Errorf("seed %s: %w", st.name, err)
		}
		progress(fmt.Sprintf("seeded %d %s in %s", st.n, st.name, time.Since(t).Round(time.Millisecond)))
	}
	// amoCRM accounts keep customers either by periodicity (statuses) or
	// by segments, never both: the segments scenarios get an account of
	// their own with as many customers, and no clients or deals.
	t := time.Now()
	seg, segActor, err := seedReference(ctx, db, "Bench segments", crm.CustomersSegments)
	if err != nil {
		return nil, fmt.Errorf("segments account: %w", err)
	}
	ss := &seeder{db: db, ds: seg, actor: segActor, shape: shape, now: s.now}
	if err := ss.customers(ctx, int(float64(deals)*shape.CustomersPerDeal)); err != nil {
		return nil, fmt.Errorf("seed segment customers: %w", err)
	}
	ds.Segments = seg
	for k, n := range seg.Counts {
		ds.Counts["segments account "+k] = n
	}
	progress(fmt.Sprintf("seeded the segments account in %s", time.Since(t).Round(time.Millisecond)))
	// PostgreSQL's autovacuum gathers statistics after a load; the seed
	// does it at once. crmd never runs ANALYZE on SQLite, so neither does
	// the seed: the benchmark plans as a user's database would.
	if db.Dialect() == "postgres" {
		t = time.Now()
		if err := db.Analyze(ctx); err != nil {
			return nil, fmt.Errorf("analyze: %w", err)
		}
		progress(fmt.Sprintf("analyzed in %s", time.Since(t).Round(time.Millisecond)))
	}
	for _, st := range ds.Stages { // in pipeline order: a tie keeps the first
		if n := s.perPipeline[st.PipelineID]; n > ds.BoardDeals {
			ds.BoardPipeline, ds.BoardDeals = st.PipelineID, n
		}
	}
	for _, n := range ds.Counts {
		ds.Rows += n
	}
	ds.Elapsed = time.Since(start)
	return ds, nil
}

// seedReference makes an account in a customers mode and what its records
// refer to: users, departments, a second deal pipeline, custom fields, and
// customer statuses (periodicity mode) or segments (segments mode).
func seedReference(ctx context.Context, db *store.DB, name string, mode crm.CustomersMode) (*Dataset, crm.Actor, error) {
	a, err := auth.New(ctx, db)
	if err != nil {
		return nil, crm.Actor{}, err
	}
	creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: name})
	if err != nil {
		return nil, crm.Actor{}, err
	}
	actor := crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin, TimeZone: crm.DefaultTimeZone}
	ds := &Dataset{AccountID: creds.AccountID, Creds: creds, TimeZone: crm.DefaultTimeZone, Counts: map[string]int{}, UserIDs: []int64{creds.UserID}, Surnames: surnames}
	for i := range 9 {
		u, err := a.CreateUser(ctx, crm.NewUser{AccountID: creds.AccountID, Name: firstNames[i], Role: crm.RoleMember})
		if err != nil {
			return nil, actor, err
		}
		ds.UserIDs = append(ds.UserIDs, u.UserID)
	}
	svc := crm.NewService(db)
	for _, name := range []string{"Продажи", "Опт", "Сервис"} {
		if _, err := svc.AddDepartment(ctx, actor, name); err != nil {
			return nil, actor, err
		}
	}
	if _, err := svc.CreatePipeline(ctx, actor, crm.NewPipeline{Name: "Повторные продажи", AllowManualStageChange: true, Stages: []crm.NewStage{
		{Name: "Новая", Status: crm.StageNew}, {Name: "Переговоры", Status: crm.StageInWork, Position: 1},
		{Name: "Счёт выставлен", Status: crm.StageInWork, Position: 2},
		{Name: "Успешно реализована", Status: crm.StageWon}, {Name: "Не реализована", Status: crm.StageLost}}}); err != nil {
		return nil, actor, err
	}
	pipelines, err := svc.DealPipelines(ctx, actor)
	if err != nil {
		return nil, actor, err
	}
	for _, p := range pipelines {
		ds.Stages = append(ds.Stages, p.Stages...)
	}
	ptr := func(s string) *string { return &s }
	enums := make([]crm.EnumInput, len(sources))
	for i, s := range sources {
		enums[i] = crm.EnumInput{Value: s}
	}
	fields, err := svc.AddCustomFields(ctx, actor, crm.EntityDeal, []crm.NewCustomField{
		{Name: ptr("Источник"), Type: crm.FieldSelect, Enums: enums}, {Name: ptr("Бюджет"), Type: crm.FieldNumeric}})
	if err != nil {
		return nil, actor, err
	}
	ds.SourceField, ds.BudgetField = fields[0].ID, fields[1].ID
	for _, e := range fields[0].Enums {
		ds.SourceEnums = append(ds.SourceEnums, e.ID)
	}
	if _, err := svc.AddCustomFields(ctx, actor, crm.EntityContact, []crm.NewCustomField{{Name: ptr("Город"), Type: crm.FieldText}}); err != nil {
		return nil, actor, err
	}
	if _, err := svc.AddCustomFields(ctx, actor, crm.EntityCustomer, []crm.NewCustomField{{Name: ptr("Канал"), Type: crm.FieldText}}); err != nil {
		return nil, actor, err
	}
	if err := svc.SetCustomersMode(ctx, actor, mode, true); err != nil {
		return nil, actor, err
	}
	if mode == crm.CustomersPeriodicity {
		statuses, err := svc.CustomerStatuses(ctx, actor)
		if err != nil {
			return nil, actor, err
		}
		for _, st := range statuses {
			ds.StatusIDs = append(ds.StatusIDs, st.ID)
		}
		return ds, actor, nil
	}
	for i := range 20 {
		seg, err := svc.AddSegment(ctx, actor, crm.NewSegment{Name: ptr(fmt.Sprintf("Сегмент %d", i+1)), Color: &crm.SegmentColors[i%len(crm.SegmentColors)]})
		if err != nil {
			return nil, actor, err
		}
		ds.SegmentIDs = append(ds.SegmentIDs, seg.ID)
	}
	return ds, actor, nil
}

// seeder carries the state of one Seed between its steps.
type seeder struct {
	db    *store.DB
	ds    *Dataset
	actor crm.Actor
	shape SeedShape
	now   time.Time
	tags  []int64
	// perPipeline counts the deals seeded into each pipeline.
	perPipeline map[int64]int
}

// at spreads i of n evenly over the span up to now, oldest first.
func (s *seeder) at(i, n int) time.Time {
	if n <= 1 {
		return s.now
	}
	return s.now.Add(-s.shape.Span + time.Duration(float64(s.shape.Span)*float64(i)/float64(n-1))).Truncate(time.Second)
}

// batches calls fn with [from, to) ranges of n, each in its own bulk
// transaction.
func (s *seeder) batches(ctx context.Context, n int, fn func(b *store.Bulk, from, to int) error) error {
	for k, from := 1, 0; from < n; k, from = k+1, from+seedBatch {
		to := min(n, from+seedBatch)
		err := s.db.Bulk(ctx, s.ds.AccountID, func(b *store.Bulk) error {
			if err := fn(b, from, to); err != nil {
				return err
			}
			// Statistics as of batches 1, 2, 4, 8 … keep the planner's
			// picture of the growing tables close at a logarithmic cost
			// (see store.Bulk.Analyze).
			if k&(k-1) == 0 {
				return b.Analyze()
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) count(kind string, n int) { s.ds.Counts[kind] += n }

// phoneOf is client i's phone; leads of a client share it.
func phoneOf(i int) string { return fmt.Sprintf("7900%07d", i) }

func (s *seeder) clients(ctx context.Context, n int) error {
	return s.batches(ctx, n, func(b *store.Bulk, from, to int) error {
		cs := make([]crm.Contact, 0, to-from)
		for i := from; i < to; i++ {
			first, last := firstNames[i%len(firstNames)], surnames[i%len(surnames)]
			at := s.at(i, n)
			cs = append(cs, crm.Contact{Name: first + " " + last, FirstName: first, LastName: last, ResponsibleUserID: s.ds.UserIDs[i%len(s.ds.UserIDs)],
				CreatedBy: s.actor.UserID, UpdatedBy: s.actor.UserID, CreatedAt: at, UpdatedAt: at})
		}
		if err := b.Contacts(cs); err != nil {
			return err
		}
		data := make([]crm.ContactData, 0, (to-from)*4/3+1)
		for k, c := range cs {
			i := from + k
			s.ds.ClientIDs = append(s.ds.ClientIDs, c.ID)
			data = append(data, crm.ContactData{OwnerType: crm.EntityContact, OwnerID: c.ID, Kind: "phone", Value: phoneOf(i), Primary: true,
				CreatedAt: c.CreatedAt})
			if i%3 == 0 {
				data = append(data, crm.ContactData{OwnerType: crm.EntityContact, OwnerID: c.ID, Kind: "email",
					Value: fmt.Sprintf("client%d@example.com", i), Primary: true, CreatedAt: c.CreatedAt})
			}
		}
		s.count("clients", len(cs))
		s.count("contact data", len(data))
		return b.ContactData(data)
	})
}

func (s *seeder) deals(ctx context.Context, n int) error {
	if s.tags == nil {
		err := s.db.Update(ctx, s.ds.AccountID, func(tx crm.Tx) error {
			for _, name := range tagNames {
				t, err := tx.EnsureTag(ctx, name)
				if err != nil {
					return err
				}
				s.tags = append(s.tags, t.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if s.perPipeline == nil {
		s.perPipeline = map[int64]int{}
	}
	clients := s.ds.ClientIDs
	return s.batches(ctx, n, func(b *store.Bulk, from, to int) error {
		deals := make([]crm.Deal, 0, to-from)
		var tasks []crm.Task
		for i := from; i < to; i++ {
			st := s.ds.Stages[i%len(s.ds.Stages)]
			at := s.at(i, n)
			d := crm.Deal{Name: fmt.Sprintf("%s %d", products[i%len(products)], i), ClientID: clients[i*len(clients)/n], Price: int64(i%50+1) * 1000,
				PipelineID: st.PipelineID, StageID: st.ID, InboxTypeID: 0, StageUpdatedAt: at, CreatedAt: at, UpdatedAt: at,
				Responsible: crm.Responsible{UserID: s.actor.UserID, EmployeeID: s.ds.UserIDs[i%len(s.ds.UserIDs)]}}
			if st.Status == crm.StageWon || st.Status == crm.StageLost {
				d.ClosedAt = at
			}
			if s.shape.TaskEvery > 0 && i%s.shape.TaskEvery == 0 {
				// Half the tasks are done; an open one is due a week after
				// the deal was made, so old deals have overdue tasks.
				task := crm.Task{TypeID: 1, Text: "Перезвонить клиенту", Time: at.Add(7 * 24 * time.Hour), UserID: s.actor.UserID,
					Assignee: crm.TaskAssignee{EmployeeID: d.EmployeeID}, CreatedAt: at, UpdatedAt: at}
				if i%(2*s.shape.TaskEvery) == 0 {
					task.Success, task.CompletedAt = true, at.Add(24*time.Hour)
				} else {
					d.ClosestTaskAt, d.WithEvent = task.Time, true
				}
				tasks = append(tasks, task)
			}
			deals = append(deals, d)
			s.perPipeline[d.PipelineID]++
		}
		if err := b.Deals(deals); err != nil {
			return err
		}
		history := make([]store.StageEntry, 0, len(deals))
		values := make([]store.ServiceValue, 0, len(deals))
		fields := make([]store.FieldValue, 0, len(deals)*3/2)
		var tags []store.EntityTag
		taskAt := 0
		for k := range deals {
			d, i := &deals[k], from+k
			s.ds.DealIDs = append(s.ds.DealIDs, d.ID)
			history = append(history, store.StageEntry{DealID: d.ID, StageID: d.StageID, At: d.CreatedAt})
			values = append(values, store.ServiceValue{Entity: crm.EntityDeal, EntityID: d.ID, FieldID: dealNameField, Value: d.Name, At: d.CreatedAt})
			enum := s.ds.SourceEnums[i%len(s.ds.SourceEnums)]
			fields = append(fields, store.FieldValue{Entity: crm.EntityDeal, EntityID: d.ID, FieldID: s.ds.SourceField,
				Value: crm.Value{Text: sources[i%len(sources)], EnumID: enum}})
			if i%2 == 0 {
				fields = append(fields, store.FieldValue{Entity: crm.EntityDeal, EntityID: d.ID, FieldID: s.ds.BudgetField,
					Value: crm.Value{Text: fmt.Sprint(10_000 + (i*7919)%990_000)}})
			}
			if s.shape.TagEvery > 0 && i%s.shape.TagEvery == 0 {
				tags = append(tags, store.EntityTag{Entity: crm.EntityDeal, EntityID: d.ID, TagID: s.tags[i%len(s.tags)]})
				if i%(2*s.shape.TagEvery) == 0 {
					tags = append(tags, store.EntityTag{Entity: crm.EntityDeal, EntityID: d.ID, TagID: s.tags[(i/7+1)%len(s.tags)], Position: 1})
				}
			}
			if s.shape.TaskEvery > 0 && i%s.shape.TaskEvery == 0 {
				tasks[taskAt].DealID = d.ID
				taskAt++
			}
		}
		// Two tags of one deal could coincide; the key forbids that.
		tags = dedupeTags(tags)
		s.count("deals", len(deals))
		s.count("stage history", len(history))
		s.count("service values", len(values))
		s.count("field values", len(fields))
		s.count("tags", len(tags))
		s.count("tasks", len(tasks))
		for _, step := range []func() error{
			func() error { return b.StageHistory(history) },
			func() error { return b.ServiceValues(values) },
			func() error { return b.FieldValues(fields) },
			func() error { return b.EntityTags(tags) },
			func() error { return b.Tasks(tasks) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}

func dedupeTags(tags []store.EntityTag) []store.EntityTag {
	out := tags[:0]
	for i, t := range tags {
		if i > 0 && t.Position == 1 && tags[i-1].EntityID == t.EntityID && tags[i-1].TagID == t.TagID {
			continue
		}
		out = append(out, t)
	}
	return out
}

// leads are Envybox inbound requests: lead i came from client i (same
// phone); every second one was taken to work and became a deal of that
// client's, the rest wait in the inbound pipeline's first stage.
func (s *seeder) leads(ctx context.Context, n int) error {
	ref, err := crm.NewService(s.db).Reference(ctx, s.actor)
	if err != nil {
		return err
	}
	if len(ref.InboundPipelines) == 0 || len(ref.InboundPipelines[0].Stages) == 0 || len(ref.DealPipelines) == 0 {
		return fmt.Errorf("the account has no inbound or deal pipeline")
	}
	inbound, deal := ref.InboundPipelines[0], ref.DealPipelines[0]
	var inboxType int64
	if len(ref.InboxTypes) > 0 {
		inboxType = ref.InboxTypes[0].ID
	}
	clients, deals := s.ds.ClientIDs, s.ds.DealIDs
	return s.batches(ctx, n, func(b *store.Bulk, from, to int) error {
		ls := make([]crm.Inbound, 0, to-from)
		for i := from; i < to; i++ {
			ci := i % len(clients)
			at := s.at(i, n)
			l := crm.Inbound{PipelineID: inbound.ID, StageID: inbound.Stages[0].ID, DealPipelineID: deal.ID, DealStageID: deal.Stages[0].ID,
				Responsible: crm.Responsible{UserID: s.actor.UserID, EmployeeID: s.ds.UserIDs[i%len(s.ds.UserIDs)]}, InboxTypeID: inboxType,
				ClientID: clients[ci], Name: firstNames[ci%len(firstNames)] + " " + surnames[ci%len(surnames)], Phone: phoneOf(ci),
				CreatedAt: at, UpdatedAt: at, StageUpdatedAt: at}
			if i%2 == 0 {
				l.ClosedAt = at.Add(time.Hour)
			}
			ls = append(ls, l)
		}
		if err := b.Inbounds(ls); err != nil {
			return err
		}
		var links []store.InboundDeal
		for k, l := range ls {
			s.ds.LeadIDs = append(s.ds.LeadIDs, l.ID)
			if i := from + k; i%2 == 0 && len(deals) > 0 {
				links = append(links, store.InboundDeal{InboundID: l.ID, DealID: deals[i%len(deals)]})
			}
		}
		s.count("leads", len(ls))
		s.count("lead links", len(links))
		return b.InboundDeals(links)
	})
}

// customers are amoCRM customers: each has a main contact, purchases on
// monthly dates before now with LTV and averages to match, a status and,
// for one in three, a segment.
func (s *seeder) customers(ctx context.Context, n int) error {
	clients := s.ds.ClientIDs
	per := s.shape.Transactions
	return s.batches(ctx, n, func(b *store.Bulk, from, to int) error {
		cs := make([]crm.Customer, 0, to-from)
		for i := from; i < to; i++ {
			at := s.at(i, n)
			c := crm.Customer{Name: fmt.Sprintf("Покупатель %s %d", surnames[i%len(surnames)], i), NextPrice: int64(1000 + i%50*100),
				NextDate: at.Add(30 * 24 * time.Hour), ResponsibleUserID: s.ds.UserIDs[i%len(s.ds.UserIDs)],
				CreatedBy: s.actor.UserID, UpdatedBy: s.actor.UserID, CreatedAt: at, UpdatedAt: at}
			for k := range per {
				price := int64(500 + (i+k)%20*250)
				c.LTV += price
				c.PurchasesCount++
				c.LastPurchaseAt = at.Add(time.Duration(k) * 24 * time.Hour)
			}
			if len(s.ds.StatusIDs) > 0 {
				c.StatusID = s.ds.StatusIDs[i%len(s.ds.StatusIDs)]
			}
			if per > 0 {
				c.AverageCheck = c.LTV / int64(per)
			}
			cs = append(cs, c)
		}
		if err := b.Customers(cs); err != nil {
			return err
		}
		trs := make([]crm.Transaction, 0, len(cs)*per)
		links := make([]store.CustomerContact, 0, len(cs))
		var segs []store.CustomerSegment
		for k, c := range cs {
			i := from + k
			s.ds.CustomerIDs = append(s.ds.CustomerIDs, c.ID)
			for t := range per {
				done := c.CreatedAt.Add(time.Duration(t) * 24 * time.Hour)
				trs = append(trs, crm.Transaction{CustomerID: c.ID, Price: int64(500 + (i+t)%20*250), Comment: "Покупка", CompletedAt: done,
					CreatedBy: s.actor.UserID, UpdatedBy: s.actor.UserID, CreatedAt: done, UpdatedAt: done})
			}
			if len(clients) > 0 {
				links = append(links, store.CustomerContact{CustomerID: c.ID, ContactID: clients[i%len(clients)], IsMain: true})
			}
			if len(s.ds.SegmentIDs) > 0 && i%3 == 0 {
				segs = append(segs, store.CustomerSegment{CustomerID: c.ID, SegmentID: s.ds.SegmentIDs[i%len(s.ds.SegmentIDs)]})
			}
		}
		s.count("customers", len(cs))
		s.count("transactions", len(trs))
		s.count("customer contacts", len(links))
		s.count("customer segments", len(segs))
		if err := b.Transactions(trs); err != nil {
			return err
		}
		if err := b.CustomerContacts(links); err != nil {
			return err
		}
		return b.CustomerSegments(segs)
	})
}

// benchPassword is the main account administrator's password: the
// benchmark's database is its own, thrown away after the run.
const benchPassword = "crmdbench-password"

// dealNameField is the deal's "name" service field (crm.ServiceFields),
// which a deal made through the service also carries as a value.
const dealNameField = 2001
