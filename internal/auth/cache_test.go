package auth

import (
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// TestActorCache: an entry is reused within actorTTL, never past its
// credential's expiry nor before it was checked, never for another kind of
// credential, and the cache starts over instead of growing past its bound.
func TestActorCache(t *testing.T) {
	var c actorCache
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	h := hash("secret")
	actor := crm.Actor{AccountID: 7, UserID: 9, Role: crm.RoleAdmin}
	c.put(crm.CredentialAmoCRM, h, actor, 3, now, time.Time{})
	if got, epoch, ok := c.get(crm.CredentialAmoCRM, h, now.Add(actorTTL-time.Millisecond)); !ok || got != actor || epoch != 3 {
		t.Errorf("within the TTL: %v %d %v", got, epoch, ok)
	}
	if _, _, ok := c.get(crm.CredentialAmoCRM, h, now.Add(-time.Millisecond)); ok {
		t.Error("reused before the moment it was checked")
	}
	if _, _, ok := c.get(crm.CredentialAmoCRM, h, now.Add(actorTTL)); ok {
		t.Error("reused at the end of the TTL")
	}
	if _, _, ok := c.get(crm.CredentialEnvybox, h, now); ok {
		t.Error("reused for another kind of credential")
	}
	c.put(crm.CredentialUIS, h, actor, 0, now, now.Add(time.Second))
	if _, _, ok := c.get(crm.CredentialUIS, h, now.Add(time.Second)); ok {
		t.Error("reused past the credential's expiry")
	}
	for i := range actorCacheSize + 1 {
		c.put(crm.CredentialEnvybox, hash(string(rune(i))+"k"), actor, 0, now, time.Time{})
	}
	if n := len(c.entries); n > actorCacheSize {
		t.Errorf("%d entries, bound %d", n, actorCacheSize)
	}
}
