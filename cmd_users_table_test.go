package main

import (
	"bytes"
	"strings"
	"testing"
	"text/tabwriter"
)

// TestTableWidthsAlignAsTabwriter: the streamed users table pads each cell
// as text/tabwriter did when it kept every row (the same bytes), with
// wide and non-ASCII text, and an empty cell.
func TestTableWidthsAlignAsTabwriter(t *testing.T) {
	rows := [][]string{
		userTableHead,
		{"12", "zoë", "Zoë Ångström", "zoe@example.com", "demo", "scim", "", "2026-12-01 04:28", "never", "0"},
		{"7", "a", "B", "c@example.com", "okta-production", "jit", "admin,engineering", "2026-11-30 09:00", "2026-12-01 08:00", "1234"},
	}
	var want bytes.Buffer
	tw := tabwriter.NewWriter(&want, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		tw.Write([]byte(strings.Join(r, "\t") + "\n"))
	}
	tw.Flush()

	widths := userTableWidths()
	for _, r := range rows[1:] {
		widths.measure(r)
	}
	var got bytes.Buffer
	for _, r := range rows {
		if err := widths.writeRow(&got, r); err != nil {
			t.Fatal(err)
		}
	}
	if got.String() != want.String() {
		t.Errorf("streamed table:\n%s\ntabwriter's:\n%s", got.String(), want.String())
	}
}
