// The SCIM Users endpoint: create, read, list with filters and paging,
// replace, patch and delete (deprovision).

package core

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// scimDefaultCount and scimMaxCount page lists when the IdP asks for no
// or too many resources.
const (
	scimDefaultCount = 100
	scimMaxCount     = 1000
)

func (c *Console) scimCreateUser(w http.ResponseWriter, r *http.Request, slug string) error {
	var obj scimObject
	if err := readSCIMJSON(r, &obj); err != nil {
		return err
	}
	if err := obj.normalize(); err != nil {
		return err
	}
	id, err := newSCIMID()
	if err != nil {
		return err
	}
	rec, err := obj.record(SCIMRecord{IdPSlug: slug, ID: id}, c.scimKeyField(r.Context(), slug))
	if err != nil {
		return err
	}
	rec.Account.Disabled = !rec.Active
	now := c.clock.Now()
	rec.Created, rec.Updated = now, now
	rec, note, err := c.scimMap(r.Context(), slug, obj, rec, now)
	if err != nil {
		return err
	}
	saved, ev, err := c.store.CreateSCIMUser(r.Context(), rec, Event{At: now, Kind: EventSCIM, Outcome: OutcomeAccepted,
		IdPSlug: slug, Subject: rec.Account.NameID, Message: fmt.Sprintf("SCIM provisioned %s%s", rec.UserName, note)})
	if err != nil {
		if ErrorCode(err) == ECONFLICT {
			return scimErr(http.StatusConflict, "uniqueness", ErrorMessage(err))
		}
		return err
	}
	c.publishStored(ev)
	w.Header().Set("Location", c.scimLocation(slug, saved.ID))
	writeSCIMJSON(w, http.StatusCreated, c.scimRender(saved))
	return nil
}

func (c *Console) scimGetUser(w http.ResponseWriter, r *http.Request, slug, id string) error {
	rec, err := c.store.SCIMUser(r.Context(), slug, id)
	if err != nil {
		return err
	}
	writeSCIMJSON(w, http.StatusOK, c.scimRender(rec))
	return nil
}

func (c *Console) scimListUsers(w http.ResponseWriter, r *http.Request, slug string) error {
	q, err := scimFilterQuery(r.URL.Query().Get("filter"))
	if err != nil {
		return err
	}
	start := 1
	if s := r.URL.Query().Get("startIndex"); s != "" {
		if start, err = strconv.Atoi(s); err != nil {
			return scimErr(http.StatusBadRequest, "invalidValue", "startIndex must be a number")
		}
		start = max(start, 1)
	}
	q.Offset, q.Count = start-1, scimDefaultCount
	if s := r.URL.Query().Get("count"); s != "" {
		if q.Count, err = strconv.Atoi(s); err != nil {
			return scimErr(http.StatusBadRequest, "invalidValue", "count must be a number")
		}
		q.Count = min(max(q.Count, 0), scimMaxCount)
	}
	recs, total, err := c.store.ListSCIMUsers(r.Context(), slug, q)
	if err != nil {
		return err
	}
	resources := make([]map[string]any, 0, len(recs))
	for _, rec := range recs {
		resources = append(resources, c.scimRender(rec))
	}
	writeSCIMJSON(w, http.StatusOK, map[string]any{
		"schemas": []string{scimListSchema}, "totalResults": total,
		"startIndex": start, "itemsPerPage": len(resources), "Resources": resources})
	return nil
}

func (c *Console) scimReplaceUser(w http.ResponseWriter, r *http.Request, slug, id string) error {
	prev, err := c.store.SCIMUser(r.Context(), slug, id)
	if err != nil {
		return err
	}
	var obj scimObject
	if err := readSCIMJSON(r, &obj); err != nil {
		return err
	}
	return c.scimUpdate(w, r, prev, obj, "replaced")
}

func (c *Console) scimPatchUser(w http.ResponseWriter, r *http.Request, slug, id string) error {
	prev, err := c.store.SCIMUser(r.Context(), slug, id)
	if err != nil {
		return err
	}
	var req struct {
		Operations []scimPatchOp `json:"Operations"`
	}
	if err := readSCIMJSON(r, &req); err != nil {
		return err
	}
	var obj scimObject
	if err := json.Unmarshal(prev.Resource, &obj); err != nil {
		return fmt.Errorf("read stored SCIM user %s: %w", id, err)
	}
	if err := obj.applyPatch(req.Operations); err != nil {
		return err
	}
	return c.scimUpdate(w, r, prev, obj, "patched")
}

// scimUpdate stores obj as the new state of prev and answers with it.
func (c *Console) scimUpdate(w http.ResponseWriter, r *http.Request, prev SCIMRecord, obj scimObject, verb string) error {
	if err := obj.normalize(); err != nil {
		return err
	}
	next := prev
	next.Account = User{ID: prev.Account.ID}
	next, err := obj.record(next, c.scimKeyField(r.Context(), prev.IdPSlug))
	if err != nil {
		return err
	}
	next.Updated = c.clock.Now()
	next, note, err := c.scimMap(r.Context(), prev.IdPSlug, obj, next, next.Updated)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("SCIM %s %s%s", verb, next.UserName, note)
	next.Account.Disabled, msg = scimDisabled(prev, next.Active, msg)
	saved, ev, err := c.store.UpdateSCIMUser(r.Context(), next, Event{At: next.Updated, Kind: EventSCIM, Outcome: OutcomeAccepted,
		IdPSlug: prev.IdPSlug, UserID: prev.Account.ID, Subject: next.Account.NameID, Message: msg})
	if err != nil {
		if ErrorCode(err) == ECONFLICT {
			return scimErr(http.StatusConflict, "uniqueness", ErrorMessage(err))
		}
		return err
	}
	c.publishStored(ev)
	writeSCIMJSON(w, http.StatusOK, c.scimRender(saved))
	return nil
}

// scimDisabled is whether SCIM wants the account disabled (active:false
// disables, active:true enables), with msg saying what changes. The store
// keeps an account an admin disabled disabled whatever SCIM says, and
// adds SCIMAdminWinsNote to the event when it does.
func scimDisabled(prev SCIMRecord, active bool, msg string) (bool, string) {
	switch {
	case !active && !prev.Account.Disabled:
		return true, msg + "; deactivated: sign-in is refused"
	case active && prev.Account.Disabled && !prev.Active:
		return false, msg + "; activated again"
	}
	return !active, msg
}

// SCIMAdminWinsNote ends the event of a SCIM change that said active to
// an account an admin disabled: the admin's disable wins.
const SCIMAdminWinsNote = "; SCIM says active, but an admin disabled the account, and that wins: it stays disabled"

// SCIMKeepsDisabled is the rule both stores apply in the transaction that
// writes a SCIM change: an account that is disabled although SCIM did not
// disable it (SCIM last said active, or it has no SCIM record: a JIT
// account) was disabled by an admin, and SCIM's active:true leaves it
// disabled.
func SCIMKeepsDisabled(wantDisabled, nowDisabled, scimDisabledIt bool) bool {
	return !wantDisabled && nowDisabled && !scimDisabledIt
}

func (c *Console) scimDeleteUser(w http.ResponseWriter, r *http.Request, slug, id string) error {
	prev, err := c.store.SCIMUser(r.Context(), slug, id)
	if err != nil {
		return err
	}
	next := prev
	next.Deprovisioned, next.Account.Disabled, next.Updated = true, true, c.clock.Now()
	_, ev, err := c.store.UpdateSCIMUser(r.Context(), next, Event{At: next.Updated, Kind: EventSCIMDeprovisioned, Outcome: OutcomeAccepted,
		IdPSlug: slug, UserID: prev.Account.ID, Subject: prev.Account.NameID,
		Message: fmt.Sprintf("SCIM deprovisioned %s: the account is kept, disabled; sign-in is refused", prev.UserName)})
	if err != nil {
		return err
	}
	c.publishStored(ev)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// scimRender is the resource as the IdP sees it: what it sent, with id,
// meta, schemas and active as the console holds them.
func (c *Console) scimRender(rec SCIMRecord) map[string]any {
	out := map[string]any{}
	_ = json.Unmarshal(rec.Resource, &out)
	obj := scimObject(out)
	delete(obj, obj.key("active"))
	out["active"] = rec.Active
	out["id"] = rec.ID
	if _, ok := out["schemas"]; !ok {
		out["schemas"] = []string{scimUserSchema}
	}
	out["meta"] = map[string]any{
		"resourceType": "User", "location": c.scimLocation(rec.IdPSlug, rec.ID),
		"created": rec.Created.UTC().Format(time.RFC3339), "lastModified": rec.Updated.UTC().Format(time.RFC3339)}
	return out
}

func (c *Console) scimLocation(slug, id string) string {
	return fmt.Sprintf("%s/scim/%s/v2/Users/%s", c.BaseURL(), slug, id)
}
