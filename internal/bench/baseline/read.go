package baseline

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"
)

// ReadBody is the fixed answer of ServeRead: an Envybox deal/get answer
// (about 1.5 KB, strings for numbers as Envybox writes them, Cyrillic
// names, dates, linked leads, service and custom values), so that the
// ceiling moves as many bytes as crmd's answer to the same question.
const ReadBody = `{"result":{"id":"2119","crm_id":"1","pipeline_id":"3","client_id":"5417","stage_id":"12"` +
	`,"user_id":"7","employee_id":"7","old_employee_id":null,"department_id":"2"` +
	`,"inbox_type_id":"1","it_reaction":"0","with_event":"1"` +
	`,"stage_updated_at":"2024-03-15 09:02:44","created_at":"2024-03-14 10:21:07"` +
	`,"updated_at":"2024-03-15 09:02:44","deleted_at":null,"stage_name":"В работе"` +
	`,"stage_color":"#4b9fe1","status_id":"2002","name":"Заявка с сайта: Иван Петров"` +
	`,"client_name":"Иван Петров","connected_lead_id":["8812","8815"]` +
	`,"values":{"service":{"budget":{"id":"30511","crm_id":"1","deal_id":"2119"` +
	`,"input_id":"1","type_id":"1","value":"125000","mask":null` +
	`,"created_at":"2024-03-14 10:21:07","updated_at":"2024-03-14 10:21:07","deleted_at":null` +
	`,"name":"Бюджет","name_id":"budget"},"utm_source":{"id":"30512","crm_id":"1"` +
	`,"deal_id":"2119","input_id":"9","type_id":"1","value":"yandex","mask":null` +
	`,"created_at":"2024-03-14 10:21:07","updated_at":"2024-03-14 10:21:07","deleted_at":null` +
	`,"name":"UTM source","name_id":"utm_source"}},"custom":[{"crm_id":"1","deal_id":"2119"` +
	`,"input_id":"41","type_id":"2","value":"Москва","mask":null,"deleted_at":null` +
	`,"name":"Город","name_id":"crm_41"},{"crm_id":"1","deal_id":"2119","input_id":"42"` +
	`,"type_id":"2","value":"2024-04-01","mask":null,"deleted_at":null,"name":"Дата замера"` +
	`,"name_id":"crm_42"},{"crm_id":"1","deal_id":"2119","input_id":"43","type_id":"2"` +
	`,"value":"17","mask":null,"deleted_at":null,"name":"Источник","name_id":"crm_43"}]}}}`

// readBody and readLength are computed once: the handler only writes.
var (
	readBody   = []byte(ReadBody)
	readLength = strconv.Itoa(len(ReadBody))
)

// ServeRead serves ReadBody on ln for every request but GET /healthz, which
// answers 200 "ok", until ctx is done; then it drains open requests and
// returns nil. The handler is a bare function, without a router or
// middleware: this is the most a Go HTTP server can answer on this machine.
func ServeRead(ctx context.Context, ln net.Listener) error {
	return serve(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Write([]byte("ok"))
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", readLength)
		w.Write(readBody)
	}))
}

// shutdownTimeout bounds the drain after ctx is done, as crmd's own does.
const shutdownTimeout = 10 * time.Second

// serve runs h on ln until ctx is done. The timeouts protect the process
// from a stuck client without affecting a benchmark's requests.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}
