package amocrm

import (
	"net/http"

	"github.com/crmd/crmd/internal/crm"
)

// amoCRM API v2 transactions (seed 001): POST /api/v2/transactions with add,
// update (comments) and delete, and GET /api/v2/transactions.

const v2TransactionsPath = "/api/v2/transactions"

// v2TransactionJSON is a transaction as seed 001's list example shows it.
type v2TransactionJSON struct {
	ID        int64   `json:"id"`
	CreatedBy int64   `json:"created_by"`
	CreatedAt int64   `json:"created_at"`
	UpdatedAt int64   `json:"updated_at"`
	AccountID int64   `json:"account_id"`
	UpdatedBy int64   `json:"updated_by"`
	IsDeleted bool    `json:"is_deleted"`
	Comment   string  `json:"comment"`
	Price     int64   `json:"price"`
	Date      int64   `json:"date"`
	Customer  v2Ref   `json:"customer"`
	Links     v2Links `json:"_links"`
}

func toV2Transaction(t crm.Transaction) v2TransactionJSON {
	cl := v2Get(v2IDHref(v2CustomersPath, t.CustomerID))
	return v2TransactionJSON{
		ID: t.ID, CreatedBy: t.CreatedBy, CreatedAt: unixOr0(t.CreatedAt), UpdatedAt: unixOr0(t.UpdatedAt),
		AccountID: t.AccountID, UpdatedBy: t.UpdatedBy, Comment: t.Comment, Price: t.Price,
		Date: unixOr0(t.CompletedAt), Customer: v2Ref{ID: t.CustomerID, Links: &cl},
		Links: v2Get(v2IDHref(v2TransactionsPath, t.ID)),
	}
}

// v2TransactionItem is one written transaction of a POST response: id and
// _links only, exactly as the seed's add and update examples.
type v2TransactionItem struct {
	ID    int64   `json:"id"`
	Links v2Links `json:"_links"`
}

type v2DeletedTransaction struct {
	ID int64 `json:"id"`
}

func v2TransactionPath(p string) string {
	if p == "completed_at" {
		return "date"
	}
	return p
}

func (h *handler) v2PostTransactions(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	obj, err := v2Body(r)
	if err != nil {
		return err
	}
	var errs v2Errors
	addItems, hasAdd := v2Section(obj, "add", &errs)
	updItems, hasUpd := v2Section(obj, "update", &errs)
	var addV, updV, delV []crm.Violation
	adds := make([]crm.NewTransaction, len(addItems))
	for i, it := range addItems {
		rd := newReader(it, i, "", &addV)
		n := crm.NewTransaction{Price: v2Int64(rd, "price"), NextPrice: v2Int64(rd, "next_price"), NextDate: v2Time(rd, "next_date")}
		if id := v2Int64(rd, "customer_id"); id != nil {
			n.CustomerID = *id
		} else if rd.obj != nil {
			addV = append(addV, crm.Violation{Item: i, Path: "customer_id", Code: crm.ViolationRequired, Detail: "This field is missing."})
		}
		// date 0 (v2's "none") means now, the domain's default.
		if d := v2Time(rd, "date"); d != nil && !d.IsZero() {
			n.CompletedAt = d
		}
		if c := v2Str(rd, "comment"); c != nil {
			n.Comment = *c
		}
		adds[i] = n
	}
	updates := make([]crm.TransactionComment, len(updItems))
	for i, it := range updItems {
		rd := newReader(it, i, "", &updV)
		if id := v2Int64(rd, "transaction_id"); id != nil {
			updates[i].TransactionID = *id
		} else if rd.obj != nil {
			updV = append(updV, crm.Violation{Item: i, Path: "transaction_id", Code: crm.ViolationRequired, Detail: "This field is missing."})
		}
		// The seed's table names the field "comments", its example
		// "comment": both are accepted, "comment" wins.
		updates[i].Comment = v2Str(rd, "comment")
		if updates[i].Comment == nil {
			updates[i].Comment = v2Str(rd, "comments")
		}
	}
	var delIDs []int64
	if v, ok := obj["delete"]; ok {
		delIDs = v2IDs(v, 0, "delete", &delV)
	}
	hasDel := len(delIDs) > 0
	errs.addViolations("add", addV, v2TransactionPath)
	errs.addViolations("update", updV, v2TransactionPath)
	errs.addViolations("", delV, nil)
	if err := errs.err(); err != nil {
		return err
	}
	if !hasAdd && !hasUpd && !hasDel {
		return newProblem(http.StatusBadRequest, "The request needs at least one of add, update or delete.")
	}

	ctx := r.Context()
	items := []v2TransactionItem{}
	var emb v2WriteEmbedded
	if hasAdd {
		created, err := h.svc.AddTransactions(ctx, actor, adds)
		if err != nil {
			return v2SectionErr("add", err, v2TransactionPath)
		}
		for _, t := range created {
			items = append(items, v2TransactionItem{ID: t.ID, Links: v2Get(v2IDHref(v2TransactionsPath, t.ID))})
		}
	}
	if hasUpd {
		changed, err := h.svc.SetTransactionComments(ctx, actor, updates)
		if err != nil {
			return v2SectionErr("update", err, v2TransactionPath)
		}
		for _, t := range changed {
			items = append(items, v2TransactionItem{ID: t.ID, Links: v2Get(v2IDHref(v2TransactionsPath, t.ID))})
		}
	}
	if hasDel {
		deleted, err := h.svc.DeleteTransactions(ctx, actor, delIDs)
		if err != nil {
			return err
		}
		// The seed shows no delete response: the customers' shape is used,
		// {id} per deleted transaction (transactions have no name).
		list := make([]v2DeletedTransaction, len(deleted))
		for i, id := range deleted {
			list[i] = v2DeletedTransaction{ID: id}
		}
		if !hasAdd && !hasUpd {
			emb.Items = map[string]any{"deleted": list}
		} else {
			emb.Deleted = list
		}
	}
	if emb.Items == nil {
		emb.Items = items
	}
	writeV2(w, r, v2TransactionsPath, emb)
	return nil
}

func (h *handler) v2ListTransactions(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	q := r.URL.Query()
	var tq crm.TransactionQuery
	var err error
	if tq.IDs, _, err = v2QueryIDs(q, "id"); err != nil {
		return err
	}
	if tq.CustomerIDs, _, err = v2QueryIDs(q, "customer_id"); err != nil {
		return err
	}
	if tq.Limit, tq.Offset, err = v2Rows(q); err != nil {
		return err
	}
	list, _, err := h.svc.Transactions(r.Context(), actor, tq)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		writeV2Empty(w)
		return nil
	}
	out := make([]v2TransactionJSON, len(list))
	for i, t := range list {
		out[i] = toV2Transaction(t)
	}
	writeV2(w, r, v2TransactionsPath, map[string]any{"items": out})
	return nil
}
