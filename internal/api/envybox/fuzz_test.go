package envybox

import (
	"testing"
	"time"
)

// FuzzParseBody drives the {"request": {...}} decoder and every parameter
// reader with arbitrary bodies: nothing may panic, and every failure must be
// an error the envelope can answer. The seed corpus runs in every go test;
// `go test -run '^$' -fuzz FuzzParseBody ./internal/api/envybox` explores.
func FuzzParseBody(f *testing.F) {
	for _, seed := range []string{
		`{"request": {"method": "create", "pipeline_id": 0, "values": {"name": "Test", "phone": "74993229710", "custom": [{"input_id": 1, "value": "5000"}]}, "contact_data": [{"type": "work_phone", "value": "556688", "addon": "101"}]}}`,
		`{"request": {"lead_id": "21371", "fields": [{"input_id": 1011, "value": "753453", "value_type_id": 1}]}}`,
		`{"request": {"keyword": "", "limit": 0, "offset": 0, "date_start": "2017-07-10", "date_end": "2017-07-10", "date_type": "created", "stage_id": [1, "2"]}}`,
		`{"request": {"name": "Тест", "client_id": "363963", "pipeline_id": "1358", "employee_id": "0", "task": {}}}`,
		`{"request": null}`, `{"request": []}`, `{}`, `[]`, `{"request": {"limit": 1e99}}`, `{"request": {"offset": -1}}`,
		``, `{`, `{"request": {}} trailing`, `{"request": {"date_start": "2017-13-45"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseBody(body)
		if err != nil {
			if _, _, ok := errorReply(err); !ok {
				t.Fatalf("parse error the envelope cannot answer: %v", err)
			}
			return
		}
		for _, key := range []string{"lead_id", "limit", "offset", "pipeline_id", "stage_id", "values", "request"} {
			p.int(key)
			p.ints(key)
			p.str(key)
			p.object(key)
			p.list(key)
		}
		p.page()
		if _, err := p.dateRange(time.UTC); err != nil {
			if _, _, ok := errorReply(err); !ok {
				t.Fatalf("date error the envelope cannot answer: %v", err)
			}
		}
	})
}
