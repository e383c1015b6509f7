package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// upload posts a file to /settings/import as the upload form does.
func (m *member) upload(t testing.TB, kind, name string, body io.Reader) page {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("kind", kind)
		fw, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(fw, body)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, m.env.URL+"/settings/import", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", m.env.URL)
	req.Header.Set("Accept-Language", "en")
	resp, err := m.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	pr.Close()
	return page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Header: resp.Header, Body: string(b)}
}

// importStatus is the status endpoint's answer.
type importStatus struct {
	State      string `json:"state"`
	Done       int    `json:"done"`
	Total      int    `json:"total"`
	New        int    `json:"new"`
	Duplicates int    `json:"duplicates"`
	Errors     int    `json:"errors"`
}

// waitImport polls a job's status until it leaves state.
func (m *member) waitImport(t testing.TB, job, state string) importStatus {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		p := m.get(t, job+"/status")
		var s importStatus
		if err := json.Unmarshal([]byte(p.Body), &s); err != nil {
			t.Fatalf("status: %d %s", p.Status, p.Body)
		}
		if s.State != state {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job stayed %s", state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const importTestCSV = "Имя;Телефон;Email;Заметка\n" +
	"Иван;+7 (499) 322-97-10;ivan@example.ru;звонил\n" +
	"Анна;89001112233;;\n" +
	"Иван снова;84993229710;;\n" +
	"Плохой;;bad@;\n"

func TestImportScreens(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Import")
		admin.signIn(t)
		expect(t, admin.get(t, "/settings/import"), http.StatusOK, `action="/settings/import"`, `name="kind" value="deals"`, "Rows become")

		p := admin.upload(t, "clients", "clients.csv", strings.NewReader(importTestCSV))
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/settings/import/") {
			t.Fatalf("upload: %d %q %s", p.Status, p.Location, p.Body)
		}
		job := p.Location
		// The mapping: samples, suggestions, the file as read.
		p = admin.get(t, job)
		expect(t, p, http.StatusOK, "CSV, UTF-8, semicolon", `<option value="phone" selected>`, `<option value="email" selected>`,
			`<option value="comment" selected>`, "(499) 322-97-10", "ivan@example.ru")
		// Without the header, the first row is data and nothing is named.
		expect(t, admin.get(t, job+"?header=0"), http.StatusOK, `name="header" value="0"`, `class="sample">Имя</td>`)
		// Nothing mapped is refused.
		expect(t, admin.post(t, job+"/preview", url.Values{"header": {"1"}, "col0": {""}, "col1": {""}}), http.StatusUnprocessableEntity, "Map at least one column")

		form := url.Values{"header": {"1"}, "col0": {"name"}, "col1": {"phone"}, "col2": {"email"}, "col3": {"comment"}}
		p = admin.post(t, job+"/preview", form)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("preview: %d %s", p.Status, p.Body)
		}
		s := admin.waitImport(t, job, "previewing")
		if s.State != "previewed" || s.New != 2 || s.Duplicates != 1 || s.Errors != 1 || s.Total != 4 {
			t.Fatalf("dry run: %+v", s)
		}
		if page, _ := admin.service().Clients(context.Background(), admin.Actor, crm.ClientQuery{Limit: 1}); page.Total != 0 {
			t.Fatalf("the dry run wrote %d clients", page.Total)
		}
		expect(t, admin.get(t, job), http.StatusOK, `id="import-new">2<`, `id="import-duplicates">1<`, `id="import-errors">1<`,
			"Import 3 rows", "The email is malformed.", `href="`+job+`/errors.csv"`)

		// Back to the mapping and forth again.
		if p = admin.post(t, job+"/remap", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("remap: %d", p.Status)
		}
		expect(t, admin.get(t, job), http.StatusOK, `id="import-mapping"`)
		admin.post(t, job+"/preview", form)
		admin.waitImport(t, job, "previewing")

		if p = admin.post(t, job+"/run", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("run: %d %s", p.Status, p.Body)
		}
		s = admin.waitImport(t, job, "running")
		if s.State != "done" || s.New != 2 || s.Duplicates != 1 || s.Errors != 1 || s.Done != 4 {
			t.Fatalf("import: %+v", s)
		}
		if page, _ := admin.service().Clients(context.Background(), admin.Actor, crm.ClientQuery{Limit: 1}); page.Total != 2 {
			t.Errorf("clients: %d, want 2", page.Total)
		}
		// Done is done: it does not run twice.
		expect(t, admin.post(t, job+"/run", nil), http.StatusConflict)
		p = admin.get(t, job+"/errors.csv")
		if p.Status != http.StatusOK || p.Body != "\ufeffrow,column,error,Имя,Телефон,Email,Заметка\n5,Email,The email is malformed.,Плохой,,bad@,\n" ||
			!strings.Contains(p.Header.Get("Content-Disposition"), `filename="clients-errors.csv"`) {
			t.Errorf("errors.csv: %d %q %v", p.Status, p.Body, p.Header)
		}
		expect(t, admin.get(t, "/settings/import"), http.StatusOK, "clients.csv", "done")

		// Another account does not see the job.
		other := newAccount(t, env, "Other")
		other.signIn(t)
		expect(t, other.get(t, job), http.StatusNotFound)
		expect(t, other.get(t, job+"/errors.csv"), http.StatusNotFound)
	})
}

func TestImportRefusals(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		admin := newAccount(t, env, "Import")
		admin.signIn(t)
		p := admin.upload(t, "clients", "c.csv", strings.NewReader(importTestCSV))
		job := p.Location
		member := admin.newUser(t, crm.RoleMember, "Member")
		member.signIn(t)
		expect(t, member.get(t, "/settings/import"), http.StatusForbidden, "Only administrators import data.")
		expect(t, member.get(t, job), http.StatusForbidden)
		expect(t, member.get(t, job+"/status"), http.StatusForbidden)
		expect(t, member.get(t, job+"/errors.csv"), http.StatusForbidden)
		expect(t, member.post(t, job+"/run", nil), http.StatusForbidden)
		expect(t, member.upload(t, "clients", "c.csv", strings.NewReader(importTestCSV)), http.StatusForbidden)

		expect(t, admin.upload(t, "customers", "c.csv", strings.NewReader(importTestCSV)), http.StatusUnprocessableEntity, "Choose what the rows become")
		expect(t, admin.upload(t, "clients", "c.csv", strings.NewReader("")), http.StatusUnprocessableEntity, "Choose a CSV or XLSX file")
		expect(t, admin.upload(t, "clients", "c.xlsx", strings.NewReader("PK\x03\x04 broken")), http.StatusUnprocessableEntity, "cannot be read")
		// The limit is 64 MB: a file past it is refused with the limit named.
		big := io.LimitReader(repeatReader('x'), 65<<20)
		expect(t, admin.upload(t, "clients", "big.csv", big), http.StatusRequestEntityTooLarge, "larger than 64 MB")
		// Not yet previewed: no import.
		expect(t, admin.post(t, job+"/run", nil), http.StatusConflict)
		expect(t, admin.get(t, "/settings/import/nosuchjob"), http.StatusNotFound, "not known to the server")
	})
}

// repeatReader reads as an endless run of one byte.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	copy(p, bytes.Repeat([]byte{byte(r)}, len(p)))
	return len(p), nil
}
