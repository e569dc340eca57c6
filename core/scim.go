// The SCIM 2.0 service provider (RFC 7643/7644) of each IdP connection,
// at /scim/{idp}/v2 on the SP listener: Users, ServiceProviderConfig,
// ResourceTypes and Schemas.
//
// Protocol library: github.com/scim2/filter-parser/v2 reads filters and
// PATCH paths; the handlers are ours. github.com/elimity-com/scim was
// read and set aside: its Server is one fixed configuration mounted at
// one base path, with ResourceHandler callbacks that own the resource
// model and its attributes, while here one handler serves every IdP
// (/scim/{idp}/v2, the IdP from the path), a SCIM user is a row of the
// accounts table JIT sign-ins share (one transaction with its event),
// authentication is our per-IdP token checked before any parsing, and a
// refused request leaves our compact, coalesced event; elimity has no
// hook for the token or the refusal record and would have us translate
// its resource attributes into our account and back on every call.
//
// A SCIM user is an account: creating one makes (or takes over) the
// account with the IdP and the SAML account key as NameID, so the next
// SAML sign-in of the person updates it instead of making a second.

package core

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Event kinds of SCIM.
const (
	// EventSCIM is a change SCIM made to an account.
	EventSCIM EventKind = "scim.change"
	// EventSCIMDeprovisioned is an account SCIM deleted: kept, disabled.
	// It is in the audit log.
	EventSCIMDeprovisioned EventKind = "scim.deprovisioned"
	// EventSCIMRefused is a SCIM request refused for want of a valid
	// token, coalesced: one row a minute per IdP and address.
	EventSCIMRefused EventKind = "scim.refused"
)

// MaxSCIMBody is the largest SCIM request body read (413 beyond it).
const MaxSCIMBody = 256 << 10

// scimError is an RFC 7644 §3.12 error: status, scimType and detail.
type scimError struct {
	Status   int
	ScimType string
	Detail   string
}

func (e *scimError) Error() string {
	return fmt.Sprintf("SCIM %d %s: %s", e.Status, e.ScimType, e.Detail)
}

func scimErr(status int, scimType, detail string) error {
	return &scimError{Status: status, ScimType: scimType, Detail: detail}
}

// scimRoutes registers the SCIM endpoints on mux.
func (c *Console) scimRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/scim/{idp}/v2/{rest...}", c.serveSCIM)
}

// serveSCIM authenticates the request, then dispatches it.
func (c *Console) serveSCIM(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("idp")
	_, idpErr := c.cachedIdP(r.Context(), slug)
	if idpErr != nil || !c.scimAuthorized(r.Context(), slug, r.Header.Get("Authorization")) {
		ev := Event{Kind: EventSCIMRefused, Outcome: OutcomeRefused, IdPSlug: compactSlug(slug), Subject: remoteIP(r.RemoteAddr),
			Message: "SCIM request without a valid bearer token refused"}
		if idpErr != nil {
			// The path names no IdP (or a removed one, whose token must
			// not come back with a new IdP of the slug), and a sender can
			// vary it at will: every unknown slug from one address shares
			// one row a minute.
			ev.IdPSlug, ev.Message = "", "SCIM request for an unknown IdP refused"
		}
		c.log.Info("SCIM refused: no valid bearer token", "idp", ev.IdPSlug, "remote", ev.Subject, "method", r.Method)
		c.publishCoalesced(r.Context(), ev)
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
		writeSCIMError(w, scimErr(http.StatusUnauthorized, "", "A valid bearer token is required: make one for this IdP in the console."))
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, MaxSCIMBody)
	}
	rest := strings.Trim(r.PathValue("rest"), "/")
	resource, id, _ := strings.Cut(rest, "/")
	c.log.Debug("SCIM request", "idp", slug, "method", r.Method, "path", rest)
	var err error
	switch {
	case resource == "Users" && id == "" && r.Method == http.MethodGet:
		err = c.scimListUsers(w, r, slug)
	case resource == "Users" && id == "" && r.Method == http.MethodPost:
		err = c.scimCreateUser(w, r, slug)
	case resource == "Users" && id != "" && r.Method == http.MethodGet:
		err = c.scimGetUser(w, r, slug, id)
	case resource == "Users" && id != "" && r.Method == http.MethodPut:
		err = c.scimReplaceUser(w, r, slug, id)
	case resource == "Users" && id != "" && r.Method == http.MethodPatch:
		err = c.scimPatchUser(w, r, slug, id)
	case resource == "Users" && id != "" && r.Method == http.MethodDelete:
		err = c.scimDeleteUser(w, r, slug, id)
	case r.Method == http.MethodGet && (resource == "ServiceProviderConfig" || resource == "ResourceTypes" || resource == "Schemas"):
		err = c.scimDiscovery(w, r, slug, resource, id)
	case resource == "Users" || resource == "ServiceProviderConfig" || resource == "ResourceTypes" || resource == "Schemas":
		err = scimErr(http.StatusMethodNotAllowed, "", r.Method+" is not supported on /"+rest)
	default:
		err = scimErr(http.StatusNotFound, "", "no such SCIM endpoint: /"+rest)
	}
	if err != nil {
		var se *scimError
		if !errors.As(err, &se) {
			c.log.Error("SCIM", "idp", slug, "method", r.Method, "path", rest, "err", err)
		}
		writeSCIMError(w, err)
	}
}

// writeSCIMError writes err as an RFC 7644 error body: a *scimError as
// it is, a too large body as 413, store errors by their code.
func writeSCIMError(w http.ResponseWriter, err error) {
	var (
		se  *scimError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &se):
	case errors.As(err, &mbe):
		se = &scimError{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("The request body is larger than %d bytes.", MaxSCIMBody)}
	case ErrorCode(err) == ENOTFOUND:
		se = &scimError{Status: http.StatusNotFound, Detail: ErrorMessage(err)}
	case ErrorCode(err) == ECONFLICT:
		se = &scimError{Status: http.StatusConflict, ScimType: "uniqueness", Detail: ErrorMessage(err)}
	case ErrorCode(err) == EINVALID:
		se = &scimError{Status: http.StatusBadRequest, ScimType: "invalidValue", Detail: ErrorMessage(err)}
	default:
		se = &scimError{Status: http.StatusInternalServerError, Detail: "The console could not complete the request; its log says why."}
	}
	body := map[string]any{"schemas": []string{scimErrorSchema}, "status": strconv.Itoa(se.Status), "detail": se.Detail}
	if se.ScimType != "" {
		body["scimType"] = se.ScimType
	}
	writeSCIMJSON(w, se.Status, body)
}

func writeSCIMJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readSCIMJSON decodes the body into v: 413 when it is too large, 400
// invalidSyntax when it is not the JSON expected.
func readSCIMJSON(r *http.Request, v any) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return scimErr(http.StatusBadRequest, "invalidSyntax", "cannot read the request body")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return scimErr(http.StatusBadRequest, "invalidSyntax", "the body is not the JSON expected: "+err.Error())
	}
	return nil
}

// scimKeyField is the SCIM field that holds the IdP's SAML account key:
// userName (the default), externalId or emails.
func (c *Console) scimKeyField(ctx context.Context, slug string) string {
	v, err := c.store.GetSetting(ctx, scimKeySetting(slug))
	if err != nil || v == "" {
		return "userName"
	}
	return v
}

// SCIMAccountKey returns which SCIM field of the IdP's users holds the
// SAML account key: userName unless SetSCIMAccountKey chose another.
func (c *Console) SCIMAccountKey(ctx context.Context, slug string) string {
	return c.scimKeyField(ctx, slug)
}

func scimKeySetting(slug string) string { return "scim.account_key." + slug }

// SetSCIMAccountKey sets which SCIM field of the IdP's users holds the
// SAML account key (the NameID its assertions carry): userName,
// externalId or emails (the primary email).
func (c *Console) SetSCIMAccountKey(ctx context.Context, slug, field string) error {
	switch field {
	case "userName", "externalId", "emails":
	default:
		return Errorf(EINVALID, "The SCIM account key must be userName, externalId or emails, not %q.", field)
	}
	if _, err := c.store.GetIdP(ctx, slug); err != nil {
		return err
	}
	return c.store.SetSetting(ctx, scimKeySetting(slug), field)
}

// newSCIMID returns a random version-4 UUID.
func newSCIMID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make a SCIM id: %w", err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
