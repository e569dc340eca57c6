package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// refuseWithRecording stores a refusal of nameID at idp, at at, whose
// recording keeps raw.
func refuseWithRecording(t *testing.T, s core.Store, idpSlug, nameID string, at time.Time, raw string) core.Login {
	t.Helper()
	l, _, err := s.RecordRefusal(ctx, core.Refusal{At: at, IdPSlug: idpSlug, NameID: nameID, Class: "signature",
		Reason: "Bad signature.", Record: &core.Recording{Raw: []byte(raw), RawSize: len(raw), RemoteAddr: "127.0.0.1"}})
	must(t, err)
	return l
}

// recordingIDs are the IDs of recs, in order.
func recordingIDs(recs []core.Recording) []int64 {
	var out []int64
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

var recordingCases = []testCase{
	{"entries are listed newest first, without their raw response, and filter", func(t *testing.T, s core.Store) {
		refuseWithRecording(t, s, "okta", "ann", base, "<ann/>")
		p := login("okta", "bob", base.Add(time.Minute))
		p.Record = &core.Recording{Raw: []byte("<bob/>"), RawSize: 6, Outcome: core.OutcomeAccepted, Action: "created"}
		apply(t, s, p)
		refuseWithRecording(t, s, "entra", "carl", base.Add(2*time.Minute), "<carl/>")
		all, err := s.ListRecordings(ctx, core.RecordingFilter{})
		must(t, err)
		if len(all) != 3 {
			t.Fatalf("%d entries, want 3", len(all))
		}
		ids := recordingIDs(all)
		if !newestFirst(ids) {
			t.Errorf("entries %v are not newest first", ids)
		}
		for _, r := range all {
			if len(r.Raw) != 0 || r.RawSize == 0 {
				t.Errorf("listed entry %d has %d raw bytes and size %d; want none and the size", r.ID, len(r.Raw), r.RawSize)
			}
		}
		cases := []struct {
			f    core.RecordingFilter
			want []int64
		}{
			{core.RecordingFilter{IdPSlug: "okta"}, ids[1:]},
			{core.RecordingFilter{Outcome: core.OutcomeAccepted}, ids[1:2]},
			{core.RecordingFilter{Search: "CARL"}, ids[:1]},
			{core.RecordingFilter{Search: "signature"}, []int64{ids[0], ids[2]}},
			{core.RecordingFilter{Since: base.Add(time.Minute)}, ids[:2]},
			{core.RecordingFilter{Until: base.Add(time.Minute)}, ids[2:]},
			{core.RecordingFilter{Limit: 1, Offset: 1}, ids[1:2]},
		}
		for _, c := range cases {
			got, err := s.ListRecordings(ctx, c.f)
			must(t, err)
			if !reflect.DeepEqual(recordingIDs(got), c.want) {
				t.Errorf("ListRecordings(%+v) = %v, want %v", c.f, recordingIDs(got), c.want)
			}
		}
	}},
	{"one entry comes with its raw response", func(t *testing.T, s core.Store) {
		l := refuseWithRecording(t, s, "okta", "ann", base, "<Response>ann</Response>")
		rec, err := s.GetRecording(ctx, l.RecordingID)
		must(t, err)
		if string(rec.Raw) != "<Response>ann</Response>" || rec.LoginID != l.ID || rec.Outcome != core.OutcomeRefused || rec.Class != "signature" {
			t.Errorf("entry %+v", rec)
		}
		_, err = s.GetRecording(ctx, l.RecordingID+1000)
		wantCode(t, err, core.ENOTFOUND)
	}},
}
