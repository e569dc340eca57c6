package storage

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// TestBatchedLoginFailsAlone: logins committed together each get their
// own result. A refused one (a disabled account, a replay) leaves none
// of its writes, its replay entry included, and takes nothing from the
// others in its batch.
func TestBatchedLoginFailsAlone(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	blocked, err := db.ApplyLogin(ctx, core.Provision{At: t0, IdPSlug: "demo", NameID: "blocked"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SetUsersDisabled(ctx, []int64{blocked.User.ID}, true, "root"); err != nil {
		t.Fatal(err)
	}
	batched := db.logins.batched.Load()
	for round := 0; db.logins.batched.Load() == batched; round++ {
		if round == 50 {
			t.Fatal("50 bursts of 16 concurrent logins never shared a transaction")
		}
		results := make([]error, 16)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range results {
			p := core.Provision{At: t0, IdPSlug: "demo", NameID: fmt.Sprintf("r%d-p%d", round, i),
				AssertionID: fmt.Sprintf("_r%d-a%d", round, i), AssertionExpires: t0.Add(time.Hour)}
			switch i {
			case 3:
				p.NameID, p.AssertionID = "blocked", fmt.Sprintf("_r%d-blocked", round)
			case 5:
				p.AssertionID = fmt.Sprintf("_r%d-a4", round) // the same assertion as login 4
			}
			wg.Go(func() {
				<-start
				_, results[i] = db.ApplyLogin(ctx, p)
			})
		}
		close(start)
		wg.Wait()
		replays := 0
		for i, err := range results {
			switch {
			case i == 3:
				wantCode(t, err, core.EFORBIDDEN)
			case i == 4 || i == 5:
				if core.ErrorCode(err) == core.EREPLAYED {
					replays++
				} else if err != nil {
					t.Errorf("login %d: %v", i, err)
				}
			case err != nil:
				t.Errorf("login %d: %v", i, err)
			}
		}
		if replays != 1 {
			t.Errorf("round %d: %d of two logins of one assertion refused as replays, want 1", round, replays)
		}
		if n := count(t, db, "replay_cache", "id = ?", fmt.Sprintf("_r%d-blocked", round)); n != 0 {
			t.Errorf("round %d: the refused login's assertion is in the replay cache", round)
		}
		if n := count(t, db, "logins", "name_id LIKE ?", fmt.Sprintf("r%d-%%", round)); n != 14 {
			t.Errorf("round %d: %d login rows, want 14 (16 less the disabled and the replay)", round, n)
		}
	}
	if n := count(t, db, "logins", "name_id = 'blocked'"); n != 1 {
		t.Errorf("%d login rows of the disabled account, want its first only", n)
	}
}

// TestCloseWhileLoggingIn: Close during a stream of logins returns, and
// every login either committed or failed with an error.
func TestCloseWhileLoggingIn(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	first := make(chan struct{})
	var once sync.Once
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				_, err := db.ApplyLogin(ctx, core.Provision{At: t0, IdPSlug: "demo", NameID: fmt.Sprintf("w%d-%d", w, i)})
				if err != nil {
					return
				}
				once.Do(func() { close(first) })
			}
		})
	}
	<-first
	closed := make(chan error)
	go func() { closed <- db.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not return within 30 s while logins were queued")
	}
	wg.Wait()
}
