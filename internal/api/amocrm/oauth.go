package amocrm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"

	"github.com/crmd/crmd/internal/auth"
)

// TokenIssuer answers OAuth token requests (auth.Authority does).
type TokenIssuer interface {
	Token(ctx context.Context, r auth.TokenRequest) (auth.TokenPair, error)
}

// maxTokenBody bounds a token request's body: six short fields.
const maxTokenBody = 64 << 10

// TokenPath is where the token endpoint is mounted (internal/server), and
// TokenRoute its method-and-pattern as the API documents list it: exported
// so that the mount and the coverage tests of internal/apidocs name one
// path rather than copies that could drift.
const (
	TokenPath  = "/oauth2/access_token"
	TokenRoute = http.MethodPost + " " + TokenPath
)

// NewTokenHandler serves POST /oauth2/access_token (amocrm-v4-core.md
// §11.3): a JSON or form-encoded body, answered with application/json on
// success and on error alike, as amoCRM does.
func NewTokenHandler(issuer TokenIssuer, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeTokenJSON(w, http.StatusMethodNotAllowed, &auth.OAuthError{Hint: "Use POST", Title: "Method Not Allowed",
				Type: "https://httpstatus.es/405", Status: http.StatusMethodNotAllowed, Detail: "Method Not Allowed"})
			return
		}
		req, err := decodeTokenRequest(r)
		if err != nil {
			writeTokenJSON(w, http.StatusBadRequest, &auth.OAuthError{Hint: "The request body is malformed: " + err.Error(),
				Title: "Некорректный запрос", Type: "https://developers.amocrm.ru/v3/errors/OAuthProblemJson", Status: 400,
				Detail: "В запросе отсутствует ряд параметров или параметры невалидны"})
			return
		}
		pair, err := issuer.Token(r.Context(), req)
		var refused *auth.OAuthError
		switch {
		case errors.As(err, &refused):
			writeTokenJSON(w, refused.Status, refused)
		case err != nil:
			log.ErrorContext(r.Context(), "oauth token", "err", err)
			writeTokenJSON(w, http.StatusInternalServerError, &auth.OAuthError{Title: "Internal Server Error",
				Type: "https://httpstatus.es/500", Status: 500, Detail: "Internal Server Error"})
		default:
			writeTokenJSON(w, http.StatusOK, pair)
		}
	})
}

// decodeTokenRequest reads a JSON body, or a form-encoded one (the Go client
// alexeykhan/amocrm posts forms; amoCRM's docs and PHP provider send JSON).
func decodeTokenRequest(r *http.Request) (auth.TokenRequest, error) {
	var req auth.TokenRequest
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxTokenBody))
	if err != nil {
		return req, errors.New("too large or unreadable")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" || (mt == "" && len(body) > 0 && body[0] == '{') {
		if err := json.Unmarshal(body, &req); err != nil {
			return req, errors.New("not a JSON object of strings")
		}
		return req, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return req, errors.New("not a form")
	}
	req = auth.TokenRequest{ClientID: form.Get("client_id"), ClientSecret: form.Get("client_secret"),
		GrantType: form.Get("grant_type"), Code: form.Get("code"), RefreshToken: form.Get("refresh_token"),
		RedirectURI: form.Get("redirect_uri")}
	return req, nil
}

func writeTokenJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store") // RFC 6749 §5.1
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
