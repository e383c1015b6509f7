package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/ratelimit"
)

// The request limits page (/settings/limits): per dialect, the limits in
// force for the account, each window's default beside it, and a form that
// sets them by the rules of `crmd limits set` (ratelimit.Limiter.SetLimits):
// a whole number, 0 for no limit, or empty for the dialect's default.

// limitWindow is one window of one dialect as the form shows it.
type limitWindow struct {
	Key     string // per-second, per-minute, per-day: the form field
	Label   string
	Value   int64 // in force
	Default int64
	// Own says the account overrides the default; Input is the field's
	// text (empty: the default).
	Own   bool
	Input string
	// Now and DefaultText say the limit in force and the default in words.
	Now, DefaultText string
}

// limitDialect is one dialect's part of the page.
type limitDialect struct {
	Name    string
	Title   string
	Windows []limitWindow
}

// limitsData is the limits page's content.
type limitsData struct {
	Dialects []limitDialect
	Enforced bool
	// Saved names the dialect just saved; Error and ErrorDialect a refusal.
	Saved        string
	Error        string
	ErrorDialect string
}

// limitDialectTitles are the dialects as users know them.
var limitDialectTitles = map[string]string{"amocrm": "amoCRM", "envybox": "Envybox", "uis": "UIS"}

func (h *handler) limitsPage(w http.ResponseWriter, r *http.Request, v *view) {
	data := limitsData{}
	if d := r.URL.Query().Get("saved"); limitDialectTitles[d] != "" {
		data.Saved = v.T("limits.saved", limitDialectTitles[d])
	}
	h.renderLimits(w, r, v, http.StatusOK, data, nil)
}

// renderLimits renders the page; typed, when not nil, is what a refused
// form was sent with (dialect, then window to text), kept in its fields.
func (h *handler) renderLimits(w http.ResponseWriter, r *http.Request, v *view, status int, data limitsData, typed map[string]string) {
	if h.limits == nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("limits.unavailable")))
		return
	}
	data.Enforced = h.limitsOn
	for _, d := range h.limits.DialectPolicies() {
		stored, err := h.limits.Stored(r.Context(), v.Actor.AccountID, d.Name)
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		in := stored.Override.Apply(d.Defaults)
		ld := limitDialect{Name: d.Name, Title: limitDialectTitles[d.Name]}
		if ld.Title == "" {
			ld.Title = d.Name
		}
		for _, f := range []struct {
			key, label  string
			own         *int64
			value, dflt int64
		}{
			{"per-second", "limits.per_second", stored.Override.PerSecond, in.PerSecond, d.Defaults.PerSecond},
			{"per-minute", "limits.per_minute", stored.Override.PerMinute, in.PerMinute, d.Defaults.PerMinute},
			{"per-day", "limits.per_day", stored.Override.PerDay, in.PerDay, d.Defaults.PerDay},
		} {
			lw := limitWindow{Key: f.key, Label: v.T(f.label), Value: f.value, Default: f.dflt, Own: f.own != nil}
			lw.Now, lw.DefaultText = limitText(v, "limits.in_force", f.value), limitText(v, "limits.default", f.dflt)
			if f.own != nil {
				lw.Input = strconv.FormatInt(*f.own, 10)
			}
			if typed != nil && data.ErrorDialect == d.Name {
				lw.Input = typed[f.key]
			}
			ld.Windows = append(ld.Windows, lw)
		}
		data.Dialects = append(data.Dialects, ld)
	}
	v.Title = v.T("limits.title")
	h.render(w, r, status, "settings_limits", v, data)
}

func (h *handler) setLimits(w http.ResponseWriter, r *http.Request, v *view) {
	if h.limits == nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("limits.unavailable")))
		return
	}
	dialect := r.PostFormValue("dialect")
	if _, ok := limitDialectTitles[dialect]; !ok {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("limits.err.dialect")))
		return
	}
	typed := map[string]string{}
	var o ratelimit.Override
	var bad bool
	for _, f := range []struct {
		key   string
		field **int64
	}{{"per-second", &o.PerSecond}, {"per-minute", &o.PerMinute}, {"per-day", &o.PerDay}} {
		s := strings.TrimSpace(r.PostFormValue(f.key))
		typed[f.key] = s
		if s == "" {
			continue // the default
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			bad = true
			continue
		}
		*f.field = &n
	}
	failed := func(err error) {
		status := errorStatus(err)
		h.renderLimits(w, r, v, status, limitsData{Error: v.T("limits.err.number"), ErrorDialect: dialect}, typed)
	}
	if bad {
		failed(crm.Errorf(crm.KindInvalid, "not a number"))
		return
	}
	if _, err := h.limits.SetLimits(r.Context(), v.Actor.AccountID, dialect, o); err != nil {
		if crm.KindOf(err) != crm.KindInvalid {
			h.renderError(w, r, v, err)
			return
		}
		failed(err)
		return
	}
	http.Redirect(w, r, "/settings/limits?saved="+dialect, http.StatusSeeOther)
}

// limitText words a limit with the message key: "in force: 7", "default:
// no limit".
func limitText(v *view, key string, n int64) string {
	if n == 0 {
		return v.T(key, v.T("limits.none"))
	}
	return v.T(key, v.Number(int(n)))
}
