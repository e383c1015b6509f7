package auth

import (
	"sync"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Authenticating a request read the credential, the user and the account:
// three queries before the request's own, more than a read by id itself
// costs. actorCache remembers whom a credential stood for, briefly.
//
// actorTTL is how stale that memory may be: a credential revoked (its user
// or account deleted, its OAuth integration revoked) in another crmd
// process stops working within this time, and a role changed by `crmd user`
// applies within it. A revocation made through this process's Authority
// empties its memory at once (RevokeIntegration). Expiry needs no wait: an
// entry never outlives its credential.
const actorTTL = 5 * time.Second

// actorCacheSize bounds the memory: an account has a handful of
// credentials, so the bound only matters against a flood of distinct valid
// keys, which then costs queries again, not memory.
const actorCacheSize = 10_000

type actorCacheKey struct {
	kind crm.CredentialKind
	hash [32]byte
}

type actorCacheEntry struct {
	actor crm.Actor
	until time.Time
}

// actorCache maps a credential (kind and hash, never the secret) to the
// actor it authenticated and until when that may be reused.
type actorCache struct {
	mu      sync.RWMutex
	entries map[actorCacheKey]actorCacheEntry
}

func cacheKey(kind crm.CredentialKind, hash []byte) actorCacheKey {
	k := actorCacheKey{kind: kind}
	copy(k.hash[:], hash)
	return k
}

func (c *actorCache) get(kind crm.CredentialKind, hash []byte, now time.Time) (crm.Actor, bool) {
	c.mu.RLock()
	e, ok := c.entries[cacheKey(kind, hash)]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return crm.Actor{}, false
	}
	return e.actor, true
}

func (c *actorCache) put(kind crm.CredentialKind, hash []byte, actor crm.Actor, now, expires time.Time) {
	until := now.Add(actorTTL)
	if !expires.IsZero() && expires.Before(until) {
		until = expires
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= actorCacheSize {
		c.entries = make(map[actorCacheKey]actorCacheEntry)
	}
	c.entries[cacheKey(kind, hash)] = actorCacheEntry{actor: actor, until: until}
}

// clear forgets every entry, after a revocation: which entries it touched is
// not known by hash, and the cost is one round of lookups.
func (c *actorCache) clear() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}
