package core_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestConcurrentPostsOfOneResponse posts one fresh response K times at
// once, over and over: every time exactly one post is accepted (one
// account, one login), and every other is refused as a replay. The
// request token, the replay entry and the account are used up in one
// transaction, so no race can refuse every copy or accept two.
func TestConcurrentPostsOfOneResponse(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	hire := 0
	wantReplays := 0
	for _, tt := range []struct{ k, trials int }{{2, 12}, {8, 6}, {32, 3}} {
		for trial := range tt.trials {
			hire++
			person := fmtHire(hire)
			client := newClient()
			acs, form, err := demoResponseForHire(ctx, client, tc, person)
			if err != nil {
				t.Fatal(err)
			}
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			statuses := make([]int, tt.k)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range tt.k {
				wg.Go(func() {
					<-start
					resp, err := client.PostForm(acs, form)
					if err != nil {
						t.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					statuses[i] = resp.StatusCode
				})
			}
			close(start)
			wg.Wait()
			accepted, refused := 0, 0
			for _, s := range statuses {
				switch s {
				case http.StatusSeeOther:
					accepted++
				case http.StatusForbidden:
					refused++
				}
			}
			name := fmt.Sprintf("K=%d trial %d", tt.k, trial+1)
			if accepted != 1 || refused != tt.k-1 {
				t.Fatalf("%s: statuses %v: %d accepted, %d refused; want 1 and %d", name, statuses, accepted, refused, tt.k-1)
			}
			wantReplays += tt.k - 1
			u, err := tc.DB.UserByKey(ctx, core.DemoSlug, person.Email, true)
			if err != nil {
				t.Fatalf("%s: the account: %v", name, err)
			}
			if u.LoginCount != 1 {
				t.Errorf("%s: the account has %d logins, want 1", name, u.LoginCount)
			}
		}
	}
	evs, err := tc.DB.ListEvents(ctx, core.EventFilter{Kinds: []core.EventKind{core.EventLoginRefused}, Limit: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	classes := map[core.RefusalClass]int{}
	for _, e := range evs {
		classes[e.Class] += max(e.Count, 1)
	}
	if classes[core.ClassReplayed] != wantReplays || len(classes) != 1 {
		t.Errorf("refusals by class: %v; want only %s, %d of them", classes, core.ClassReplayed, wantReplays)
	}
}
