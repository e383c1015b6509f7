package amocrm

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// amoCRM's webhook subscriptions (companion §8.1): GET, POST and DELETE
// /api/v4/webhooks over crm's webhooks of the amoCRM kind. A subscription
// is named by its destination: POST to a known destination changes its
// events, DELETE takes the destination in its body. What is sent is
// webhook_format.go's.

const webhooksPath = "/api/v4/webhooks"

func (h *handler) webhookRoutes() []route {
	return []route{
		{"GET " + webhooksPath, h.listWebhooks},
		{"POST " + webhooksPath, h.addWebhook},
		{"DELETE " + webhooksPath, h.deleteWebhook},
	}
}

// knownWebhookEvent is the vocabulary check crm.Service.CreateWebhook takes.
func knownWebhookEvent(name string) bool { return slices.Contains(crm.AmoCRMWebhookEvents, name) }

// webhookJSON is the webhook model of companion §8.1.
type webhookJSON struct {
	ID          int64    `json:"id"`
	Destination string   `json:"destination"`
	CreatedAt   int64    `json:"created_at"`
	UpdatedAt   int64    `json:"updated_at"`
	AccountID   int64    `json:"account_id"`
	CreatedBy   int64    `json:"created_by"`
	Sort        int      `json:"sort"`
	Disabled    bool     `json:"disabled"`
	Settings    []string `json:"settings"`
}

func toWebhookJSON(_ *http.Request, w crm.Webhook) webhookJSON {
	settings := w.Events
	if settings == nil {
		settings = []string{}
	}
	return webhookJSON{ID: w.ID, Destination: w.Destination, CreatedAt: w.CreatedAt.Unix(), UpdatedAt: w.UpdatedAt.Unix(),
		AccountID: w.AccountID, CreatedBy: w.CreatedBy, Sort: w.Sort, Disabled: w.Disabled(), Settings: settings}
}

// webhookList is the list envelope: _total_items and _embedded only (the
// list is not paged: an account has at most crm.MaxWebhooks).
type webhookList struct {
	TotalItems int `json:"_total_items"`
	Embedded   struct {
		Webhooks []webhookJSON `json:"webhooks"`
	} `json:"_embedded"`
}

// listWebhooks serves GET /api/v4/webhooks: the account's amoCRM webhooks,
// filter[destination] (one exact URL) narrowing them; none is 204 as every
// v4 list answers it. crmd's own webhooks are not listed.
func (h *handler) listWebhooks(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	qr := newQueryReader(r)
	q := crm.WebhookQuery{Kind: crm.WebhookAmoCRM}
	switch dest := qr.strs("destination"); {
	case len(dest) == 1:
		q.Destination = dest[0]
	case len(dest) > 1:
		qr.violate("filter[destination]", crm.ViolationInvalid, "filter[destination] takes one URL.")
	}
	if err := qr.done(); err != nil {
		return err
	}
	list, err := h.svc.Webhooks(r.Context(), actor, q)
	if err != nil {
		return err
	}
	var out webhookList
	out.TotalItems = len(list)
	out.Embedded.Webhooks = renderAll(r, list, toWebhookJSON)
	writeList(w, len(list), out)
	return nil
}

// addWebhook serves POST /api/v4/webhooks: {destination, settings, sort?}.
// A destination the account already has is updated (its settings and sort
// replaced), as amoCRM does; either way the answer is 201 with the webhook.
// The account's 101st webhook is refused with 422 (crm.MaxWebhooks).
func (h *handler) addWebhook(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	b, err := readSingle(r)
	if err != nil {
		return err
	}
	n := crm.NewWebhook{Kind: crm.WebhookAmoCRM}
	if d := b.str("destination"); d != nil {
		n.Destination = strings.TrimSpace(*d)
	} else if !b.has("destination") {
		*b.errs = append(*b.errs, crm.Violation{Path: "destination", Code: crm.ViolationRequired, Detail: "This field is missing."})
	}
	if settings, ok := b.array("settings"); ok {
		for i, s := range settings {
			name, ok := s.(string)
			if !ok {
				addType(b.errs, 0, "settings."+strconv.Itoa(i), "string")
				continue
			}
			n.Events = append(n.Events, name)
		}
	}
	if s := b.int("sort"); s != nil {
		n.Sort = *s
	}
	if err := b.decodeErr(); err != nil {
		return err
	}
	if len(n.Events) == 0 && !b.has("settings") {
		return b.wrap(crm.Invalid(crm.Violation{Path: "settings", Code: crm.ViolationRequired, Detail: "This field is missing."}))
	}
	hook, err := h.svc.CreateWebhook(r.Context(), actor, n, knownWebhookEvent)
	if err != nil {
		return b.wrap(err)
	}
	writeHAL(w, http.StatusCreated, toWebhookJSON(r, hook))
	return nil
}

// deleteWebhook serves DELETE /api/v4/webhooks: the body names the
// destination to unsubscribe; 204, or 404 when the account has no amoCRM
// webhook there. Administrators only (members get 403 before the body is
// looked at).
func (h *handler) deleteWebhook(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if actor.Role != crm.RoleAdmin {
		return crm.Errorf(crm.KindForbidden, "Only administrators manage webhooks")
	}
	b, err := readSingle(r)
	if err != nil {
		return err
	}
	d := b.str("destination")
	if d == nil && !b.has("destination") {
		*b.errs = append(*b.errs, crm.Violation{Path: "destination", Code: crm.ViolationRequired, Detail: "This field is missing."})
	}
	if err := b.decodeErr(); err != nil {
		return err
	}
	dest := strings.TrimSpace(*d)
	if dest == "" {
		return b.wrap(crm.Invalid(crm.Violation{Path: "destination", Code: crm.ViolationBlank, Detail: "This value should not be blank."}))
	}
	list, err := h.svc.Webhooks(r.Context(), actor, crm.WebhookQuery{Kind: crm.WebhookAmoCRM, Destination: dest})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return crm.Errorf(crm.KindNotFound, "No webhook has this destination")
	}
	for _, hook := range list {
		if err := h.svc.DeleteWebhook(r.Context(), actor, hook.ID); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
