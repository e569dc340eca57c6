// The ACS's cache of IdP connections, good while the store's IdP version
// stays the same.

package core

import (
	"context"
	"sync"
)

// idpCache keeps the IdP connections the listener serves in memory, so
// that a login reads one number from the database (Store.IdPVersion)
// instead of an IdP row with its metadata and decoding its JSON. The
// version changes on every change to an IdP by any process (a CLI command
// beside a running console included), and a changed version empties the
// cache.
type idpCache struct {
	mu      sync.Mutex
	version int64
	bySlug  map[string]IdP
}

// cachedIdP returns the IdP with slug as stored now (ENOTFOUND when there
// is none), from memory while no IdP has changed since it was read.
func (c *Console) cachedIdP(ctx context.Context, slug string) (IdP, error) {
	v, err := c.store.IdPVersion(ctx)
	if err != nil {
		return IdP{}, err
	}
	cache := &c.idps
	cache.mu.Lock()
	if cache.version != v {
		cache.version, cache.bySlug = v, map[string]IdP{}
	}
	idp, ok := cache.bySlug[slug]
	cache.mu.Unlock()
	if ok {
		return idp, nil
	}
	if idp, err = c.store.GetIdP(ctx, slug); err != nil {
		return IdP{}, err
	}
	cache.mu.Lock()
	// Read after v: at least as new as v, so good while the version is v
	// (a later version empties the cache on the next call).
	if cache.version == v {
		cache.bySlug[slug] = idp
	}
	cache.mu.Unlock()
	return idp, nil
}
