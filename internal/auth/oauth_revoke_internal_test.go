package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

// TestHMACKey: the kept states sign exactly as HMAC-SHA256 keyed by the
// secret does, for secrets shorter than, as long as and longer than a
// block; and they do not contain the secret (checked where a chance match
// of a few bytes is impossible).
func TestHMACKey(t *testing.T) {
	for _, secret := range []string{"", "k", strings.Repeat("A1", 32), strings.Repeat("z", 65), strings.Repeat("секрет", 40)} {
		key, err := hmacKey(secret)
		if err != nil {
			t.Fatal(err)
		}
		if len(secret) > 8 && strings.Contains(string(key), secret) {
			t.Errorf("the key holds the secret %q", secret)
		}
		for _, msg := range []string{"", "a|1", "0f1e2d3c-0000-4000-8000-000000000000|31337", strings.Repeat("m", 200)} {
			got, err := hmacWithKey(key, msg)
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write([]byte(msg))
			if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
				t.Errorf("secret %d bytes, message %q: %x %v, want %x", len(secret), msg, got, err, mac.Sum(nil))
			}
		}
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, make([]byte, 10)} {
		if _, err := hmacWithKey(bad, "m"); err == nil {
			t.Errorf("signed with the key %x", bad)
		}
	}
}

// TestDisconnectHookURL: amoCRM's parameters are set (and client_id beside
// client_uuid), the URL's own query kept, and the signature is the secret's.
func TestDisconnectHookURL(t *testing.T) {
	const secret, client = "s3cret", "11111111-1111-4111-8111-111111111111"
	key, _ := hmacKey(secret)
	raw, err := DisconnectHookURL("https://hook.example/off?x=1&client_uuid=forged", client, 42, key)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(client + "|42"))
	if u.Host != "hook.example" || u.Path != "/off" || len(q) != 5 || q.Get("x") != "1" || q["client_uuid"][0] != client ||
		len(q["client_uuid"]) != 1 || q.Get("client_id") != client || q.Get("account_id") != "42" ||
		q.Get("signature") != hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("hook URL %s", raw)
	}
}
