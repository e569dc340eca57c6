// The built-in demo IdP: its SAML endpoints, persona picker and
// sessions, and its registration as the IdP "demo".

package core

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/crewjam/saml"
)

// demoIdP is a real SAML identity provider in the same process (crewjam's
// IdentityProvider with its own key), whose login page lists personas as
// buttons instead of asking for a password.
type demoIdP struct {
	c   *Console
	key KeyPair
}

// Paths of the demo IdP under the listener.
const (
	demoIdPMetadataPath = "/demo-idp/metadata"
	demoIdPSSOPath      = "/demo-idp/sso"
)

// identityProvider builds crewjam's IdentityProvider for the current base
// URL. It is cheap, so it is made per request and never goes stale when
// the base URL changes.
func (d *demoIdP) identityProvider() *saml.IdentityProvider {
	base := d.c.BaseURL()
	return &saml.IdentityProvider{
		Key:                     d.key.Key,
		Certificate:             d.key.Cert,
		Logger:                  slogLogger{d.c.log},
		MetadataURL:             mustParseURL(base + demoIdPMetadataPath),
		SSOURL:                  mustParseURL(base + demoIdPSSOPath),
		ServiceProviderProvider: demoSPs{d},
		SessionProvider:         demoSessions{d},
		SignatureMethod:         "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
		// What the personas send: the console refuses transient NameIDs.
		NameIDFormats: []saml.NameIDFormat{saml.EmailAddressNameIDFormat, saml.PersistentNameIDFormat, saml.UnspecifiedNameIDFormat},
		Clock:         nil,
	}
}

func (d *demoIdP) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+demoIdPMetadataPath, d.whenOn(func(w http.ResponseWriter, r *http.Request) {
		d.identityProvider().ServeMetadata(w, r)
	}))
	mux.HandleFunc(demoIdPSSOPath, d.whenOn(func(w http.ResponseWriter, r *http.Request) {
		d.identityProvider().ServeSSO(w, r)
	}))
}

// whenOn serves h while the demo IdP is switched on, and 404 otherwise.
func (d *demoIdP) whenOn(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !d.c.demoOn.Load() {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}
}

// metadataXML returns the demo IdP's metadata as registered in the store.
func (d *demoIdP) metadataXML() (string, error) {
	md := d.identityProvider().Metadata()
	buf, err := xmlMarshal(md)
	if err != nil {
		return "", fmt.Errorf("encode demo IdP metadata: %w", err)
	}
	return string(buf), nil
}

// demoSPs answers the IdP's "who is this service provider" with our own SP
// metadata for the demo connection.
type demoSPs struct{ d *demoIdP }

// GetServiceProvider implements saml.ServiceProviderProvider.
func (p demoSPs) GetServiceProvider(r *http.Request, id string) (*saml.EntityDescriptor, error) {
	c := p.d.c
	if id != c.Endpoints(DemoSlug).EntityID {
		return nil, os.ErrNotExist
	}
	idp, err := c.cachedIdP(r.Context(), DemoSlug)
	if err != nil {
		return nil, os.ErrNotExist
	}
	sp, err := c.sp.serviceProvider(idp)
	if err != nil {
		return nil, err
	}
	// Without an encryption key in the SP metadata it is given, the demo
	// IdP sends assertions in the clear (still signed), so that a demo shows
	// what an assertion holds.
	md := sp.Metadata()
	for i := range md.SPSSODescriptors {
		var keep []saml.KeyDescriptor
		for _, kd := range md.SPSSODescriptors[i].KeyDescriptors {
			if kd.Use != "encryption" {
				keep = append(keep, kd)
			}
		}
		md.SPSSODescriptors[i].KeyDescriptors = keep
	}
	return md, nil
}

// demoSessions is the persona picker. It signs in only what the console
// itself asks for: a persona chosen by a POST from the picker page (which
// carries the page's token, an HMAC of the AuthnRequest), or a generated
// new hire from the simulator (with an HMAC of the hire and the
// AuthnRequest made with the console's HireSecret). Anything else shows the
// page of personas, or a refusal that signs nothing.
type demoSessions struct{ d *demoIdP }

// Form fields of the demo IdP's login page.
const (
	formPersona = "persona"
	formToken   = "token"    // the picker page's token for this AuthnRequest
	formHire    = "hire"     // base64 JSON of a Persona, used by the simulator
	formHireMAC = "hire_mac" // HireSecret.HireMAC of the request and the hire
)

// GetSession implements saml.SessionProvider.
func (s demoSessions) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	if r.Method != http.MethodPost || (r.PostForm.Get(formPersona) == "" && r.PostForm.Get(formHire) == "") {
		if token := r.URL.Query().Get(personaSignInParam); token != "" {
			p, why := s.redeem(r, token)
			if why == "" {
				return s.d.session(p)
			}
			s.showPicker(w, r, req, why)
			return nil
		}
		s.showPicker(w, r, req, "")
		return nil
	}
	p, err := s.chosen(r, req)
	if err != nil {
		s.d.c.log.Warn("demo IdP refused a sign-in", "remote", r.RemoteAddr, "reason", err)
		render(w, http.StatusForbidden, "error.html", map[string]any{
			"Title":  "The demo IdP signs nothing for this request",
			"Reason": ErrorMessage(err),
			"Hint": "The demo IdP signs in only a person picked on its own page, or a new hire sent by this console's " +
				"simulator (the Demo screen, or jitconsole demo simulate --data-dir DIR of the running console).",
		})
		return nil
	}
	return s.d.session(p)
}

// chosen returns the person a POST to the picker asks for, if the console
// asked for it: a hire with a valid MAC, or a persona with the page's token.
func (s demoSessions) chosen(r *http.Request, req *saml.IdpAuthnRequest) (Persona, error) {
	secret := s.d.c.hireSecret
	if hire := r.PostForm.Get(formHire); hire != "" {
		if !secret.verify(r.PostForm.Get(formHireMAC), macPurposeHire, req.RequestBuffer, []byte(hire)) {
			return Persona{}, Errorf(EFORBIDDEN, "The new hire is not signed with this console's secret.")
		}
		p, err := decodeHire(hire)
		if err != nil {
			return Persona{}, Errorf(EINVALID, "The hire field is not a valid persona: %v.", err)
		}
		return p, nil
	}
	if !secret.verify(r.PostForm.Get(formToken), macPurposePicker, req.RequestBuffer) {
		return Persona{}, Errorf(EFORBIDDEN, "The choice of person did not come from the demo IdP's own page for this sign-in.")
	}
	p, ok := s.find(r.Context(), r.PostForm.Get(formPersona))
	if !ok {
		return Persona{}, Errorf(ENOTFOUND, "The demo IdP has no persona %q.", r.PostForm.Get(formPersona))
	}
	return p, nil
}

func (s demoSessions) find(ctx context.Context, id string) (Persona, bool) {
	ps, err := s.d.c.store.ListPersonas(ctx)
	if err != nil {
		s.d.c.log.Error("demo IdP: list personas", "err", err)
		return Persona{}, false
	}
	for _, p := range ps {
		if p.ID == id {
			return p, true
		}
	}
	return Persona{}, false
}

// redeem signs in the persona of a one-time token the console minted
// (MintPersonaSignIn), or returns why it signs nobody in.
func (s demoSessions) redeem(r *http.Request, token string) (Persona, string) {
	id, why := s.d.c.signIns.consume(token, s.d.c.clock.Now())
	if why != "" {
		s.d.c.log.Info("demo IdP: a sign-in link signs nobody in", "remote", r.RemoteAddr, "reason", why)
		return Persona{}, why
	}
	p, ok := s.find(r.Context(), id)
	if !ok {
		return Persona{}, fmt.Sprintf("The persona %q of this sign-in link no longer exists: pick a person below.", id)
	}
	return p, ""
}

// showPicker renders the page of personas, with note (if any) saying why
// a sign-in link did not sign someone in.
func (s demoSessions) showPicker(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest, note string) {
	ps, err := s.d.c.store.ListPersonas(r.Context())
	if err != nil {
		http.Error(w, "the demo IdP cannot read its personas", http.StatusInternalServerError)
		return
	}
	render(w, http.StatusOK, "demo-idp.html", map[string]any{
		"Note":        note,
		"Action":      s.d.c.BaseURL() + demoIdPSSOPath,
		"SAMLRequest": base64.StdEncoding.EncodeToString(req.RequestBuffer),
		"RelayState":  req.RelayState,
		"Token":       s.d.c.hireSecret.pickerToken(req.RequestBuffer),
		"Personas":    ps,
		"SPName":      "JIT Console",
	})
}

// nameIDFormats maps a persona's short format name to the SAML URI.
var nameIDFormats = map[NameIDFormat]string{
	NameIDEmail:       string(saml.EmailAddressNameIDFormat),
	NameIDPersistent:  string(saml.PersistentNameIDFormat),
	NameIDTransient:   string(saml.TransientNameIDFormat),
	NameIDUnspecified: string(saml.UnspecifiedNameIDFormat),
}

// session makes the IdP session for persona p: the NameID and every
// attribute the demo IdP sends, with the plain names most IdPs use.
func (d *demoIdP) session(p Persona) *saml.Session {
	now := d.c.clock.Now()
	format, ok := nameIDFormats[p.NameIDFormat]
	if !ok {
		format = nameIDFormats[NameIDUnspecified]
		if strings.Contains(p.NameIDValue(), "@") {
			format = nameIDFormats[NameIDEmail]
		}
	}
	basic := "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
	attr := func(name string, values ...string) []saml.Attribute {
		var vs []saml.AttributeValue
		for _, v := range values {
			if v != "" {
				vs = append(vs, saml.AttributeValue{Type: "xs:string", Value: v})
			}
		}
		if len(vs) == 0 {
			return nil
		}
		return []saml.Attribute{{Name: name, NameFormat: basic, Values: vs}}
	}
	var attrs []saml.Attribute
	attrs = append(attrs, attr("uid", p.Username)...)
	attrs = append(attrs, attr("email", p.Email)...)
	attrs = append(attrs, attr("displayName", p.DisplayName)...)
	attrs = append(attrs, attr("givenName", p.GivenName)...)
	attrs = append(attrs, attr("sn", p.Surname)...)
	attrs = append(attrs, attr("department", p.Department)...)
	attrs = append(attrs, attr("groups", p.Groups...)...)
	return &saml.Session{
		ID:               randomToken(),
		CreateTime:       now,
		ExpireTime:       now.Add(time.Hour),
		Index:            randomToken(),
		NameID:           p.NameIDValue(),
		NameIDFormat:     format,
		CustomAttributes: attrs,
	}
}

// encodeHire packs a generated new hire for the demo IdP's hire field.
func encodeHire(p Persona) string {
	b, _ := json.Marshal(p)
	return base64.StdEncoding.EncodeToString(b)
}

func decodeHire(s string) (Persona, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return Persona{}, err
	}
	var p Persona
	if err := json.Unmarshal(b, &p); err != nil {
		return Persona{}, err
	}
	if p.NameIDValue() == "" {
		return Persona{}, fmt.Errorf("hire has no NameID")
	}
	return p, nil
}

// slogLogger adapts slog to crewjam's logger interface.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Printf(format string, v ...any) { s.l.Debug(fmt.Sprintf(format, v...)) }
func (s slogLogger) Print(v ...any)                 { s.l.Debug(fmt.Sprint(v...)) }
func (s slogLogger) Println(v ...any)               { s.l.Debug(fmt.Sprint(v...)) }
func (s slogLogger) Fatal(v ...any)                 { s.l.Error(fmt.Sprint(v...)) }
func (s slogLogger) Fatalf(format string, v ...any) { s.l.Error(fmt.Sprintf(format, v...)) }
func (s slogLogger) Fatalln(v ...any)               { s.l.Error(fmt.Sprint(v...)) }
func (s slogLogger) Panic(v ...any)                 { s.l.Error(fmt.Sprint(v...)) }
func (s slogLogger) Panicf(format string, v ...any) { s.l.Error(fmt.Sprintf(format, v...)) }
func (s slogLogger) Panicln(v ...any)               { s.l.Error(fmt.Sprint(v...)) }

// registerDemoIdP registers the demo IdP as IdP "demo" on first launch,
// with its personas, and keeps its metadata in step with the base URL.
func (c *Console) registerDemoIdP(ctx context.Context) error {
	md, err := c.demo.metadataXML()
	if err != nil {
		return err
	}
	entityID := c.BaseURL() + demoIdPMetadataPath
	idp, err := c.store.GetIdP(ctx, DemoSlug)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		idp = IdP{Slug: DemoSlug, DisplayName: "Demo IdP (built in)", EntityID: entityID,
			MetadataXML: md, Enabled: true, Mapping: withRuleIDs(DemoMapping()), MetadataSource: SourceDemo}
		if _, err := c.store.SaveIdP(ctx, idp); err != nil {
			return fmt.Errorf("register demo IdP: %w", err)
		}
		c.publish(ctx, Event{Kind: EventIdPRegistered, Outcome: OutcomeInfo, IdPSlug: DemoSlug,
			Message: "Built-in demo IdP registered with six personas"})
	case err != nil:
		return fmt.Errorf("look up demo IdP: %w", err)
	case idp.MetadataXML != md || idp.EntityID != entityID || idp.MetadataSource != SourceDemo:
		idp.MetadataXML, idp.EntityID, idp.MetadataSource = md, entityID, SourceDemo
		if _, err := c.store.SaveIdP(ctx, idp); err != nil {
			return fmt.Errorf("update demo IdP metadata: %w", err)
		}
	}
	if _, err := c.store.GetSetting(ctx, "demo.personas_seeded"); ErrorCode(err) == ENOTFOUND {
		for _, p := range DefaultPersonas() {
			if err := c.store.SavePersona(ctx, p); err != nil {
				return fmt.Errorf("seed persona %q: %w", p.ID, err)
			}
		}
		return c.store.SetSetting(ctx, "demo.personas_seeded", "1")
	}
	return nil
}
