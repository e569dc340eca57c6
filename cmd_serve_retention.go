// serve's retention flags and the size limit of its event lines.

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/jitconsole/jitconsole/core"
)

// retentionFlags override the stored retention settings for one serve
// process; 0 leaves the stored setting.
type retentionFlags struct {
	keepRecordings, keepEvents, recorderCapMiB int64
}

func addRetentionFlags(fs *flag.FlagSet) *retentionFlags {
	rf := &retentionFlags{}
	fs.Int64Var(&rf.keepRecordings, "keep-recordings", 0, fmt.Sprintf("keep flight recorder entries `DAYS` days, for this process\n(default: the Settings value, else %d)", core.DefaultKeepRecordings/(24*time.Hour)))
	fs.Int64Var(&rf.keepEvents, "keep-events", 0, fmt.Sprintf("keep events and sign-ins `DAYS` days (the audit log is kept), for this process\n(default: the Settings value, else %d)", core.DefaultKeepEvents/(24*time.Hour)))
	fs.Int64Var(&rf.recorderCapMiB, "recorder-cap", 0, fmt.Sprintf("cap the flight recorder's raw responses at `MiB`, oldest deleted first, for this process\n(default: the Settings value, else %d)", core.DefaultRecorderCap>>20))
	return rf
}

// policy validates the flags given and returns them as core's override.
func (rf *retentionFlags) policy(fs *flag.FlagSet, stderr io.Writer) (core.RetentionPolicy, error) {
	var p core.RetentionPolicy
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	day := int64(24 * time.Hour)
	if set["keep-recordings"] {
		p.KeepRecordings = time.Duration(rf.keepRecordings * day)
		if rf.keepRecordings <= 0 || core.ValidateKeepDays("Flight recorder entries", p.KeepRecordings) != nil {
			return p, usageError(fs, stderr, "--keep-recordings %d: %s", rf.keepRecordings, errorText(core.ValidateKeepDays("Flight recorder entries", 0)))
		}
	}
	if set["keep-events"] {
		p.KeepEvents = time.Duration(rf.keepEvents * day)
		if rf.keepEvents <= 0 || core.ValidateKeepDays("Events and sign-ins", p.KeepEvents) != nil {
			return p, usageError(fs, stderr, "--keep-events %d: %s", rf.keepEvents, errorText(core.ValidateKeepDays("Events and sign-ins", 0)))
		}
	}
	if set["recorder-cap"] {
		p.RecorderCap = rf.recorderCapMiB << 20
		if rf.recorderCapMiB <= 0 || core.ValidateRecorderCap(p.RecorderCap) != nil {
			return p, usageError(fs, stderr, "--recorder-cap %d: %s", rf.recorderCapMiB, errorText(core.ValidateRecorderCap(0)))
		}
	}
	return p, nil
}

// maxEventLine is the most bytes serve writes for one event, newline
// included.
const maxEventLine = 8 << 10

// cutMark ends a field that was shortened to fit the line.
const cutMark = "…[cut]"

// eventLine is e as serve writes it, its longest texts shortened (and
// marked with cutMark) until the JSON line fits in maxEventLine bytes. A
// compact refusal that repeats is written again, with the same ID and its
// count, each time the count reaches a power of two.
func eventLine(e core.Event) eventJSON {
	j := eventJSON{ID: e.ID, At: e.At.Format(time.RFC3339Nano), Kind: string(e.Kind),
		Outcome: string(e.Outcome), IdP: e.IdPSlug, UserID: e.UserID, Subject: e.Subject,
		Message: e.Message, Detail: e.Detail, Class: string(e.Class), Count: e.Count}
	fields := []*string{&j.Detail, &j.Message, &j.Subject, &j.IdP, &j.Class, &j.Kind, &j.Outcome}
	for _, f := range fields {
		// A field of more runes cannot fit whole: trim it (the search
		// below cuts it again, marked) so that each try encodes little.
		if utf8.RuneCountInString(*f) > maxEventLine {
			*f = string([]rune(*f)[:maxEventLine])
		}
	}
	fits := func() bool { return encodedLen(j)+1 <= maxEventLine } // + the newline
	for !fits() {
		longest := fields[0]
		for _, f := range fields[1:] {
			if len(*f) > len(*longest) {
				longest = f
			}
		}
		// The most runes of it that fit, by bisection; none if none do.
		orig := *longest
		lo, hi := 0, utf8.RuneCountInString(orig)-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if *longest = cutRunes(orig, mid); fits() {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		*longest = cutRunes(orig, max(lo, 0))
	}
	return j
}

// encodedLen is the length of j as json.Encoder writes it, without the
// newline.
func encodedLen(j eventJSON) int {
	b, err := json.Marshal(j)
	if err != nil {
		return 0
	}
	return len(b)
}

// cutRunes is s cut to its first n runes (at least none) and cutMark; a
// cut field is never cut again to less than its mark.
func cutRunes(s string, n int) string {
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + cutMark
}
