package core_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
)

// captureMany makes n signed responses of the demo IdP, one per login,
// for new hires (so that each posted one creates an account).
func captureMany(b *testing.B, tc *testConsole, n int) []captured {
	b.Helper()
	out := make([]captured, n)
	for i := range out {
		client := newClient()
		hire := fmtHire(i)
		acs, form, err := demoResponseForHire(context.Background(), client, tc, hire)
		if err != nil {
			b.Fatal(err)
		}
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		out[i] = captured{ACS: acs, Form: form, Client: client}
	}
	return out
}

// BenchmarkACSLogin is one accepted first login at the ACS, over HTTP on
// loopback: parse, verify, map, provision, record, publish.
func BenchmarkACSLogin(b *testing.B) {
	tc := startConsoleB(b)
	resps := captureMany(b, tc, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := resps[i].Client.PostForm(resps[i].ACS, resps[i].Form)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			b.Fatalf("HTTP %d", resp.StatusCode)
		}
	}
}

// BenchmarkLibraryParseOnly is crewjam's verification of the same kind of
// response alone: the floor the ACS is measured against.
func BenchmarkLibraryParseOnly(b *testing.B) {
	tc := startConsoleB(b)
	resps := captureMany(b, tc, b.N)
	idp, err := tc.DB.GetIdP(context.Background(), "demo")
	if err != nil {
		b.Fatal(err)
	}
	md, err := samlsp.ParseMetadata([]byte(idp.MetadataXML))
	if err != nil {
		b.Fatal(err)
	}
	ep := tc.Endpoints("demo")
	acs, _ := url.Parse(ep.ACSURL)
	sp := &saml.ServiceProvider{EntityID: ep.EntityID, AcsURL: *acs, IDPMetadata: md,
		ValidateRequestID: func(saml.Response, []string) error { return nil }}
	raws := make([][]byte, b.N)
	for i := range raws {
		raws[i], _ = base64.StdEncoding.DecodeString(resps[i].Form.Get("SAMLResponse"))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := sp.ParseXMLResponse(raws[i], nil, *acs); err != nil {
			b.Fatal(err)
		}
	}
}
