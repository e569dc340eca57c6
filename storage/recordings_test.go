package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// samlResponse returns a SAMLResponse-like XML document of about size
// bytes.
func samlResponse(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1">`)
	for i := 0; b.Len() < size-20; i++ {
		fmt.Fprintf(&b, `<saml:Attribute Name="a%d"><saml:AttributeValue>v%d</saml:AttributeValue></saml:Attribute>`, i, i)
	}
	b.WriteString(`</samlp:Response>`)
	return b.Bytes()
}

func TestApplyLoginRecords(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	raw := samlResponse(8 << 10)
	for i, action := range []string{"created", "updated"} {
		p := alice(t0.Add(time.Duration(i) * time.Minute))
		rec := &core.Recording{
			At: t0.Add(time.Hour), IdPSlug: "ignored", NameID: "ignored", Outcome: "ignored", Action: "ignored",
			LoginID: 99, EventID: 99, UserID: 99, ID: 99,
			Weak: i == 1, RemoteAddr: "192.0.2.7:51234", Raw: raw, RawSize: len(raw),
		}
		orig := *rec
		p.Record = rec
		res, err := db.ApplyLogin(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*rec, orig) {
			t.Errorf("ApplyLogin changed the caller's Recording: %+v", *rec)
		}
		if res.Login.RecordingID == 0 {
			t.Fatalf("login %d: no RecordingID in %+v", i, res.Login)
		}
		got, err := db.GetRecording(ctx, res.Login.RecordingID)
		if err != nil {
			t.Fatal(err)
		}
		want := core.Recording{
			ID: res.Login.RecordingID, At: p.At, IdPSlug: "demo", LoginID: res.Login.ID, EventID: res.Event.ID,
			UserID: res.User.ID, NameID: "alice@example.com", Outcome: core.OutcomeAccepted, Action: action,
			Weak: i == 1, RemoteAddr: "192.0.2.7:51234", Raw: raw, RawSize: len(raw),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("login %d: recording\n%+v\nwant\n%+v", i, got, want)
		}
		d, err := db.GetUser(ctx, res.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Logins[0].ID != res.Login.ID || d.Logins[0].RecordingID != res.Login.RecordingID {
			t.Errorf("login history does not link the recording: %+v", d.Logins[0])
		}
	}
	// A login without a record writes none.
	res, err := db.ApplyLogin(ctx, alice(t0.Add(time.Hour)))
	if err != nil || res.Login.RecordingID != 0 {
		t.Errorf("login without a record: %+v, %v", res.Login, err)
	}
	if n := count(t, db, "recordings", ""); n != 2 {
		t.Errorf("%d recordings, want 2", n)
	}
}

func TestRecordRefusalRecords(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	tests := []struct {
		name string
		r    core.Refusal
		want core.Recording // Class, Reason, Hint, Detail, NameID
	}{
		{"class and texts from the refusal",
			core.Refusal{IdPSlug: "demo", NameID: "alice@example.com", Class: "expired", Reason: "It expired.", Hint: "Fix NTP.",
				Record: &core.Recording{Detail: "saml: assertion expired", Raw: []byte("<Response/>")}},
			core.Recording{NameID: "alice@example.com", Class: "expired", Reason: "It expired.", Hint: "Fix NTP.", Detail: "saml: assertion expired"}},
		{"the record's own texts win",
			core.Refusal{IdPSlug: "demo", Class: "signature_invalid", Reason: "Bad signature.",
				Record: &core.Recording{Class: "signature_invalid", Reason: "The signature does not verify.", Hint: "Check the certificate."}},
			core.Recording{Class: "signature_invalid", Reason: "The signature does not verify.", Hint: "Check the certificate."}},
		{"nothing received",
			core.Refusal{IdPSlug: "nosuch", Class: "unknown_idp", Reason: "Unknown IdP.", Record: &core.Recording{RemoteAddr: "[::1]:4000"}},
			core.Recording{Class: "unknown_idp", Reason: "Unknown IdP.", RemoteAddr: "[::1]:4000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.At = t0.Add(time.Second)
			login, ev, err := db.RecordRefusal(ctx, tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if login.RecordingID == 0 {
				t.Fatalf("no RecordingID in %+v", login)
			}
			got, err := db.GetRecording(ctx, login.RecordingID)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.ID, want.At, want.IdPSlug, want.LoginID, want.EventID = login.RecordingID, tt.r.At, tt.r.IdPSlug, login.ID, ev.ID
			want.Outcome, want.Raw, want.RawSize = core.OutcomeRefused, tt.r.Record.Raw, len(tt.r.Record.Raw)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("recording\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestRecordingRawIsCut(t *testing.T) {
	const limit = core.MaxRecordedResponse
	big := samlResponse(limit + 1000)
	tests := []struct {
		name          string
		raw           []byte
		rawSize       int
		rawTruncated  bool
		wantRaw       []byte
		wantSize      int
		wantTruncated bool
	}{
		{"nothing", nil, 0, false, nil, 0, false},
		{"small", []byte("<Response/>"), 0, false, []byte("<Response/>"), 11, false},
		{"exactly the limit", big[:limit], 0, false, big[:limit], limit, false},
		{"one byte over", big[:limit+1], 0, false, big[:limit], limit + 1, true},
		{"well over", big, len(big), false, big[:limit], len(big), true},
		{"already cut by the caller", big[:1000], 5000, true, big[:1000], 5000, true},
		{"cut by the caller, flag unset", big[:1000], 5000, false, big[:1000], 5000, true},
	}
	db, _ := openTest(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			login, _, err := db.RecordRefusal(context.Background(), core.Refusal{IdPSlug: "demo", Class: "too_large",
				Record: &core.Recording{Raw: tt.raw, RawSize: tt.rawSize, RawTruncated: tt.rawTruncated}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.GetRecording(context.Background(), login.RecordingID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Raw, tt.wantRaw) || got.RawSize != tt.wantSize || got.RawTruncated != tt.wantTruncated {
				t.Errorf("stored %d bytes, RawSize %d, RawTruncated %v; want %d, %d, %v",
					len(got.Raw), got.RawSize, got.RawTruncated, len(tt.wantRaw), tt.wantSize, tt.wantTruncated)
			}
		})
	}
}

// seedRecordings writes a few accepted and refused logins, one a minute
// from t0, each with a raw response, and returns their recording IDs in
// order.
func seedRecordings(t *testing.T, db *DB) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	add := func(l core.Login, _ core.Event, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.RecordingID)
	}
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	raw := func(i int) []byte { return []byte(fmt.Sprintf("<Response n=%d/>", i)) }

	p := alice(at(0)) // 0: alice at demo, accepted
	p.Record = &core.Recording{Raw: raw(0)}
	res, err := db.ApplyLogin(ctx, p)
	add(res.Login, res.Event, err)
	add(db.RecordRefusal(ctx, core.Refusal{At: at(1), IdPSlug: "demo", NameID: "bob@example.com", // 1
		Class: "expired", Reason: "The assertion expired 4 minutes ago.", Record: &core.Recording{Raw: raw(1)}}))
	add(db.RecordRefusal(ctx, core.Refusal{At: at(2), IdPSlug: "okta", NameID: "00u2ÉLO", // 2
		Class: "audience_mismatch", Reason: "The assertion is for another SP.", Record: &core.Recording{Raw: raw(2)}}))
	p = core.Provision{At: at(3), IdPSlug: "okta", NameID: "00u2ÉLO", Username: "elodie", // 3
		Record: &core.Recording{Raw: raw(3)}}
	res, err = db.ApplyLogin(ctx, p)
	add(res.Login, res.Event, err)
	add(db.RecordRefusal(ctx, core.Refusal{At: at(4), IdPSlug: "demo", // 4
		Class: "signature_invalid", Reason: "The signature of alice's response does not verify.", Record: &core.Recording{Raw: raw(4)}}))
	return ids
}

func TestListRecordings(t *testing.T) {
	db, _ := openTest(t)
	ids := seedRecordings(t, db)
	tests := []struct {
		name string
		f    core.RecordingFilter
		want []int // indexes into ids, in the order expected
	}{
		{"all, newest first", core.RecordingFilter{}, []int{4, 3, 2, 1, 0}},
		{"by IdP", core.RecordingFilter{IdPSlug: "okta"}, []int{3, 2}},
		{"unknown IdP", core.RecordingFilter{IdPSlug: "adfs"}, nil},
		{"accepted", core.RecordingFilter{Outcome: core.OutcomeAccepted}, []int{3, 0}},
		{"refused at demo", core.RecordingFilter{Outcome: core.OutcomeRefused, IdPSlug: "demo"}, []int{4, 1}},
		{"NameID", core.RecordingFilter{Search: "bob@"}, []int{1}},
		{"NameID, case-insensitive", core.RecordingFilter{Search: "BOB"}, []int{1}},
		{"non-ASCII, case-insensitive", core.RecordingFilter{Search: "u2élo"}, []int{3, 2}},
		{"class", core.RecordingFilter{Search: "audience"}, []int{2}},
		{"reason", core.RecordingFilter{Search: "alice's"}, []int{4}},
		{"NameID or reason", core.RecordingFilter{Search: "alice"}, []int{4, 0}},
		{"wildcards are literal", core.RecordingFilter{Search: "%"}, nil},
		{"surrounding space ignored", core.RecordingFilter{Search: " expired "}, []int{1}},
		{"since, included", core.RecordingFilter{Since: t0.Add(3 * time.Minute)}, []int{4, 3}},
		{"until, excluded", core.RecordingFilter{Until: t0.Add(2 * time.Minute)}, []int{1, 0}},
		{"since and until", core.RecordingFilter{Since: t0.Add(time.Minute), Until: t0.Add(3 * time.Minute)}, []int{2, 1}},
		{"limit", core.RecordingFilter{Limit: 2}, []int{4, 3}},
		{"limit and offset", core.RecordingFilter{Limit: 2, Offset: 2}, []int{2, 1}},
		{"offset without limit", core.RecordingFilter{Offset: 4}, []int{0}},
		{"everything", core.RecordingFilter{IdPSlug: "demo", Outcome: core.OutcomeRefused, Search: "expired",
			Since: t0, Until: t0.Add(time.Hour), Limit: 10}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ListRecordings(context.Background(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs, wantIDs []int64
			for _, r := range got {
				gotIDs = append(gotIDs, r.ID)
				if r.Raw != nil {
					t.Errorf("recording %d listed with Raw", r.ID)
				}
				if r.RawSize == 0 {
					t.Errorf("recording %d listed without RawSize", r.ID)
				}
			}
			for _, i := range tt.want {
				wantIDs = append(wantIDs, ids[i])
			}
			if !reflect.DeepEqual(gotIDs, wantIDs) {
				t.Errorf("got %v, want %v", gotIDs, wantIDs)
			}
		})
	}
	// A listed entry is GetRecording's, less Raw.
	list, _ := db.ListRecordings(context.Background(), core.RecordingFilter{Limit: 1})
	full, err := db.GetRecording(context.Background(), ids[4])
	if err != nil {
		t.Fatal(err)
	}
	if string(full.Raw) != "<Response n=4/>" {
		t.Errorf("GetRecording Raw = %q", full.Raw)
	}
	full.Raw = nil
	if !reflect.DeepEqual(list[0], full) {
		t.Errorf("listed %+v\nfull     %+v", list[0], full)
	}
	_, err = db.GetRecording(context.Background(), 12345)
	wantCode(t, err, core.ENOTFOUND)
}

// TestListRecordingsQueryPlans checks that the list never reads the raw
// responses and never sorts: it walks an index newest first and can stop
// at the limit.
func TestListRecordingsQueryPlans(t *testing.T) {
	db, _ := openTest(t)
	for _, f := range []core.RecordingFilter{
		{}, {IdPSlug: "demo"}, {Outcome: core.OutcomeRefused}, {Search: "alice"},
		{IdPSlug: "demo", Since: t0, Until: t0.Add(time.Hour)}, {Since: t0},
	} {
		q, args := recordingsQuery(f)
		rows, err := db.read.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "; ")
		if strings.Contains(text, "recording_raw") || strings.Contains(text, "TEMP B-TREE") ||
			!strings.Contains(text, "USING INDEX recordings_") {
			t.Errorf("filter %+v: plan %q", f, text)
		}
	}
}

func TestPurgeRecordings(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	const old, recent = purgeBatch*2 + 7, 5
	for i := range old + recent {
		_, _, err := db.RecordRefusal(ctx, core.Refusal{At: t0.Add(time.Duration(i) * time.Second), IdPSlug: "demo",
			Class: "replayed", Record: &core.Recording{Raw: []byte("<Response/>")}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.PurgeRecordings(ctx, time.Time{}); err != nil || n != 0 {
		t.Errorf("PurgeRecordings(zero time) = %d, %v", n, err)
	}
	cut := t0.Add(old * time.Second)
	n, err := db.PurgeRecordings(ctx, cut)
	if err != nil || n != old {
		t.Fatalf("PurgeRecordings = %d, %v; want %d", n, err, old)
	}
	left, err := db.ListRecordings(ctx, core.RecordingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != recent || left[len(left)-1].At.Before(cut) {
		t.Errorf("%d entries left, oldest %v; want %d from %v", len(left), left[len(left)-1].At, recent, cut)
	}
	if n := count(t, db, "recording_raw", ""); n != recent {
		t.Errorf("%d raw responses left, want %d", n, recent)
	}
	// The logins and events stay: only the recorder forgets.
	if n := count(t, db, "logins", ""); n != old+recent {
		t.Errorf("%d logins, want %d", n, old+recent)
	}
	if n, err := db.PurgeRecordings(ctx, cut); err != nil || n != 0 {
		t.Errorf("second PurgeRecordings = %d, %v", n, err)
	}
}

// recorderTables is every table a recorded login writes.
var recorderTables = []string{"users", "user_roles", "user_attributes", "logins", "events", "recordings", "recording_raw"}

func TestRecordingRollsBackWithItsLogin(t *testing.T) {
	errDisk := errors.New("disk I/O error (simulated)")
	calls := []struct {
		name string
		call func(db *DB, ctx context.Context) error
	}{
		{"ApplyLogin", func(db *DB, ctx context.Context) error {
			p := alice(t0.Add(time.Minute))
			p.Record = &core.Recording{Raw: samlResponse(8 << 10)}
			_, err := db.ApplyLogin(ctx, p)
			return err
		}},
		{"RecordRefusal", func(db *DB, ctx context.Context) error {
			_, _, err := db.RecordRefusal(ctx, core.Refusal{IdPSlug: "demo", Class: "expired",
				Record: &core.Recording{Raw: samlResponse(8 << 10)}})
			return err
		}},
	}
	for _, c := range calls {
		for _, step := range []string{"login", "recording"} {
			for _, how := range []string{"error", "cancel"} {
				t.Run(c.name+"/"+step+"/"+how, func(t *testing.T) {
					db, _ := openTest(t)
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					p := alice(t0)
					p.Record = &core.Recording{Raw: []byte("<Response/>")}
					if _, err := db.ApplyLogin(ctx, p); err != nil {
						t.Fatal(err)
					}
					before := map[string]int{}
					for _, table := range recorderTables {
						before[table] = count(t, db, table, "")
					}
					db.testHook = func(s string) error {
						if s != step {
							return nil
						}
						if how == "cancel" {
							cancel()
							return nil
						}
						return errDisk
					}
					err := c.call(db, ctx)
					if err == nil {
						t.Fatal("the call succeeded")
					}
					if how == "error" && !errors.Is(err, errDisk) || how == "cancel" && !errors.Is(err, context.Canceled) {
						t.Errorf("error %v does not wrap the cause", err)
					}
					db.testHook = nil
					for _, table := range recorderTables {
						if n := count(t, db, table, ""); n != before[table] {
							t.Errorf("%s has %d rows after a failed call, had %d", table, n, before[table])
						}
					}
				})
			}
		}
	}
}
