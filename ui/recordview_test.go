package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/jitconsole/jitconsole/core"
)

// TestSignaturesViewTellsTheTruth: a signature by a key the IdP's
// metadata does not list is shown as such, with the listed fingerprints,
// and a response that came over plain http is not said to be inside TLS.
func TestSignaturesViewTellsTheTruth(t *testing.T) {
	test.NewTempApp(t)
	tests := []struct {
		name      string
		view      core.RecordingView
		want, not []string
	}{
		{"unlisted key over http", core.RecordingView{
			Signatures:          []core.SignatureInfo{{Element: "Assertion", CertFingerprint: "AA:BB", Trust: core.TrustUnlisted}},
			TrustedFingerprints: []string{"CC:DD"}, Transport: "http"},
			[]string{"Assertion signed by a key this IdP's metadata does not list", "AA:BB", "CC:DD", "over plain HTTP"},
			[]string{"Assertion signed\n", "inside TLS"}},
		{"listed key over https", core.RecordingView{
			Signatures:          []core.SignatureInfo{{Element: "Response", CertFingerprint: "CC:DD", Trust: core.TrustListed}},
			TrustedFingerprints: []string{"CC:DD"}, Transport: "https"},
			[]string{"Response signed", "inside TLS"},
			[]string{"does not list", "plain HTTP"}},
		{"pasted, nothing known", core.RecordingView{
			Signatures: []core.SignatureInfo{{Element: "Response"}}},
			[]string{"Response signed", "no certificate in KeyInfo", "the assertion is in clear"},
			[]string{"does not list", "TLS", "plain HTTP"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := texts(signaturesView(tt.view))
			joined := "\n" + strings.Join(got, "\n") + "\n"
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("lacks %q in %q", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(joined, n) {
					t.Errorf("shows %q in %q", n, got)
				}
			}
		})
	}
}
