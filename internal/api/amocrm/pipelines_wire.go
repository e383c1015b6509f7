package amocrm

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Lead pipelines and statuses (companion §6) are crmd's deal pipelines and
// stages, the same records Envybox shows in main/data and UIS as sales
// funnels. How the records look here:
//
//   - The won stage (2003) is status 142 and the lost stage (2004) status 143
//     in every pipeline, as in amoCRM; 142/143 in paths and bodies address the
//     pipeline's won/lost stage, and their own ids are not used here (the
//     store never gives out stage ids 142 and 143, so no open stage has them).
//     They show amoCRM's sorts 10000 and 11000 (crmd keeps them at
//     crm.WonPosition and crm.LostPosition, after every open stage, and does
//     not move them).
//   - Type 1 "unsorted": the pipeline's first stage with status 2001 ("new") is
//     the unsorted status while the pipeline has is_unsorted_on; every other
//     stage is a regular status (type 0). A pipeline created here with
//     is_unsorted_on gets such a stage first ("Неразобранное", #c1c1c1);
//     turning is_unsorted_on on later shows one only if the pipeline has a
//     2001 stage. Every status added here is an open "in work" stage (2002).
//   - is_editable is false for the unsorted status, 142 and 143, as amoCRM
//     shows them; crmd still lets administrators rename and recolour them
//     (Envybox and UIS can), so writes are not refused for it.
//   - Colours: stages made through Envybox keep CSS "rgb(r, g, b)" strings,
//     shown here as "#rrggbb". Colours written here must be in the palette
//     (§6, the same list as customer statuses: crm.StatusColors) and are
//     stored as given; a status added without one gets the first palette
//     colour. The system colours (#c1c1c1, #CCFF66, #D5D8DB) are set by crmd
//     for pipelines created here.
//   - Descriptions: crmd keeps none. with=descriptions answers
//     "descriptions": [] on every status, and so does POST's answer; a
//     non-empty descriptions array in a write is refused (FieldNotExpected)
//     rather than silently dropped.

// The amoCRM ids of the won and lost status in every pipeline (§6).
const (
	wonStatusID  = 142
	lostStatusID = 143
)

// The system statuses' sorts, colours and the unsorted status' name (§6).
const (
	wonStatusSort     = 10000
	lostStatusSort    = 11000
	unsortedName      = "Неразобранное"
	unsortedColor     = "#c1c1c1"
	wonStatusColor    = "#CCFF66"
	lostStatusColor   = "#D5D8DB"
	statusTypeRegular = 0
	statusTypeUnsort  = 1
	// maxStatuses is §6's limit of statuses per pipeline, system ones included.
	maxStatuses = 100
)

func pipelinePath(id int64) string { return "/api/v4/leads/pipelines/" + strconv.FormatInt(id, 10) }

func leadStatusPath(pipelineID, statusID int64) string {
	return pipelinePath(pipelineID) + "/statuses/" + strconv.FormatInt(statusID, 10)
}

// pipelineJSON is §6's pipeline model, key for key.
type pipelineJSON struct {
	ID           int64            `json:"id"`
	Name         string           `json:"name"`
	Sort         int              `json:"sort"`
	IsMain       bool             `json:"is_main"`
	IsUnsortedOn bool             `json:"is_unsorted_on"`
	IsArchive    bool             `json:"is_archive"`
	AccountID    int64            `json:"account_id"`
	RequestID    string           `json:"request_id,omitempty"`
	Links        selfLinks        `json:"_links"`
	Embedded     pipelineEmbedded `json:"_embedded"`
}

type pipelineEmbedded struct {
	Statuses []leadStatusJSON `json:"statuses"`
}

// leadStatusJSON is §6's status model; descriptions only when asked for.
type leadStatusJSON struct {
	ID           int64       `json:"id"`
	Name         string      `json:"name"`
	Sort         int         `json:"sort"`
	IsEditable   bool        `json:"is_editable"`
	PipelineID   int64       `json:"pipeline_id"`
	Color        string      `json:"color"`
	Type         int         `json:"type"`
	AccountID    int64       `json:"account_id"`
	RequestID    string      `json:"request_id,omitempty"`
	Descriptions *[]struct{} `json:"descriptions,omitempty"`
	Links        selfLinks   `json:"_links"`
}

// unsortedStage is the id of the stage shown as the unsorted status (the
// first 2001 stage while is_unsorted_on), or 0.
func unsortedStage(p crm.Pipeline) int64 {
	if !p.UnsortedOn {
		return 0
	}
	if st, ok := p.StageByStatus(crm.StageNew); ok {
		return st.ID
	}
	return 0
}

// statusWireID is the id a stage has here: 142/143 for won/lost, else its own.
func statusWireID(st crm.Stage) int64 {
	switch st.Status {
	case crm.StageWon:
		return wonStatusID
	case crm.StageLost:
		return lostStatusID
	}
	return st.ID
}

// stageByWireID finds the stage a status id names in p: 142/143 are its
// won/lost stage; other ids name open stages only.
func stageByWireID(p crm.Pipeline, id int64) (crm.Stage, bool) {
	switch id {
	case wonStatusID:
		return p.StageByStatus(crm.StageWon)
	case lostStatusID:
		return p.StageByStatus(crm.StageLost)
	}
	st, ok := p.StageByID(id)
	if !ok || st.Status.Closing() {
		return crm.Stage{}, false
	}
	return st, true
}

func toLeadStatusJSON(r *http.Request, p crm.Pipeline, st crm.Stage, descriptions bool) leadStatusJSON {
	out := leadStatusJSON{ID: statusWireID(st), Name: st.Name, Sort: st.Position, IsEditable: true, PipelineID: p.ID,
		Color: wireColor(st.Color), Type: statusTypeRegular, AccountID: st.AccountID}
	switch {
	case st.Status == crm.StageWon:
		out.Sort, out.IsEditable = wonStatusSort, false
	case st.Status == crm.StageLost:
		out.Sort, out.IsEditable = lostStatusSort, false
	case st.ID == unsortedStage(p):
		out.Type, out.IsEditable = statusTypeUnsort, false
	}
	if descriptions {
		out.Descriptions = &[]struct{}{}
	}
	out.Links = selfLink(r, leadStatusPath(p.ID, out.ID))
	return out
}

func toPipelineJSON(r *http.Request, p crm.Pipeline) pipelineJSON {
	statuses := make([]leadStatusJSON, len(p.Stages))
	for i, st := range p.Stages {
		statuses[i] = toLeadStatusJSON(r, p, st, false)
	}
	return pipelineJSON{ID: p.ID, Name: p.Name, Sort: p.Sort, IsMain: p.Primary, IsUnsortedOn: p.UnsortedOn,
		AccountID: p.AccountID, Links: selfLink(r, pipelinePath(p.ID)), Embedded: pipelineEmbedded{Statuses: statuses}}
}

var rgbColor = regexp.MustCompile(`^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[0-9.]+\s*)?\)$`)

// wireColor shows a stored colour as amoCRM's hex: "rgb(35, 148, 254)" (as
// Envybox writes it) becomes "#2394fe"; anything else is shown as stored.
func wireColor(c string) string {
	m := rgbColor.FindStringSubmatch(strings.TrimSpace(c))
	if m == nil {
		return c
	}
	var rgb [3]int
	for i := range rgb {
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > 255 {
			return c
		}
		rgb[i] = n
	}
	return fmt.Sprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2])
}

// checkColor records a violation when a written colour is not in the palette.
func checkColor(errs *[]crm.Violation, item int, path string, c *string) {
	if c == nil {
		return
	}
	for _, p := range crm.StatusColors {
		if p == *c {
			return
		}
	}
	*errs = append(*errs, crm.Violation{Item: item, Path: path, Code: crm.ViolationChoice,
		Detail: "The value you selected is not a valid choice."})
}

// noDescriptions accepts an absent or empty descriptions array and refuses
// a non-empty one: crmd keeps no status descriptions.
func noDescriptions(rd reader, key string) {
	a, ok := rd.array(key)
	if ok && len(a) > 0 {
		*rd.errs = append(*rd.errs, crm.Violation{Item: rd.item, Path: rd.path(key), Code: crm.ViolationUnexpected,
			Detail: "crmd keeps no status descriptions."})
	}
}

// withDescriptions reports whether the query asks for with=descriptions.
func withDescriptions(r *http.Request) bool {
	for _, w := range strings.Split(r.URL.Query().Get("with"), ",") {
		if strings.TrimSpace(w) == "descriptions" {
			return true
		}
	}
	return false
}

// requireField records FieldMissing when the key is absent or null.
func requireField(rd reader, key string) {
	if !rd.has(key) {
		*rd.errs = append(*rd.errs, crm.Violation{Item: rd.item, Path: rd.path(key), Code: crm.ViolationRequired,
			Detail: "This field is missing."})
	}
}

// renamePaths rewrites the paths of the domain's violations with rename
// (for example its "order" to amoCRM's "sort"), keeping request ids.
func renamePaths(err error, requestIDs []string, rename func(item int, path string) string) error {
	e, ok := crm.AsError(err)
	if !ok || len(e.Violations) == 0 {
		return withItems(err, requestIDs)
	}
	renamed := *e
	renamed.Violations = make([]crm.Violation, len(e.Violations))
	for i, v := range e.Violations {
		v.Path = rename(v.Item, v.Path)
		renamed.Violations[i] = v
	}
	return withItems(&renamed, requestIDs)
}

// statusPathName is a stage field's name here: the domain's order is sort.
func statusPathName(path string) string {
	if path == "order" {
		return "sort"
	}
	if strings.HasSuffix(path, ".order") {
		return strings.TrimSuffix(path, "order") + "sort"
	}
	return path
}
