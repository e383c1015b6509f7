package baseline

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
)

// PostBody is the fixed answer of ServePost: an amoCRM batch-create answer
// for one record (its id, request_id and link), about what crmd answers a
// one-record write with.
const PostBody = `{"_links":{"self":{"href":"http://127.0.0.1/api/v4/leads"}},"_embedded":{"leads":[` +
	`{"id":2119,"request_id":"0","_links":{"self":{"href":"http://127.0.0.1/api/v4/leads/2119"}}}]}}`

var (
	postBody   = []byte(PostBody)
	postLength = strconv.Itoa(len(PostBody))
)

// ServePost is the bare POST handler: every request but GET /healthz (200
// "ok") has its body read to the end and discarded, unparsed, and is
// answered PostBody, until ctx is done; then it drains open requests and
// returns nil. It is ServeRead's counterpart for writes: what net/http
// alone costs a POST on this machine, with no decoding and no database
// (ServeWrite adds both), so a write's figure divided by it reads like a
// read's divided by ServeRead's.
//
// The body is read because every real handler must read it, and because
// net/http would otherwise discard it (or close the connection, for a big
// one) after the handler returns, charging the same work elsewhere.
func ServePost(ctx context.Context, ln net.Listener) error {
	return serve(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Write([]byte("ok"))
			return
		}
		if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, maxLeadBody)); err != nil {
			http.Error(w, "body: "+err.Error(), http.StatusBadRequest)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", postLength)
		w.Write(postBody)
	}))
}
