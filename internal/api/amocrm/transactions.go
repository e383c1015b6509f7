package amocrm

import (
	"net/http"
	"strconv"

	"github.com/crmd/crmd/internal/crm"
)

func transactionPath(customerID, id int64) string {
	return customerPath(customerID) + "/transactions/" + strconv.FormatInt(id, 10)
}

// v4Transaction is the transaction model of companion §2.1. crmd keeps no
// catalogs, so _embedded has no catalog_elements; the purchase is never
// soft-deleted (is_deleted is always false).
type v4Transaction struct {
	ID          int64     `json:"id"`
	Price       int64     `json:"price"`
	Comment     *string   `json:"comment"`
	CompletedAt int64     `json:"completed_at"`
	CustomerID  int64     `json:"customer_id"`
	CreatedBy   int64     `json:"created_by"`
	UpdatedBy   int64     `json:"updated_by"`
	CreatedAt   int64     `json:"created_at"`
	UpdatedAt   int64     `json:"updated_at"`
	IsDeleted   bool      `json:"is_deleted"`
	AccountID   int64     `json:"account_id"`
	Links       selfLinks `json:"_links"`
	Embedded    struct {
		Customer v4Ref `json:"customer"`
	} `json:"_embedded"`
}

func toV4Transaction(r *http.Request, t crm.Transaction) v4Transaction {
	out := v4Transaction{ID: t.ID, Price: t.Price, CompletedAt: t.CompletedAt.Unix(), CustomerID: t.CustomerID,
		CreatedBy: t.CreatedBy, UpdatedBy: t.UpdatedBy, CreatedAt: t.CreatedAt.Unix(), UpdatedAt: t.UpdatedAt.Unix(),
		AccountID: t.AccountID, Links: selfLink(r, transactionPath(t.CustomerID, t.ID))}
	if t.Comment != "" { // null when empty, as in the companion's example
		c := t.Comment
		out.Comment = &c
	}
	out.Embedded.Customer = v4Ref{ID: t.CustomerID, Links: selfLink(r, customerPath(t.CustomerID))}
	return out
}

// customerPathID reads {customer_id}; a malformed id names no customer (404).
func customerPathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("customer_id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.Errorf(crm.KindNotFound, "Not found")
	}
	return id, nil
}

// listTransactions serves GET /api/v4/customers/transactions.
func (h *handler) listTransactions(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	return h.writeTransactions(w, r, actor, nil)
}

// listCustomerTransactions serves GET /api/v4/customers/{id}/transactions;
// a missing customer is 204 with no body, like a GET by id (writeV4Error).
func (h *handler) listCustomerTransactions(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.svc.Customer(r.Context(), actor, id); err != nil {
		return err
	}
	return h.writeTransactions(w, r, actor, []int64{id})
}

// writeTransactions answers a page of transactions (page, limit, filter[id]),
// newest first. Empty is 204 with no body, like every v4 list (writeList).
func (h *handler) writeTransactions(w http.ResponseWriter, r *http.Request, actor crm.Actor, customerIDs []int64) error {
	page, err := v4Page(r)
	if err != nil {
		return err
	}
	qr := newQueryReader(r)
	q := crm.TransactionQuery{IDs: qr.ints("id"), CustomerIDs: customerIDs, Limit: page.Limit, Offset: page.Offset()}
	if err := qr.done(); err != nil {
		return err
	}
	list, total, err := h.svc.Transactions(r.Context(), actor, q)
	if err != nil {
		return err
	}
	items := renderAll(r, list, toV4Transaction)
	writeList(w, len(items), v4Paged(r, page, total, "transactions", items))
	return nil
}

// findTransaction looks up {id}, within {customer_id} when the path has one.
func (h *handler) findTransaction(r *http.Request, actor crm.Actor) (crm.Transaction, error) {
	id, err := pathID(r)
	if err != nil {
		return crm.Transaction{}, err
	}
	q := crm.TransactionQuery{IDs: []int64{id}, Limit: 1}
	if r.PathValue("customer_id") != "" {
		cid, err := customerPathID(r)
		if err != nil {
			return crm.Transaction{}, err
		}
		q.CustomerIDs = []int64{cid}
	}
	list, _, err := h.svc.Transactions(r.Context(), actor, q)
	if err != nil {
		return crm.Transaction{}, err
	}
	if len(list) == 0 {
		return crm.Transaction{}, crm.Errorf(crm.KindNotFound, "Transaction %d not found", id)
	}
	return list[0], nil
}

// getTransaction serves GET /api/v4/customers/transactions/{id} and
// GET /api/v4/customers/{customer_id}/transactions/{id}.
func (h *handler) getTransaction(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	t, err := h.findTransaction(r, actor)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toV4Transaction(r, t))
	return nil
}

// deleteTransaction serves DELETE …/transactions/{id} (with or without the
// customer in the path): 204 and no body. The domain recomputes the
// customer's purchase totals.
func (h *handler) deleteTransaction(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	t, err := h.findTransaction(r, actor)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteTransaction(r.Context(), actor, t.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// v4TransactionCreated is one item of the POST answer (§2.3).
type v4TransactionCreated struct {
	ID         int64     `json:"id"`
	CustomerID int64     `json:"customer_id"`
	RequestID  string    `json:"request_id"`
	Links      selfLinks `json:"_links"`
}

// addTransactions serves POST /api/v4/customers/{customer_id}/transactions
// (array, all or nothing). _embedded.catalog_elements is accepted and not
// kept (crmd has no catalogs); the accrue_bonus parameter is ignored.
func (h *handler) addTransactions(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	cid, err := customerPathID(r)
	if err != nil {
		return err
	}
	in, ids, err := readBatch(r, "transactions", func(rd reader) crm.NewTransaction {
		t := crm.NewTransaction{CustomerID: cid, Price: rd.int64("price"), CompletedAt: readUnix(rd, "completed_at", false),
			NextPrice: rd.int64("next_price"), NextDate: readUnix(rd, "next_date", true), CreatedBy: rd.int64("created_by")}
		if c := rd.str("comment"); c != nil {
			t.Comment = *c
		}
		return t
	})
	if err != nil {
		return err
	}
	// A missing customer in the path is 404, not a violation of each item.
	if _, err := h.svc.Customer(r.Context(), actor, cid); err != nil {
		return err
	}
	created, err := h.svc.AddTransactions(r.Context(), actor, in)
	if err != nil {
		return withItems(err, ids)
	}
	out := make([]v4TransactionCreated, len(created))
	for i, t := range created {
		out[i] = v4TransactionCreated{ID: t.ID, CustomerID: t.CustomerID, RequestID: ids[i], Links: selfLink(r, transactionPath(t.CustomerID, t.ID))}
	}
	writeBatch(w, r, customerPath(cid)+"/transactions", "transactions", out)
	return nil
}
