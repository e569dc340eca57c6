// Moving private keys kept in files (saved while no OS keyring was
// reachable) into the OS keyring, from the key banner.

package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// KeyMover is a KeyStore that can move secrets from files into the OS
// keyring (storage.KeyStore).
type KeyMover interface {
	// FileKeyNames lists the secrets kept in files.
	FileKeyNames() []string
	// KeyringReachable reports whether the OS keyring answers.
	KeyringReachable() bool
	// MoveToKeyring writes the secret to the keyring, reads it back and
	// compares, then removes its file; on failure the file stays.
	MoveToKeyring(name string) error
}

// CanMoveKeysToKeyring reports whether some private keys are in files
// while the OS keyring answers: the key banner then offers to move them.
func (c *Console) CanMoveKeysToKeyring() bool {
	m, ok := c.keys.(KeyMover)
	return ok && len(m.FileKeyNames()) > 0 && m.KeyringReachable()
}

// MoveKeysToKeyring moves every private key kept in a file into the OS
// keyring. A key whose move fails stays in its file (never lost) and the
// error says why; KeyWarning then says what is left.
func (c *Console) MoveKeysToKeyring(ctx context.Context) error {
	m, ok := c.keys.(KeyMover)
	if !ok {
		return Errorf(EINVALID, "This console's key store cannot move keys into the OS keyring.")
	}
	var moved []string
	var errs []error
	for _, name := range m.FileKeyNames() {
		if err := m.MoveToKeyring(name); err != nil {
			errs = append(errs, err)
			continue
		}
		moved = append(moved, name)
	}
	inFile, why := c.keys.Fallback()
	c.mu.Lock()
	if inFile {
		c.keyAlert = why
	} else {
		c.keyAlert = ""
	}
	c.mu.Unlock()
	if len(moved) > 0 {
		by := osUser()
		c.publish(ctx, Event{Kind: EventAdminChange, Outcome: OutcomeInfo, Subject: by,
			Message: fmt.Sprintf("Private keys moved into the OS keyring by %s: %s", by, strings.Join(moved, ", "))})
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = ErrorMessage(err)
	}
	return &Error{Code: ErrorCode(errs[0]), Err: errors.Join(errs...), Message: strings.Join(msgs, " ")}
}
