package ui

import (
	"encoding/base64"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
)

// The validator's window opens no larger than the main window, and its
// content fits in it (what does not, scrolls), before a check and with
// a refusal shown.
func TestValidatorWindowFitsTheMainWindow(t *testing.T) {
	h := newHarness(t, nil)
	h.win.Resize(fyne.NewSize(1024, 700))
	v := h.openValidator()
	fits := func(when string) {
		t.Helper()
		size, min := v.win.Canvas().Size(), v.win.Content().MinSize()
		if size.Width > 1024 || size.Height > 700 {
			t.Errorf("%s: the validator is %v over a 1024×700 main window", when, size)
		}
		if min.Width > size.Width || min.Height > size.Height {
			t.Errorf("%s: the validator's content needs %v, more than its %v window", when, min, size)
		}
	}
	fits("opened")
	resp := freshResponse(t, h.con)
	h.check(v, resp)
	fits("valid")
	xml, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		t.Fatal(err)
	}
	h.check(v, strings.ReplaceAll(string(xml), "alice@example.com", "mallory@example.com"))
	fits("refused")
}
