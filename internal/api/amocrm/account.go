package amocrm

import (
	"net/http"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

type accountJSON struct {
	ID                      int64          `json:"id"`
	Name                    string         `json:"name"`
	Subdomain               string         `json:"subdomain"`
	CreatedAt               int64          `json:"created_at"`
	CreatedBy               int64          `json:"created_by"`
	UpdatedAt               int64          `json:"updated_at"`
	UpdatedBy               int64          `json:"updated_by"`
	CurrentUserID           int64          `json:"current_user_id"`
	Country                 string         `json:"country"`
	CustomersMode           string         `json:"customers_mode"`
	IsUnsortedOn            bool           `json:"is_unsorted_on"`
	IsLossReasonEnabled     bool           `json:"is_loss_reason_enabled"`
	IsHelpbotEnabled        bool           `json:"is_helpbot_enabled"`
	IsTechnicalAccount      bool           `json:"is_technical_account"`
	ContactNameDisplayOrder int            `json:"contact_name_display_order"`
	UUID                    string         `json:"uuid"`
	Currency                string         `json:"currency"`
	CurrencySymbol          string         `json:"currency_symbol"`
	MobileFeatureVersion    int            `json:"mobile_feature_version"`
	AmojoID                 *string        `json:"amojo_id,omitempty"`
	Version                 *int           `json:"version,omitempty"`
	IsAPIFilterEnabled      *bool          `json:"is_api_filter_enabled,omitempty"`
	Links                   selfLinks      `json:"_links"`
	Embedded                map[string]any `json:"_embedded,omitempty"`
}

type taskTypeJSON struct {
	ID     int     `json:"id"`
	Name   string  `json:"name"`
	Color  *string `json:"color"`
	IconID *int    `json:"icon_id"`
	Code   string  `json:"code"`
}

type datetimeSettingsJSON struct {
	DatePattern      string `json:"date_pattern"`
	ShortDatePattern string `json:"short_date_pattern"`
	ShortTimePattern string `json:"short_time_pattern"`
	// DateFormat is what the live API and the official PHP library use;
	// DateFormant, the documents' typo, is sent beside it for clients
	// written from the documents.
	DateFormat     string `json:"date_format"`
	DateFormant    string `json:"date_formant"`
	TimeFormat     string `json:"time_format"`
	Timezone       string `json:"timezone"`
	TimezoneOffset string `json:"timezone_offset"`
}

// apiVersion is what with=version reports; amoCRM's example shows 16.
const apiVersion = 16

// The account fields crmd keeps no setting for, sent because clients read
// them unconditionally (the official PHP library's AccountModel): accounts
// are made by crmd itself (account create, the first serve), which
// amoCRM's "0 = robot / API" author describes; 0 is the mobile feature
// level of an account without the mobile app's features.
const (
	accountAuthor        = 0
	mobileFeatureVersion = 0
)

// getAccount serves GET /api/v4/account with the documented `with` options
// crmd can answer; unknown options are ignored, as amoCRM does.
func (h *handler) getAccount(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	a, err := h.svc.Account(r.Context(), actor)
	if err != nil {
		return err
	}
	out := accountJSON{
		ID: a.ID, Name: a.Name, Subdomain: a.Subdomain, CreatedAt: a.CreatedAt.Unix(), UpdatedAt: a.UpdatedAt.Unix(),
		CreatedBy: accountAuthor, UpdatedBy: accountAuthor,
		Currency: a.Currency, CurrencySymbol: crm.CurrencySymbol(a.Currency), MobileFeatureVersion: mobileFeatureVersion,
		CurrentUserID: actor.UserID, Country: "RU", CustomersMode: string(a.CustomersMode),
		IsUnsortedOn: true, ContactNameDisplayOrder: 1, UUID: a.UUID,
		Links: selfLink(r, "/api/v4/account"),
	}
	embedded := map[string]any{}
	for _, with := range strings.Split(r.URL.Query().Get("with"), ",") {
		switch strings.TrimSpace(with) {
		case "amojo_id":
			out.AmojoID = &a.UUID
		case "version":
			v := apiVersion
			out.Version = &v
		case "is_api_filter_enabled":
			f := false
			out.IsAPIFilterEnabled = &f
		case "users_groups":
			embedded["users_groups"] = []any{}
		case "task_types":
			embedded["task_types"] = []taskTypeJSON{{ID: 1, Name: "Связаться", Code: "FOLLOW_UP"}, {ID: 2, Name: "Встреча", Code: "MEETING"}}
		case "datetime_settings":
			embedded["datetime_settings"] = datetimeSettings(a.TimeZone)
		}
	}
	if len(embedded) > 0 {
		out.Embedded = embedded
	}
	writeHAL(w, http.StatusOK, out)
	return nil
}

func datetimeSettings(zone string) datetimeSettingsJSON {
	offset := "+00:00"
	if loc, err := time.LoadLocation(zone); err == nil {
		offset = time.Now().In(loc).Format("-07:00")
	}
	return datetimeSettingsJSON{
		DatePattern: "d.m.Y H:i", ShortDatePattern: "d.m.Y", ShortTimePattern: "H:i",
		DateFormat: "d.m.Y", DateFormant: "d.m.Y", TimeFormat: "H:i:s", Timezone: zone, TimezoneOffset: offset,
	}
}

type customersModeJSON struct {
	Mode      string `json:"mode"`
	IsEnabled bool   `json:"is_enabled"`
}

// patchCustomersMode serves PATCH /api/v4/customers/mode; both fields are
// required and the body is echoed on success.
func (h *handler) patchCustomersMode(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	var errs []crm.Violation
	rd := newReader(body, 0, "", &errs)
	mode, enabled := rd.str("mode"), rd.bool("is_enabled")
	if mode == nil && !rd.has("mode") {
		errs = append(errs, crm.Violation{Path: "mode", Code: crm.ViolationRequired, Detail: "This field is missing."})
	}
	if enabled == nil && !rd.has("is_enabled") {
		errs = append(errs, crm.Violation{Path: "is_enabled", Code: crm.ViolationRequired, Detail: "This field is missing."})
	}
	if err := violationsErr(errs); err != nil {
		return err
	}
	if err := h.svc.SetCustomersMode(r.Context(), actor, crm.CustomersMode(*mode), *enabled); err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, customersModeJSON{Mode: *mode, IsEnabled: *enabled})
	return nil
}
