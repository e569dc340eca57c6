// The assertion consumer service: verifying a posted response, accepting
// the login or refusing it, and the pages the browser gets.

package core

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/crewjam/saml"
	"github.com/jitconsole/jitconsole/assets"
)

// MaxACSBody is the largest ACS request body accepted; larger requests are
// refused before any parsing.
const MaxACSBody = 256 << 10

// handleACS is the assertion consumer service (HTTP-POST binding): it
// verifies the response, provisions the account and sends the browser to
// the welcome page; every refusal becomes a login row and an event.
func (s *spServer) handleACS(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("idp")
	if r.Method != http.MethodPost {
		class := ClassMalformed
		if r.URL.Query().Get("SAMLart") != "" {
			class = ClassArtifact
		}
		s.refuse(w, r, slug, "", classified(class, fmt.Errorf("%s %s", r.Method, r.URL.Path)), http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxACSBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.refuse(w, r, slug, "", classified(ClassTooLarge, err), http.StatusRequestEntityTooLarge)
			return
		}
		s.refuse(w, r, slug, "", classified(ClassMalformed, err), http.StatusBadRequest)
		return
	}
	idp, err := s.c.cachedIdP(r.Context(), slug)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			s.refuse(w, r, slug, "", classified(ClassUnknownIdP, err), http.StatusNotFound)
		} else {
			s.c.log.Error("ACS: look up IdP", "slug", slug, "err", err)
			outcomeOf(r).refuse(ClassStorage)
			s.renderError(w, http.StatusServiceUnavailable, "Something went wrong", "The console could not read its database.", "Try again in a moment; if it persists, run jitconsole db check.", 0)
		}
		return
	}
	outcomeOf(r).knownIdP(idp.Slug)
	if v, ok := idpGate(idp, s.c.demoServes(slug)); !ok {
		s.refuse(w, r, slug, "", v, http.StatusForbidden)
		return
	}
	if r.PostForm.Get("SAMLart") != "" {
		s.refuse(w, r, slug, "", classified(ClassArtifact, nil), http.StatusBadRequest)
		return
	}
	sp, err := s.serviceProvider(idp)
	if err != nil {
		s.refuse(w, r, slug, "", classified(ClassMalformed, err), http.StatusInternalServerError)
		return
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.PostForm.Get("SAMLResponse")))
	if err != nil || len(raw) == 0 {
		s.refuse(w, r, slug, "", classified(ClassMalformed, fmt.Errorf("SAMLResponse is missing or not base64: %v", err)), http.StatusBadRequest)
		return
	}
	rec := &Recording{Raw: raw, RawSize: len(raw), RemoteAddr: r.RemoteAddr, Weak: usesSHA1(raw)}
	// A RelayState that is no tracked request's token (IdP-initiated, or
	// expired) is looked at no further; one bound to another browser is a
	// login CSRF (or a second browser) and refused. An answered token
	// still names its request, so that a replayed POST gets as far as the
	// replay check and is refused as what it is. Nothing is written
	// before the login's own transaction.
	now := s.c.clock.Now()
	var (
		req   requestState
		token = r.PostForm.Get("RelayState")
	)
	if token != "" {
		id, answered, err := s.c.store.LookupRequest(r.Context(), token, slug, s.postedBinding(r), now)
		switch {
		case err == nil:
			req = requestState{ids: []string{id}, answered: answered, solicitedOnly: true}
		case ErrorCode(err) == EFORBIDDEN:
			s.refuse(w, r, slug, "", classified(ClassBrowserMismatch, err), http.StatusForbidden)
			return
		case ErrorCode(err) != ENOTFOUND:
			s.c.log.Error("ACS: look up tracked request", "idp", slug, "err", err)
			s.refuseRecorded(w, r, slug, "", classified(ClassStorage, err), http.StatusServiceUnavailable, rec)
			return
		default:
			token = ""
		}
	}
	sp, seen := withReplayCheck(r.Context(), sp, s.c.store, now)
	assertion, v, ok := verifyResponse(sp, idp.Security, raw, req, now)
	if !ok {
		status := http.StatusForbidden
		if v.Class == ClassStorage {
			s.c.log.Error("ACS: replay cache", "idp", slug, "err", v.Err)
			status = http.StatusServiceUnavailable
		}
		s.refuseRecorded(w, r, slug, "", v, status, rec)
		return
	}
	s.accept(w, r, idp, assertion, claim{token: token, expires: seen.expires}, rec)
}

// claim is what a verified login uses up in its transaction: the sign-in
// request's token (empty when the response answers none) and the
// assertion's replay-cache deadline.
type claim struct {
	token   string
	expires time.Time
}

// usesSHA1 tells whether a signature in raw uses a SHA-1 based signature
// or digest method. It looks only inside SignedInfo elements (an encrypted
// key's RSA-OAEP digest is not a signature), with byte scans that cost
// microseconds on the login path, unlike a second XML parse.
func usesSHA1(raw []byte) bool {
	tag := []byte("SignedInfo")
	for rest := raw; ; {
		open := bytes.Index(rest, tag)
		if open < 0 {
			return false
		}
		rest = rest[open+len(tag):]
		end := bytes.Index(rest, tag) // the closing tag's name
		if end < 0 {
			end = len(rest)
		}
		p := rest[:end]
		if bytes.Contains(p, []byte("xmldsig#rsa-sha1")) || bytes.Contains(p, []byte("xmldsig#sha1")) ||
			bytes.Contains(p, []byte("xmldsig-more#ecdsa-sha1")) || bytes.Contains(p, []byte("xmldsig#dsa-sha1")) {
			return true
		}
		if end == len(rest) {
			return false
		}
		rest = rest[end+len(tag):]
	}
}

// checkRequiredSignatures enforces an IdP's "require a signed response /
// assertion" settings; it parses raw again only when one is on.
func checkRequiredSignatures(sec IdPSecurity, raw []byte, key *rsa.PrivateKey) (Verdict, bool) {
	if !sec.RequireSignedResponse && !sec.RequireSignedAssertion {
		return Verdict{}, true
	}
	var rep CheckReport
	describeSignatures(raw, key, &rep)
	signed := strings.Join(rep.Signed, ",")
	if sec.RequireSignedResponse && !strings.Contains(signed, "response") {
		v := classified(ClassNoSignature, nil)
		v.Reason = "The Response element is not signed, and this IdP's settings require a signed response."
		v.Hint = "Configure the IdP to sign the whole response, or relax the setting."
		return v, false
	}
	if sec.RequireSignedAssertion && !strings.Contains(signed, "assertion") {
		v := classified(ClassNoSignature, nil)
		v.Reason = "The Assertion element is not signed, and this IdP's settings require a signed assertion."
		v.Hint = "Configure the IdP to sign the assertion, or relax the setting."
		return v, false
	}
	return Verdict{}, true
}

// accept maps the verified assertion and provisions the account.
func (s *spServer) accept(w http.ResponseWriter, r *http.Request, idp IdP, a *saml.Assertion, c claim, rec *Recording) {
	subj, v, ok := subjectOf(idp, a)
	if !ok {
		s.refuseRecorded(w, r, idp.Slug, subj.nameID, v, http.StatusForbidden, rec)
		return
	}
	nameID, fields, attrs := subj.nameID, subj.eval.Fields, subj.attrs
	for i := range fields.Roles {
		fields.Roles[i].IdPSlug = idp.Slug
	}
	res, err := s.c.store.ApplyLogin(r.Context(), Provision{
		At:          s.c.clock.Now(),
		IdPSlug:     idp.Slug,
		NameID:      nameID,
		Username:    fields.Username,
		Email:       fields.Email,
		DisplayName: fields.DisplayName,
		GivenName:   fields.GivenName,
		FamilyName:  fields.FamilyName,
		Roles:       fields.Roles,
		Deny:        subj.eval.Deny,
		DenyReason:  subj.eval.Reason,
		Sync:        idp.Mapping.Sync,
		LinkByEmail: idp.Mapping.LinkByEmail,
		Warnings:    subj.warnings,
		// Keys match whatever their case unless the mapping says not to.
		CaseInsensitiveKey: !idp.Mapping.CaseSensitiveKey,
		Attributes:         attrs,
		AssertionID:        a.ID,
		AssertionExpires:   c.expires,
		RequestToken:       c.token,
		Record:             rec,
	})
	if v, refused := loginRefusal(err); refused {
		s.refuseRecorded(w, r, idp.Slug, nameID, v, http.StatusForbidden, rec)
		return
	}
	switch ErrorCode(err) {
	case EREPLAYED:
		// Another post of this response won the race to the transaction:
		// the same refusal as a replay crewjam's check sees.
		v := classifySAMLError(fmt.Errorf("assertion %q: %w", a.ID, saml.ErrAssertionReplayed), rec.Raw)
		s.refuseRecorded(w, r, idp.Slug, nameID, v, http.StatusForbidden, rec)
		return
	case EANSWERED:
		s.refuseRecorded(w, r, idp.Slug, nameID, classified(ClassInResponseTo, errSecondResponse), http.StatusForbidden, rec)
		return
	}
	if err != nil {
		s.c.log.Error("ACS: provision", "idp", idp.Slug, "name_id", nameID, "err", err)
		s.refuseRecorded(w, r, idp.Slug, nameID, classified(ClassStorage, err), http.StatusServiceUnavailable, rec)
		return
	}
	s.c.broker.Publish(res.Event)
	outcomeOf(r).accept()
	token := s.welcome.put(welcomePageOf(res, idp.DisplayName, s.c.Endpoints(idp.Slug).LoginURL), s.c.clock.Now())
	http.SetCookie(w, &http.Cookie{Name: welcomeCookie, Value: token, Path: "/welcome",
		HttpOnly: true, Secure: s.c.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: int(welcomeLifetime / time.Second)})
	http.Redirect(w, r, "/welcome", http.StatusSeeOther)
}

// refuse refuses a request that cannot be a login (wrong method, no form,
// unknown or disabled IdP, no SAMLResponse): it leaves a compact record
// (no raw body, the slug cut to MaxCompactSlug characters, repeats from
// one remote IP within CompactWindow counted on one row) and shows the
// browser a friendly page naming the event.
func (s *spServer) refuse(w http.ResponseWriter, r *http.Request, slug, nameID string, v Verdict, status int) {
	slug = compactSlug(slug)
	detail := ""
	if v.Err != nil {
		detail = cutText(v.Err.Error(), maxCompactDetail)
		s.c.log.Info("ACS refused", "idp", slug, "class", v.Class, "err", detail)
	}
	if v.Class == ClassUnknownIdP {
		// The path names no IdP, and a sender can vary it at will: junk
		// from one address to any unknown path shares one row a minute.
		detail = cutText(fmt.Sprintf("posted to /saml/%s/acs (the first of these requests)", slug), maxCompactDetail)
		slug = ""
	}
	rec := &Recording{RemoteAddr: remoteIP(r.RemoteAddr), Detail: detail, Class: v.Class, Reason: v.Reason, Hint: v.Hint}
	s.recordRefusal(w, r, Refusal{At: s.c.clock.Now(), IdPSlug: slug, NameID: nameID,
		Class: v.Class, Reason: v.Reason, Hint: v.Hint, Record: rec, Compact: true}, status)
}

// refuseRecorded refuses a request that could be a login, with its full
// flight recorder entry rec (the raw response included). The library's
// error text goes only to the log and the flight recorder.
func (s *spServer) refuseRecorded(w http.ResponseWriter, r *http.Request, slug, nameID string, v Verdict, status int, rec *Recording) {
	if v.Err != nil {
		s.c.log.Info("ACS refused", "idp", slug, "class", v.Class, "err", v.Err)
		rec.Detail = v.Err.Error()
	}
	rec.Class, rec.Reason, rec.Hint = v.Class, v.Reason, v.Hint
	if nameID == "" && len(rec.Raw) > 0 {
		// Unverified, for the recorder's list only: who the refused
		// response claimed to be.
		rec.NameID = scanResponse(rec.Raw).nameID
	}
	if v.Class == ClassMalformed && len(rec.Raw) > maxRecordedMalformed && !bytes.HasPrefix(bytes.TrimSpace(rec.Raw), []byte("<")) {
		// Not XML: the start is enough to see what it was.
		rec.Raw, rec.RawTruncated = rec.Raw[:maxRecordedMalformed], true
	}
	s.recordRefusal(w, r, Refusal{At: s.c.clock.Now(), IdPSlug: slug, NameID: nameID,
		Class: v.Class, Reason: v.Reason, Hint: v.Hint, Record: rec}, status)
	s.c.noteRecorded(min(len(rec.Raw), MaxRecordedResponse))
}

// maxRecordedMalformed is the most of a response that is not XML the
// recorder keeps.
const maxRecordedMalformed = 16 << 10

// recordRefusal stores ref and shows the browser the refusal page. A
// compact refusal that only counted one more on an existing row reaches
// the live feed when its count is a power of two: a flood of requests
// cannot flood the feed.
func (s *spServer) recordRefusal(w http.ResponseWriter, r *http.Request, ref Refusal, status int) {
	outcomeOf(r).refuse(ref.Class)
	_, ev, err := s.c.store.RecordRefusal(r.Context(), ref)
	if err != nil {
		s.c.log.Error("ACS: record refusal", "idp", ref.IdPSlug, "err", err)
	} else if feedWorthy(ev.Count) {
		s.c.broker.Publish(ev)
	}
	title := "Sign-in refused"
	if ref.Class == ClassStorage {
		title = "The console could not save the sign-in"
	}
	s.renderError(w, status, title, ref.Reason, ref.Hint, ev.ID)
}

// feedWorthy tells whether an event standing for count requests reaches
// the live feed: the first, then at each power of two, so that a flood of
// repeats cannot flood the feed.
func feedWorthy(count int) bool { return count <= 1 || count&(count-1) == 0 }

func (s *spServer) renderError(w http.ResponseWriter, status int, title, reason, hint string, eventID int64) {
	render(w, status, "error.html", map[string]any{"Title": title, "Reason": reason, "Hint": hint, "EventID": eventID})
}

func render(w http.ResponseWriter, status int, page string, data map[string]any) {
	data["CSS"] = assets.PageCSS
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = assets.Pages.ExecuteTemplate(w, page, data)
}

// AssertionAttributes returns every attribute of a, by Name, with every
// value in order, and a map from FriendlyName to Name for the attributes
// that have one.
func AssertionAttributes(a *saml.Assertion) (Attributes, map[string]string) {
	out := Attributes{}
	friendly := map[string]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			name := at.Name
			if name == "" {
				name = at.FriendlyName
			}
			for _, v := range at.Values {
				out[name] = append(out[name], v.Value)
			}
			if at.FriendlyName != "" && at.FriendlyName != name {
				friendly[at.FriendlyName] = name
			}
		}
	}
	return out, friendly
}

func attributeNames(attrs Attributes) string {
	if len(attrs) == 0 {
		return "no attributes"
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
