package core

import (
	"context"
	"crypto/rsa"
	"errors"
)

// NewReader opens a console that only reads opts.Store, for the commands
// that look and change nothing (users list, idp list, rules export,
// check-response): it runs no migration (the store is opened as it is),
// creates and loads no key, runs no retention, starts no listener and
// writes no event. Give it a store opened read-only, and it works beside
// a running console and on a read-only data directory.
//
// Its read methods answer as a serving console's would. Start refuses, and
// every method that writes fails on a read-only store. opts.Keys may be
// nil; with it, CheckAgainstIdP reads the SP's key when a response holds
// an encrypted assertion (see SPKeyForCheck).
func NewReader(ctx context.Context, opts Options) (*Console, error) {
	if opts.Store == nil {
		return nil, errors.New("core.NewReader: Store is required")
	}
	c := newConsole(opts)
	c.readOnly = true
	c.sp = &spServer{c: c, sps: map[string]cachedSP{}}
	// The demo IdP's switch as the listener would apply it (read only).
	c.applyDemoSwitch(ctx)
	return c, nil
}

// errReadOnly is Start's refusal on a console made by NewReader.
var errReadOnly = Errorf(EINVALID, "This console was opened read-only: it cannot serve sign-ins.")

// IdP returns the connected identity provider with slug, or an error
// with code ENOTFOUND.
func (c *Console) IdP(ctx context.Context, slug string) (IdP, error) {
	return c.store.GetIdP(ctx, slug)
}

// ExportRules returns the field mapping, account key settings, sync policy
// and role rules of the IdP with slug as a rules document (JSON), the
// format ImportRules reads.
func (c *Console) ExportRules(ctx context.Context, slug string) ([]byte, error) {
	idp, err := c.IdP(ctx, slug)
	if err != nil {
		return nil, err
	}
	return rulesJSON(idp)
}

// SPKeyForCheck returns the SP's private key, to open an encrypted
// assertion that CheckAgainstIdP is given: a serving console's own, or for
// a reader, the key read now from the key store (never created).
func (c *Console) SPKeyForCheck() (*rsa.PrivateKey, error) {
	if c.sp.key.Key != nil {
		return c.sp.key.Key, nil
	}
	if c.keys == nil {
		return nil, Errorf(ENOTFOUND, "This console was opened without its key store.")
	}
	return loadKey(c.keys, SPKeyName)
}
