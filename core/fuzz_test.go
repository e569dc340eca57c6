package core_test

// Native Go fuzz targets for the parsers that read untrusted input: a
// posted or pasted SAML response, IdP metadata, XML shown pretty-printed,
// and rules documents. Each seeds from the fixtures in ../testdata (see its
// README) and asserts properties, not only the absence of a panic. go test
// runs the seeds; make fuzz fuzzes each target for FUZZTIME.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/jitconsole/jitconsole/core"
)

// addSeeds adds every file of ../testdata/dir to f's corpus, and each
// file's variants from more.
func addSeeds(f *testing.F, dir string, more ...func([]byte) []byte) {
	f.Helper()
	entries, err := os.ReadDir(filepath.Join("..", "testdata", dir))
	if err != nil {
		f.Fatalf("read the seeds: %v", err)
	}
	if len(entries) == 0 {
		f.Fatalf("no seeds in testdata/%s", dir)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("..", "testdata", dir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for _, m := range more {
			f.Add(m(b))
		}
	}
}

// wantCoreError fails unless err is an *core.Error with a message for a
// person.
func wantCoreError(t *testing.T, err error) {
	t.Helper()
	var ce *core.Error
	if !errors.As(err, &ce) || strings.TrimSpace(core.ErrorMessage(err)) == "" || ce.Code == core.EINTERNAL {
		t.Fatalf("error %v (%T) is not a *core.Error with a message for a person", err, err)
	}
}

// The trust FuzzCheckResponse checks against: Entra ID's metadata, at the
// time and for the SP its fixture responses were made for.
const (
	fuzzEntraAt       = "2025-06-02T15:04:06Z"
	fuzzEntraAudience = "https://sp.example.com/saml/metadata"
	fuzzEntraACS      = "https://sp.example.com/saml/acs"
	fuzzEntraNameID   = "alice@contoso.example"
)

// FuzzCheckResponse feeds responses to the validator under one fixed
// trust. Whatever the input: usage errors are *core.Error; a refusal has a
// class, a reason and a hint; the verdict is the same twice; and an
// accepted response carries the one identity the trusted IdP signed
// (anything else accepted would be a signature bypass).
func FuzzCheckResponse(f *testing.F) {
	addSeeds(f, "responses", func(b []byte) []byte {
		return []byte(base64.StdEncoding.EncodeToString(b))
	})
	metadata, err := os.ReadFile(filepath.Join("..", "testdata", "metadata", "entra-id.xml"))
	if err != nil {
		f.Fatal(err)
	}
	at, _ := time.Parse(time.RFC3339, fuzzEntraAt)
	check := func(response []byte) (core.CheckReport, error) {
		return core.CheckResponse(core.CheckOptions{Response: response, IdPMetadata: metadata,
			At: at, Audience: fuzzEntraAudience, ACS: fuzzEntraACS})
	}
	seed, err := os.ReadFile(filepath.Join("..", "testdata", "responses", "entra-id-both-signed.xml"))
	if err != nil {
		f.Fatal(err)
	}
	want, err := check(seed)
	if err != nil || !want.Valid || want.NameID != fuzzEntraNameID {
		f.Fatalf("the Entra ID seed is not valid under the fuzz trust: %+v, %v", want, err)
	}

	f.Fuzz(func(t *testing.T, response []byte) {
		rep, err := check(response)
		if err != nil {
			wantCoreError(t, err)
			return
		}
		if again, err := check(response); err != nil || !reflect.DeepEqual(again, rep) {
			t.Fatalf("two checks of one response differ:\n%+v\n%+v (%v)", rep, again, err)
		}
		if !rep.Valid {
			if rep.Class == "" || rep.Reason == "" || rep.Hint == "" {
				t.Fatalf("a refusal without class, reason or hint: %+v", rep)
			}
			return
		}
		if rep.Class != "" || len(rep.Signed) == 0 {
			t.Fatalf("an accepted response with a class or without a signature: %+v", rep)
		}
		if rep.NameID != want.NameID || rep.Issuer != want.Issuer || !reflect.DeepEqual(rep.Attributes, want.Attributes) {
			t.Fatalf("accepted an identity the IdP did not sign: NameID %q issuer %q attributes %v", rep.NameID, rep.Issuer, rep.Attributes)
		}
	})
}

// FuzzParseIdPMetadata feeds metadata to the import's validator. Errors
// are *core.Error (or a choice among two or more entities); accepted
// metadata has an entity ID, a usable endpoint and a certificate, and the
// entity as stored parses again to the same preview.
func FuzzParseIdPMetadata(f *testing.F) {
	addSeeds(f, "metadata", func(b []byte) []byte {
		// An aggregate of the file with itself and Okta's.
		okta, _ := os.ReadFile(filepath.Join("..", "testdata", "metadata", "okta.xml"))
		return []byte(`<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
			stripDecl(b) + stripDecl(okta) + `</EntitiesDescriptor>`)
	})
	now := time.Date(2025, 6, 2, 15, 4, 6, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := core.ParseIdPMetadata(data, "", now)
		if err != nil {
			var choose *core.ChooseEntityError
			if errors.As(err, &choose) {
				if len(choose.EntityIDs) < 2 {
					t.Fatalf("asked to choose among %v", choose.EntityIDs)
				}
				// Each choice is one of the entities, and choosing it works
				// or says why not.
				for _, id := range choose.EntityIDs {
					if _, err := core.ParseIdPMetadata(data, id, now); err != nil {
						wantCoreError(t, err)
					}
				}
				return
			}
			wantCoreError(t, err)
			return
		}
		if strings.TrimSpace(p.EntityID) == "" || len(p.SSO) == 0 || len(p.Certs) == 0 || p.EntityXML == "" {
			t.Fatalf("accepted metadata without entity ID, endpoints, certificates or XML: %+v", p)
		}
		again, err := core.ParseIdPMetadata([]byte(p.EntityXML), "", now)
		if err != nil {
			t.Fatalf("the stored entity does not parse again: %v\n%s", err, p.EntityXML)
		}
		p.EntityXML, again.EntityXML = "", ""
		if !reflect.DeepEqual(p, again) {
			t.Fatalf("the stored entity parses to another preview:\n%+v\n%+v", p, again)
		}
	})
}

func stripDecl(b []byte) string {
	s := string(b)
	if strings.HasPrefix(s, "<?xml") {
		if i := strings.Index(s, "?>"); i >= 0 {
			s = s[i+2:]
		}
	}
	return s
}

// FuzzPrettyXML feeds anything to the Activity screen's pretty printer.
// What is not XML comes back unchanged; XML comes back as XML with the
// same elements, attributes and text, and (without mixed content)
// printing it again changes nothing.
func FuzzPrettyXML(f *testing.F) {
	addSeeds(f, "xml")
	addSeeds(f, "metadata")
	addSeeds(f, "responses", func(b []byte) []byte {
		out, err := base64.StdEncoding.DecodeString(string(b))
		if err != nil {
			return b
		}
		return out
	})
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := core.PrettyXML(raw)
		in := etree.NewDocument()
		if err := in.ReadFromBytes(raw); err != nil || in.Root() == nil {
			if out != string(raw) {
				t.Fatalf("not XML, but changed:\n%q\n%q", raw, out)
			}
			return
		}
		printed := etree.NewDocument()
		if err := printed.ReadFromString(out); err != nil || printed.Root() == nil {
			if out == string(raw) {
				return // shown as it came, when etree cannot write it back
			}
			t.Fatalf("the pretty-printed XML does not parse: %v\n%s", err, out)
		}
		if a, b := shape(in.Root()), shape(printed.Root()); a != b {
			t.Fatalf("pretty-printing changed the document:\n%s\n%s", a, b)
		}
		// Indentation goes into mixed content ("text <i>x</i> tail"), so
		// only documents without it print to a fixed point. SAML has none.
		if twice := core.PrettyXML([]byte(out)); twice != out && !hasMixedContent(in.Root()) {
			t.Fatalf("pretty-printing twice changes the text:\n%s\n%s", out, twice)
		}
	})
}

// hasMixedContent reports whether some element under e has both text and
// other children (elements, comments, directives, processing
// instructions).
func hasMixedContent(e *etree.Element) bool {
	text, others := false, false
	for _, c := range e.Child {
		switch c := c.(type) {
		case *etree.CharData:
			text = text || strings.TrimSpace(c.Data) != ""
		case *etree.Element:
			others = true
			if hasMixedContent(c) {
				return true
			}
		default:
			others = true
		}
	}
	return text && others
}

// shape renders an element's names, attributes and text, without the
// whitespace between elements that indentation changes.
func shape(e *etree.Element) string {
	var b strings.Builder
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		b.WriteString("<" + e.Space + ":" + e.Tag)
		for _, a := range e.Attr {
			b.WriteString(" " + a.Space + ":" + a.Key + "=" + a.Value)
		}
		b.WriteString(">")
		for _, c := range e.Child {
			switch c := c.(type) {
			case *etree.Element:
				walk(c)
			case *etree.CharData:
				if s := strings.TrimSpace(c.Data); s != "" {
					b.WriteString("[" + s + "]")
				}
			case *etree.Comment:
				b.WriteString("<!--" + c.Data + "-->")
			case *etree.ProcInst:
				b.WriteString("<?" + c.Target + " " + c.Inst + "?>")
			}
		}
		b.WriteString("</>")
	}
	walk(e)
	return b.String()
}

// FuzzRulesDocument feeds rules documents to the import's parser. Errors
// are *core.Error with code EINVALID; an accepted document exports (as
// rules export writes it) to JSON that parses again and exports to the
// same bytes.
func FuzzRulesDocument(f *testing.F) {
	addSeeds(f, "rules")
	export := func(t *testing.T, doc core.RulesDocument) []byte {
		b, err := json.MarshalIndent(core.RulesDocument{Version: 1, IdP: doc.IdP, Mapping: doc.Mapping.Normalized()}, "", "  ")
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		return b
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := core.ParseRulesDocument(data)
		if err != nil {
			wantCoreError(t, err)
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("code %q, want %q", core.ErrorCode(err), core.EINVALID)
			}
			return
		}
		first := export(t, doc)
		back, err := core.ParseRulesDocument(first)
		if err != nil {
			t.Fatalf("the exported document is refused: %v\n%s", err, first)
		}
		if second := export(t, back); !bytes.Equal(first, second) {
			t.Fatalf("export, import, export changes the document:\n%s\n%s", first, second)
		}
		if !slices.Equal(doc.Mapping.RolesNamed(), back.Mapping.RolesNamed()) {
			t.Fatalf("the roles changed: %v → %v", doc.Mapping.RolesNamed(), back.Mapping.RolesNamed())
		}
	})
}
