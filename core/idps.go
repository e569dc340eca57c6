// IdP connections: importing metadata (file, URL, pasted), updating,
// refreshing and removing a connection, slugs, and the SP metadata given
// to an IdP.

package core

import (
	"context"
	"encoding/xml"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// DefaultRefreshEvery is how often URL-sourced metadata is fetched again.
const DefaultRefreshEvery = 24 * time.Hour

// MetadataSource says where an IdP's metadata came from: one of the
// Source* constants.
type MetadataSource string

// Metadata sources.
const (
	SourceDemo  MetadataSource = "demo"
	SourceFile  MetadataSource = "file"
	SourceURL   MetadataSource = "url"
	SourcePaste MetadataSource = "paste"
)

// MetadataInput is metadata to preview or import: its bytes, or a URL to
// fetch them from.
type MetadataInput struct {
	Source MetadataSource // SourceFile, SourceURL or SourcePaste
	Name   string         // the file name or the URL, for messages
	Data   []byte         // for file and paste
	// EntityID picks one entity of an aggregate.
	EntityID string
}

// ImportRequest is an IdP to add (or replace) from metadata.
type ImportRequest struct {
	MetadataInput
	DisplayName string // default: from the entity ID's host
	Slug        string // default: from the display name
}

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ValidateSlug checks a slug for use in endpoint paths.
func ValidateSlug(slug string) error {
	if !slugRe.MatchString(slug) {
		return Errorf(EINVALID, "The slug %q must be 1 to 40 lower-case letters, digits or dashes, starting with a letter or digit.", slug)
	}
	if slug == "metadata" {
		return Errorf(EINVALID, "The slug %q is reserved.", slug)
	}
	return nil
}

// SuggestSlug makes a slug from a display name or an entity ID.
func SuggestSlug(name string) string {
	if u, err := url.Parse(name); err == nil && u.Host != "" {
		host := u.Hostname()
		if net.ParseIP(host) != nil || host == "localhost" {
			// An address says nothing; the path often does
			// (/simplesaml/…, /realms/acme/…, /adfs/…).
			segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
			switch {
			case len(segs) >= 2 && segs[0] == "realms":
				name = segs[1]
			case len(segs) > 0:
				name = segs[0]
			default:
				name = "idp"
			}
		} else {
			name = strings.TrimPrefix(host, "www.")
			if i := strings.IndexByte(name, '.'); i > 0 && strings.Count(name, ".") > 1 {
				name = name[:i]
			}
		}
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 40 {
		s = strings.Trim(s[:40], "-")
	}
	if s == "" || s == "metadata" {
		s = "idp"
	}
	return s
}

// metadataBytes returns the bytes of in, fetching a URL.
func (c *Console) metadataBytes(ctx context.Context, in MetadataInput) ([]byte, error) {
	if in.Source == SourceURL {
		return FetchMetadata(ctx, c.httpClient, in.Name)
	}
	return in.Data, nil
}

// PreviewMetadata validates metadata and describes it, saving nothing.
func (c *Console) PreviewMetadata(ctx context.Context, in MetadataInput) (MetadataPreview, error) {
	data, err := c.metadataBytes(ctx, in)
	if err != nil {
		return MetadataPreview{}, err
	}
	return ParseIdPMetadata(data, in.EntityID, c.clock.Now())
}

// ImportIdP validates metadata and saves a new IdP connection (or replaces
// the metadata of the IdP with the same slug, keeping its mapping and
// settings). Invalid metadata saves nothing.
func (c *Console) ImportIdP(ctx context.Context, req ImportRequest) (IdP, MetadataPreview, error) {
	plan, err := c.PreviewImport(ctx, req)
	prev, idp, slug, name, created := plan.Metadata, plan.IdP, plan.IdP.Slug, plan.IdP.DisplayName, !plan.Replaces || plan.CompletesDraft
	if err != nil {
		return IdP{}, prev, err
	}
	idp.MetadataURL = ""
	if req.Source == SourceURL {
		idp.MetadataURL = strings.TrimSpace(req.Name)
		idp.RefreshedAt, idp.RefreshError = c.clock.Now(), ""
	}
	saved, err := c.store.SaveIdP(ctx, idp)
	if err != nil {
		return IdP{}, prev, fmt.Errorf("save IdP %q: %w", slug, err)
	}
	verb := "connected"
	if !created {
		verb = "metadata replaced"
	}
	c.publish(ctx, Event{Kind: EventIdPRegistered, Outcome: OutcomeInfo, IdPSlug: slug,
		Subject: osUser(), Message: fmt.Sprintf("Identity provider %s %s (%s)", name, verb, prev.EntityID),
		Detail: fmt.Sprintf("source: %s %s; %d signing certificate(s)", req.Source, req.Name, len(prev.Certs))})
	return saved, prev, nil
}

// UpdateIdP saves an IdP's display name, enabled switch, security
// settings and refresh interval (not its metadata), as an audited change.
func (c *Console) UpdateIdP(ctx context.Context, idp IdP) (IdP, error) {
	old, err := c.store.GetIdP(ctx, idp.Slug)
	if err != nil {
		return IdP{}, err
	}
	if strings.TrimSpace(idp.DisplayName) == "" {
		return IdP{}, Errorf(EINVALID, "The display name must not be empty.")
	}
	if idp.RefreshEvery != 0 && idp.RefreshEvery < 5*time.Minute {
		return IdP{}, Errorf(EINVALID, "Refresh metadata at most every 5 minutes.")
	}
	next := old
	next.DisplayName = strings.TrimSpace(idp.DisplayName)
	next.Enabled = idp.Enabled
	next.Security = idp.Security
	next.RefreshEvery = idp.RefreshEvery
	saved, err := c.store.SaveIdP(ctx, next)
	if err != nil {
		return IdP{}, err
	}
	if diff := idpSettingsDiff(old, next); diff != "" {
		c.publish(ctx, Event{Kind: EventAdminChange, Outcome: OutcomeInfo, IdPSlug: idp.Slug, Subject: osUser(),
			Message: fmt.Sprintf("Settings of %s changed by %s", next.DisplayName, osUser()), Detail: diff})
	}
	return saved, nil
}

func idpSettingsDiff(a, b IdP) string {
	var d []string
	add := func(name string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			d = append(d, fmt.Sprintf("%s: %v → %v", name, x, y))
		}
	}
	add("display name", a.DisplayName, b.DisplayName)
	add("enabled", a.Enabled, b.Enabled)
	add("IdP-initiated login", a.Security.AllowIdPInitiated, b.Security.AllowIdPInitiated)
	add("accept SHA-1", !a.Security.RejectSHA1, !b.Security.RejectSHA1)
	add("require signed response", a.Security.RequireSignedResponse, b.Security.RequireSignedResponse)
	add("require signed assertion", a.Security.RequireSignedAssertion, b.Security.RequireSignedAssertion)
	add("refresh every", a.RefreshEvery, b.RefreshEvery)
	sort.Strings(d)
	return strings.Join(d, "; ")
}

// RefreshIdP fetches URL-sourced metadata again. What changed (a
// certificate added or removed, an endpoint changed) becomes an event. A
// failed refresh keeps the last good metadata and records why.
func (c *Console) RefreshIdP(ctx context.Context, slug string) (IdP, error) {
	idp, err := c.store.GetIdP(ctx, slug)
	if err != nil {
		return IdP{}, err
	}
	if idp.MetadataURL == "" {
		return idp, Errorf(EINVALID, "%s's metadata was not imported from a URL, so there is nothing to refresh.", idp.DisplayName)
	}
	now := c.clock.Now()
	old, oldErr := ParseIdPMetadata([]byte(idp.MetadataXML), "", now)
	data, err := FetchMetadata(ctx, c.httpClient, idp.MetadataURL)
	var prev MetadataPreview
	if err == nil {
		prev, err = ParseIdPMetadata(data, idp.EntityID, now)
		if err == nil && prev.EntityID != idp.EntityID {
			err = Errorf(EINVALID, "The metadata at the URL now describes %s, not %s.", prev.EntityID, idp.EntityID)
		}
	}
	if err != nil {
		idp.RefreshError = ErrorMessage(err)
		if saved, serr := c.store.SaveIdP(ctx, idp); serr == nil {
			idp = saved
		}
		c.publish(ctx, Event{Kind: EventIdPRefreshed, Outcome: OutcomeWarning, IdPSlug: slug,
			Message: fmt.Sprintf("Metadata refresh of %s failed; the last good metadata stays in use", idp.DisplayName),
			Detail:  idp.RefreshError})
		return idp, err
	}
	changes := []string{"unreadable stored metadata replaced"}
	if oldErr == nil {
		changes = MetadataChanges(old, prev)
	}
	idp.MetadataXML, idp.RefreshedAt, idp.RefreshError = prev.EntityXML, now, ""
	saved, err := c.store.SaveIdP(ctx, idp)
	if err != nil {
		return idp, err
	}
	if len(changes) > 0 {
		c.publish(ctx, Event{Kind: EventIdPRefreshed, Outcome: OutcomeWarning, IdPSlug: slug,
			Message: fmt.Sprintf("Metadata of %s changed: %s", idp.DisplayName, strings.Join(changes, "; ")),
			Detail:  strings.Join(changes, "\n")})
	}
	return saved, nil
}

// MetadataChanges lists what differs between two versions of an IdP's
// metadata, for a person.
func MetadataChanges(old, cur MetadataPreview) []string {
	var out []string
	oldCerts, curCerts := map[string]CertInfo{}, map[string]CertInfo{}
	for _, c := range old.Certs {
		oldCerts[c.Fingerprint] = c
	}
	for _, c := range cur.Certs {
		curCerts[c.Fingerprint] = c
	}
	for fp, c := range curCerts {
		if _, ok := oldCerts[fp]; !ok {
			out = append(out, fmt.Sprintf("certificate added: %s (%s…)", c.Subject, fp[:23]))
		}
	}
	for fp, c := range oldCerts {
		if _, ok := curCerts[fp]; !ok {
			out = append(out, fmt.Sprintf("certificate removed: %s (%s…)", c.Subject, fp[:23]))
		}
	}
	ep := func(p MetadataPreview) map[string]string {
		m := map[string]string{}
		for _, e := range p.SSO {
			m[e.Binding] = e.Location
		}
		return m
	}
	oe, ce := ep(old), ep(cur)
	for b, loc := range ce {
		if oe[b] != loc {
			out = append(out, fmt.Sprintf("SSO endpoint (%s) changed: %q → %q", bindingName(b), oe[b], loc))
		}
	}
	for b, loc := range oe {
		if _, ok := ce[b]; !ok {
			out = append(out, fmt.Sprintf("SSO endpoint (%s) removed: %q", bindingName(b), loc))
		}
	}
	sort.Strings(out)
	return out
}

func bindingName(b string) string {
	if i := strings.LastIndex(b, ":"); i >= 0 {
		return b[i+1:]
	}
	return b
}

// refreshDue refreshes every URL-sourced IdP whose interval has passed.
func (c *Console) refreshDue(ctx context.Context) {
	idps, err := c.store.ListIdPs(ctx)
	if err != nil {
		c.log.Error("metadata refresh: list IdPs", "err", err)
		return
	}
	now := c.clock.Now()
	for _, idp := range idps {
		every := idp.RefreshEvery
		if every == 0 {
			every = DefaultRefreshEvery
		}
		if idp.MetadataURL != "" && now.Sub(idp.RefreshedAt) >= every {
			if _, err := c.RefreshIdP(ctx, idp.Slug); err != nil {
				c.log.Warn("metadata refresh failed", "idp", idp.Slug, "err", err)
			}
		}
	}
}

// IdPs lists the connected identity providers.
func (c *Console) IdPs(ctx context.Context) ([]IdP, error) { return c.store.ListIdPs(ctx) }

// SPMetadataXML returns the SP metadata for the connection to slug, as an
// admin saves it for the IdP's console.
func (c *Console) SPMetadataXML(ctx context.Context, slug string) ([]byte, error) {
	idp, err := c.store.GetIdP(ctx, slug)
	if err != nil {
		return nil, err
	}
	sp, err := c.sp.serviceProvider(idp)
	if err != nil {
		return nil, err
	}
	b, err := xmlMarshal(sp.Metadata())
	if err != nil {
		return nil, fmt.Errorf("encode SP metadata: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}

// RemoveIdP deletes an IdP connection after the UI has asked for
// confirmation. Its users stay, marked as from a removed IdP.
func (c *Console) RemoveIdP(ctx context.Context, slug string) error {
	if slug == DemoSlug {
		return Errorf(EINVALID, "The built-in demo IdP cannot be removed; disable it instead.")
	}
	idp, err := c.store.GetIdP(ctx, slug)
	if err != nil {
		return err
	}
	if err := c.store.DeleteIdP(ctx, slug); err != nil {
		return fmt.Errorf("remove IdP %q: %w", slug, err)
	}
	c.sp.forget(slug)
	c.publish(ctx, Event{Kind: EventIdPRemoved, Outcome: OutcomeWarning, IdPSlug: slug, Subject: osUser(),
		Message: fmt.Sprintf("Identity provider %s removed by %s; its users stay, marked as from a removed IdP", idp.DisplayName, osUser())})
	return nil
}
