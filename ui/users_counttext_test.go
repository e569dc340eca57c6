package ui

import "testing"

// TestCountTextAgreesWithTheTotal: the Users screen's count line says
// "account" and "matches" for one, "accounts" and "match" for more.
func TestCountTextAgreesWithTheTotal(t *testing.T) {
	tests := []struct {
		q            userQuery
		shown, total int
		want         string
	}{
		{userQuery{search: "ann"}, 1, 1, "1–1 of 1 account matches “ann”"},
		{userQuery{search: "ann"}, 2, 2, "1–2 of 2 accounts match “ann”"},
		{userQuery{role: "admin"}, 1, 1, "1–1 of 1 account matches the filters"},
		{userQuery{role: "admin"}, 100, 230, "1–100 of 230 accounts match the filters"},
		{userQuery{stale: true, staleDays: 1}, 1, 1, "1–1 of 1 account without a sign-in for 1 day"},
		{userQuery{}, 1, 1, "1–1 of 1 account, newest first"},
		{userQuery{}, 100, 230, "1–100 of 230 accounts, newest first"},
		{userQuery{search: "zed"}, 0, 0, "No account matches “zed”"},
	}
	for _, tt := range tests {
		if got := countText(tt.q, tt.shown, tt.total); got != tt.want {
			t.Errorf("countText(%+v, %d, %d) = %q, want %q", tt.q, tt.shown, tt.total, got, tt.want)
		}
	}
}
