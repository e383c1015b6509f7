package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestAPIDocsLink: the header links the API documents, named in the
// user's language, and the link leads to them.
func TestAPIDocsLink(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Docs link")
		m.signIn(t)
		link := `<a class="api-docs" href="/api/docs/" title="API documents" aria-label="API documents">API</a>`
		expect(t, m.get(t, "/deals"), http.StatusOK, link)
		if p := m.post(t, "/language", url.Values{"lang": {"ru"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("language: HTTP %d", p.Status)
		}
		expect(t, m.get(t, "/deals"), http.StatusOK,
			`<a class="api-docs" href="/api/docs/" title="Документация API" aria-label="Документация API">API</a>`)
		expect(t, m.get(t, "/api/docs/"), http.StatusOK, `href="amocrm.openapi.json"`, `href="uis.openrpc.json"`)
	})
}
