package auth

import (
	"sync"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Authenticating a request read the credential, the user and the account:
// three queries before the request's own, more than a read by id itself
// costs. actorCache remembers whom a credential stood for, briefly, together
// with the account's authentication epoch (store's auth_epoch) read before
// the credential was: every revocation (a user deactivated or their role
// changed, a credential rotated, an integration revoked) advances the epoch
// in its own transaction, and a remembered actor is trusted only while the
// epoch is still the one read with it. So a revocation made by any crmd
// process on the database applies to the very next request of every
// process, for the price of one read by primary key instead of three, which
// requests arriving together share (epoch.go).
//
// actorTTL is how long an entry is reused at all: what changes without a
// revocation (the account's time zone) applies within it. Expiry needs no
// wait: an entry never outlives its credential.
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
	epoch int64
	// since is when the credential was checked: a clock read before it
	// (a test's clock moved back) does not reuse the entry, so a token
	// is never taken from the cache before its nbf (AmoCRM).
	since, until time.Time
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

// get returns the actor remembered for a credential and the epoch read
// with it; the caller compares the epoch with the account's current one.
func (c *actorCache) get(kind crm.CredentialKind, hash []byte, now time.Time) (crm.Actor, int64, bool) {
	c.mu.RLock()
	e, ok := c.entries[cacheKey(kind, hash)]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) || now.Before(e.since) {
		return crm.Actor{}, 0, false
	}
	return e.actor, e.epoch, true
}

func (c *actorCache) put(kind crm.CredentialKind, hash []byte, actor crm.Actor, epoch int64, now, expires time.Time) {
	until := now.Add(actorTTL)
	if !expires.IsZero() && expires.Before(until) {
		until = expires
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= actorCacheSize {
		c.entries = make(map[actorCacheKey]actorCacheEntry)
	}
	c.entries[cacheKey(kind, hash)] = actorCacheEntry{actor: actor, epoch: epoch, since: now, until: until}
}

// clear forgets every entry, after a revocation: which entries it touched is
// not known by hash, and the cost is one round of lookups.
func (c *actorCache) clear() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}
