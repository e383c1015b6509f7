package crm

import (
	"context"
	"strconv"
	"time"
)

// PipelineKind says what moves through a pipeline.
type PipelineKind string

// The pipeline kinds.
const (
	// PipelineDeal: deals (amoCRM lead pipelines, UIS sales funnels).
	PipelineDeal PipelineKind = "deal"
	// PipelineInbound: inbound requests (Envybox's lead pipeline).
	PipelineInbound PipelineKind = "inbound"
)

// StageStatus is what reaching a stage means. Deal stages use Envybox's
// codes; the inbound pipeline has its own three.
type StageStatus int

// The stage statuses.
const (
	StageNew              StageStatus = 2001 // a deal that nobody works on yet
	StageInWork           StageStatus = 2002 // open
	StageWon              StageStatus = 2003 // closed, successfully realised
	StageLost             StageStatus = 2004 // closed, not realised
	InboundNew            StageStatus = 1    // "Новый": not taken to work
	InboundNewClient      StageStatus = 2    // "Новый клиент": taken to work, a new client
	InboundExistingClient StageStatus = 3    // "Существующий клиент": taken to work, a known client
)

// Closing reports whether reaching the stage closes what is in it.
func (s StageStatus) Closing() bool {
	return s == StageWon || s == StageLost || s == InboundNewClient || s == InboundExistingClient
}

// ValidDealStatus reports whether s is a deal stage status.
func ValidDealStatus(s StageStatus) bool { return s >= StageNew && s <= StageLost }

// Pipeline is an ordered set of stages deals or inbound requests move through.
type Pipeline struct {
	ID        int64
	AccountID int64
	Kind      PipelineKind
	Name      string
	// AllowManualStageChange must be on for a deal's stage to be changed
	// through the API (Envybox "Разрешить менять статусы вручную").
	AllowManualStageChange bool
	// Primary marks the account's default pipeline of its kind.
	Primary bool
	// ExtID is the caller's key (UIS ext_id); empty means the id as a string.
	ExtID string
	// Sort orders pipelines (amoCRM sort).
	Sort int
	// UnsortedOn is amoCRM's is_unsorted_on.
	UnsortedOn bool
	Stages     []Stage // by position
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Stage is one step of a pipeline.
type Stage struct {
	ID         int64
	AccountID  int64
	PipelineID int64
	Status     StageStatus
	Name       string
	// Position orders the stages of a pipeline: UIS stage_order, amoCRM
	// status sort and Envybox position are all this one number.
	Position int
	// ExtID is the caller's key (UIS ext_id); empty means the id as a string.
	ExtID string
	// Color is a CSS colour as Envybox writes it: "rgb(35, 148, 254)".
	Color string
	// NoDelete marks the stages a pipeline cannot lose.
	NoDelete  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FirstStage is the pipeline's first stage (by position).
func (p Pipeline) FirstStage() Stage {
	if len(p.Stages) == 0 {
		return Stage{}
	}
	return p.Stages[0]
}

// StageByID finds a stage of the pipeline.
func (p Pipeline) StageByID(id int64) (Stage, bool) {
	for _, s := range p.Stages {
		if s.ID == id {
			return s, true
		}
	}
	return Stage{}, false
}

// StageByStatus finds the first stage of the pipeline with status st.
func (p Pipeline) StageByStatus(st StageStatus) (Stage, bool) {
	for _, s := range p.Stages {
		if s.Status == st {
			return s, true
		}
	}
	return Stage{}, false
}

// defaultPipelines are created with every account: the deal pipeline and
// the inbound (lead) pipeline with its three stages (Envybox §1.6).
func defaultPipelines() []Pipeline {
	return []Pipeline{
		{Kind: PipelineDeal, Name: "Основная воронка", AllowManualStageChange: true, Primary: true, Stages: []Stage{
			{Status: StageNew, Name: "Новая", Position: 0, Color: "rgb(35, 148, 254)", NoDelete: true},
			{Status: StageInWork, Name: "В работе", Position: 1, Color: "rgb(199, 238, 30)"},
			{Status: StageWon, Name: "Успешно реализована", Position: WonPosition, Color: "rgb(76, 175, 80)", NoDelete: true},
			{Status: StageLost, Name: "Не реализована", Position: LostPosition, Color: "rgb(244, 67, 54)", NoDelete: true},
		}},
		{Kind: PipelineInbound, Name: "Стартовая", Primary: true, Stages: []Stage{
			{Status: InboundNew, Name: "Новый", Position: 0, Color: "rgb(35, 148, 254)", NoDelete: true},
			{Status: InboundNewClient, Name: "Новый клиент", Position: 1, Color: "rgb(139, 195, 74)", NoDelete: true},
			{Status: InboundExistingClient, Name: "Существующий клиент", Position: 2, Color: "rgb(249,146,203)", NoDelete: true},
		}},
	}
}

// InboxType is a channel inbound requests and deals come from.
type InboxType struct {
	ID        int64
	AccountID int64
	Name      string
	// Type is Envybox's type code (1 for the built-in "added manually").
	Type      int
	Editable  bool
	IsDefault bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Department is a group of users that can be responsible for a deal.
type Department struct {
	ID        int64
	AccountID int64
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Responsible names who is responsible for an inbound request, deal or task:
// the administrator (UserID, with EmployeeID 0), an employee (a member user,
// EmployeeID; Envybox wants UserID given too), a department, or nobody.
type Responsible struct {
	UserID       int64
	EmployeeID   int64
	DepartmentID int64
}

// Key is the pipeline's external key: its ExtID, or its id as a string.
func (p Pipeline) Key() string {
	if p.ExtID != "" {
		return p.ExtID
	}
	return strconv.FormatInt(p.ID, 10)
}

// Key is the stage's external key: its ExtID, or its id as a string.
func (s Stage) Key() string {
	if s.ExtID != "" {
		return s.ExtID
	}
	return strconv.FormatInt(s.ID, 10)
}

// PipelineStore keeps pipelines with their stages, and the inbox types
// deals and leads arrive through.
type PipelineStore interface {
	InsertInboxType(ctx context.Context, t *InboxType) error
	InboxTypes(ctx context.Context) ([]InboxType, error)
	// InsertPipeline stores p and its stages, setting their ids.
	InsertPipeline(ctx context.Context, p *Pipeline) error
	// Pipelines returns the pipelines of a kind with their stages.
	Pipelines(ctx context.Context, kind PipelineKind) ([]Pipeline, error)
	// AllPipelines returns the pipelines of every kind with their stages,
	// in the order Pipelines returns those of one kind (two queries where
	// a Pipelines call per kind is two each).
	AllPipelines(ctx context.Context) ([]Pipeline, error)
	Pipeline(ctx context.Context, id int64) (Pipeline, error)
	Stage(ctx context.Context, id int64) (Stage, error)
	UpdatePipeline(ctx context.Context, p *Pipeline) error
	// DeletePipeline deletes a pipeline with its stages.
	DeletePipeline(ctx context.Context, id int64) error
	InsertStage(ctx context.Context, s *Stage) error
	UpdateStage(ctx context.Context, s *Stage) error
	DeleteStage(ctx context.Context, id int64) error
	// CountDealsIn counts the deals of a pipeline and/or stage (0: any).
	CountDealsIn(ctx context.Context, pipelineID, stageID int64) (int, error)
	// CountInboundsFor counts the inbound requests in a pipeline or bound
	// for it as their deal pipeline.
	CountInboundsFor(ctx context.Context, pipelineID int64) (int, error)
	// MoveDeals moves every deal of a stage to another stage.
	MoveDeals(ctx context.Context, fromStage int64, to Stage) error
}
