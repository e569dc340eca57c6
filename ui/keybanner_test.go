package ui

import (
	"context"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/jitconsole/jitconsole/core"
)

// movableKeys is the real service with keys in files while the keyring
// answers: the move succeeds (the warning goes) or fails with err.
type movableKeys struct {
	Service
	mu      sync.Mutex
	warning string
	err     error
	moves   int
}

func (m *movableKeys) KeyWarning() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.warning
}

func (m *movableKeys) CanMoveKeysToKeyring() bool { return true }

func (m *movableKeys) MoveKeysToKeyring(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.moves++
	if m.err != nil {
		m.warning = "Still in files: " + core.ErrorMessage(m.err)
		return m.err
	}
	m.warning = ""
	return nil
}

// TestKeyBannerMovesKeysIntoKeyring: the banner offers the move; a move
// that works takes the banner away; one that fails keeps it with what is
// left, shows why, and can be tried again.
func TestKeyBannerMovesKeysIntoKeyring(t *testing.T) {
	for _, fail := range []bool{false, true} {
		var svc *movableKeys
		h := newHarness(t, func(s Service) Service {
			svc = &movableKeys{Service: s, warning: "Private keys saved while the OS keyring was not reachable are still kept in /x/keys."}
			if fail {
				svc.err = core.Errorf(core.EUNAVAILABLE, "The OS keyring did not store the key.")
			}
			return svc
		})
		if h.app.keyMove == nil || !shows(h.app.banner, "Move keys into the keyring") {
			t.Fatalf("the banner offers no move: %q", texts(h.app.banner))
		}
		test.Tap(h.app.keyMove)
		h.waitFor("the move", func() bool { return !h.app.keyMove.Disabled() || !h.app.banner.Visible() })
		if svc.moves != 1 {
			t.Fatalf("moves = %d", svc.moves)
		}
		if !fail {
			if h.app.banner.Visible() {
				t.Error("the banner stays after the keys moved")
			}
			continue
		}
		if !h.app.banner.Visible() || h.app.warning.Text != "Still in files: The OS keyring did not store the key." {
			t.Errorf("after a failed move: banner shown %t, %q", h.app.banner.Visible(), h.app.warning.Text)
		}
		if top := h.win.Canvas().Overlays().Top(); top == nil || !shows(top, "did not store") {
			t.Error("a failed move shows no error")
		}
	}
}

// TestKeyBannerWithoutOffer: keys kept in files by choice (the harness's
// file key store) get the banner without the move.
func TestKeyBannerWithoutOffer(t *testing.T) {
	h := newHarness(t, nil)
	if h.app.banner == nil || h.app.keyMove != nil {
		t.Errorf("banner %v, move offered %t", h.app.banner != nil, h.app.keyMove != nil)
	}
}
