// Retention: the policy, the stored settings, storage usage and a
// retention run.

package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Retention defaults and limits. Nothing a request can send grows storage
// without bound: recordings, events and sign-ins go after an age, the
// flight recorder has a size cap, and requests that cannot be logins
// leave compact records.
const (
	DefaultKeepRecordings = DefaultRecordingRetention
	DefaultKeepEvents     = 180 * 24 * time.Hour
	DefaultRecorderCap    = 256 << 20

	// MaxKeep is the longest age a retention setting accepts.
	MaxKeep = 3650 * 24 * time.Hour
	// MaxRecorderCap is the largest flight recorder cap accepted.
	MaxRecorderCap = 64 << 30

	// RetentionEvery is how often retention runs: at start when the last
	// run is older (or unknown), then daily.
	RetentionEvery = 24 * time.Hour

	// EventRetention is the kind of the event each retention run writes.
	EventRetention EventKind = "retention"
)

// Settings keys of retention.
const (
	settingKeepRecordings = "retention.keep_recordings_days"
	settingKeepEvents     = "retention.keep_events_days"
	settingRecorderCap    = "retention.recorder_cap_mib"
	settingLastRun        = "retention.last_run"
)

// RetentionPolicy says what storage keeps. As Options.Retention, a zero
// field means "the stored setting".
type RetentionPolicy struct {
	// KeepRecordings is how long flight recorder entries are kept.
	KeepRecordings time.Duration
	// KeepEvents is how long events and sign-in rows are kept; the audit
	// log (admin changes, IdP connections and removals) is kept for good.
	KeepEvents time.Duration
	// RecorderCap is the most bytes of raw responses the flight recorder
	// keeps; beyond it the oldest entries go.
	RecorderCap int64
}

// DefaultRetention is the policy when nothing is set.
func DefaultRetention() RetentionPolicy {
	return RetentionPolicy{KeepRecordings: DefaultKeepRecordings, KeepEvents: DefaultKeepEvents, RecorderCap: DefaultRecorderCap}
}

// Validate says, for a person, what is wrong with a complete policy.
func (p RetentionPolicy) Validate() error {
	if err := ValidateKeepDays("Flight recorder entries", p.KeepRecordings); err != nil {
		return err
	}
	if err := ValidateKeepDays("Events and sign-ins", p.KeepEvents); err != nil {
		return err
	}
	return ValidateRecorderCap(p.RecorderCap)
}

// ValidateKeepDays checks an age limit: whole days from 1 to 3650. what
// names the setting.
func ValidateKeepDays(what string, d time.Duration) error {
	if d < 24*time.Hour || d > MaxKeep || d%(24*time.Hour) != 0 {
		return Errorf(EINVALID, "%s must be kept a whole number of days from 1 to %d.", what, int(MaxKeep/(24*time.Hour)))
	}
	return nil
}

// ValidateRecorderCap checks a flight recorder cap: whole MiB from 1 MiB
// to 64 GiB.
func ValidateRecorderCap(n int64) error {
	if n < 1<<20 || n > MaxRecorderCap || n%(1<<20) != 0 {
		return Errorf(EINVALID, "The flight recorder's size cap must be a whole number of MiB from 1 to %d.", MaxRecorderCap>>20)
	}
	return nil
}

// RetentionSettings are the policy in force and where it comes from.
type RetentionSettings struct {
	Policy RetentionPolicy // in force for this process
	Saved  RetentionPolicy // stored (defaults where unset)
	// Overridden names the settings a command-line flag overrides for
	// this process ("recordings", "events", "recorder cap").
	Overridden []string
}

// StorageUsage measures the database.
type StorageUsage struct {
	DBBytes         int64 // the main database file (pages in use and free)
	FreeBytes       int64 // pages free for reuse inside it
	WALBytes        int64 // the write-ahead log beside it
	RecorderBytes   int64 // raw responses kept by the flight recorder
	RecorderEntries int
}

// RetentionReport is what one retention run did.
type RetentionReport struct {
	At            time.Time     `json:"at"`
	Took          time.Duration `json:"took"`
	Policy        RetentionPolicy
	Recordings    int   `json:"recordings"`     // entries older than the limit
	Capped        int   `json:"capped"`         // entries over the size cap
	RecorderFreed int64 `json:"recorder_freed"` // raw bytes of both
	Logins        int   `json:"logins"`
	Events        int   `json:"events"`
	Usage         StorageUsage
	Err           string `json:"err,omitempty"`
}

// Summary is the report in one line for a person.
func (r RetentionReport) Summary() string {
	s := fmt.Sprintf("Retention deleted %d flight recorder entries (%s of raw responses), %d sign-ins and %d events; the database is %s",
		r.Recordings+r.Capped, FormatBytes(r.RecorderFreed), r.Logins, r.Events, FormatBytes(r.Usage.DBBytes+r.Usage.WALBytes))
	if r.Capped > 0 {
		s += fmt.Sprintf(" (%d entries went to keep the recorder under %s)", r.Capped, FormatBytes(r.Policy.RecorderCap))
	}
	if r.Err != "" {
		s += ". It stopped early: " + r.Err
	}
	return s
}

// StorageStatus is what the Settings screen shows of storage.
type StorageStatus struct {
	Retention RetentionSettings
	Usage     StorageUsage
	LastRun   RetentionReport // zero At: never ran
}

// retention is a console's retention state.
type retention struct {
	override RetentionPolicy // from the command line, for this process
	runMu    sync.Mutex      // one run at a time
	mu       sync.Mutex
	lastRun  time.Time // cached; zero until read
	loaded   bool
	ctx      context.Context // the background loop's, for cap checks
	// recorded counts raw bytes recorded since the last cap check;
	// capping is true while one runs.
	recorded atomic.Int64
	capping  atomic.Bool
	capHint  atomic.Int64 // the cap in force when last read; 0 before
}

// Retention returns the retention policy in force and the stored one.
func (c *Console) Retention(ctx context.Context) (RetentionSettings, error) {
	saved := DefaultRetention()
	var errs []error
	read := func(key string, scale int64, into func(int64)) {
		v, err := c.store.GetSetting(ctx, key)
		if ErrorCode(err) == ENOTFOUND {
			return
		} else if err != nil {
			errs = append(errs, err)
			return
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n <= 0 {
			c.log.Warn("ignore bad retention setting", "key", key, "value", v)
			return
		}
		into(n * scale)
	}
	day := int64(24 * time.Hour)
	read(settingKeepRecordings, day, func(n int64) { saved.KeepRecordings = time.Duration(n) })
	read(settingKeepEvents, day, func(n int64) { saved.KeepEvents = time.Duration(n) })
	read(settingRecorderCap, 1<<20, func(n int64) { saved.RecorderCap = n })
	rs := RetentionSettings{Policy: saved, Saved: saved}
	o := c.retention.override
	if o.KeepRecordings > 0 {
		rs.Policy.KeepRecordings, rs.Overridden = o.KeepRecordings, append(rs.Overridden, "recordings")
	}
	if o.KeepEvents > 0 {
		rs.Policy.KeepEvents, rs.Overridden = o.KeepEvents, append(rs.Overridden, "events")
	}
	if o.RecorderCap > 0 {
		rs.Policy.RecorderCap, rs.Overridden = o.RecorderCap, append(rs.Overridden, "recorder cap")
	}
	c.retention.capHint.Store(rs.Policy.RecorderCap)
	return rs, errors.Join(errs...)
}

// SetRetention validates and stores the retention policy, with an audit
// event. A command-line flag still wins for the process it was given to.
func (c *Console) SetRetention(ctx context.Context, p RetentionPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	day := 24 * time.Hour
	for _, kv := range [][2]string{
		{settingKeepRecordings, strconv.Itoa(int(p.KeepRecordings / day))},
		{settingKeepEvents, strconv.Itoa(int(p.KeepEvents / day))},
		{settingRecorderCap, strconv.FormatInt(p.RecorderCap>>20, 10)},
	} {
		if err := c.store.SetSetting(ctx, kv[0], kv[1]); err != nil {
			return fmt.Errorf("save retention: %w", err)
		}
	}
	by := osUser()
	c.publish(ctx, Event{Kind: EventAdminChange, Outcome: OutcomeInfo, Subject: by,
		Message: fmt.Sprintf("Retention set by %s: flight recorder %d days, events and sign-ins %d days, recorder cap %s",
			by, p.KeepRecordings/day, p.KeepEvents/day, FormatBytes(p.RecorderCap))})
	return nil
}

// StorageStatus returns the policy, the database's size and the last
// retention run.
func (c *Console) StorageStatus(ctx context.Context) (StorageStatus, error) {
	var st StorageStatus
	var errs []error
	var err error
	st.Retention, err = c.Retention(ctx)
	errs = append(errs, err)
	st.Usage, err = c.store.StorageUsage(ctx)
	errs = append(errs, err)
	if v, err := c.store.GetSetting(ctx, settingLastRun); err == nil {
		if err := json.Unmarshal([]byte(v), &st.LastRun); err != nil {
			c.log.Warn("ignore bad last retention run", "err", err)
		}
	} else if ErrorCode(err) != ENOTFOUND {
		errs = append(errs, err)
	}
	return st, errors.Join(errs...)
}

// RunRetention applies the retention policy now: flight recorder entries
// past their age, then the oldest over the size cap, then sign-ins and
// events (not the audit log) past theirs. Purges run in batches, so that
// logins get in between. The run is stored as the last one and published
// as an event; an error stops it early and is in the report too.
func (c *Console) RunRetention(ctx context.Context) (RetentionReport, error) {
	c.retention.runMu.Lock()
	defer c.retention.runMu.Unlock()
	now := c.clock.Now()
	rep := RetentionReport{At: now}
	rs, err := c.Retention(ctx)
	rep.Policy = rs.Policy
	if err == nil {
		err = c.purge(ctx, now, &rep)
	}
	rep.Usage, _ = c.store.StorageUsage(ctx)
	rep.Took = c.clock.Now().Sub(now)
	if err != nil {
		rep.Err = ErrorMessage(err)
	}
	c.retention.mu.Lock()
	c.retention.lastRun, c.retention.loaded = now, true
	c.retention.mu.Unlock()
	if b, jerr := json.Marshal(rep); jerr == nil {
		if serr := c.store.SetSetting(ctx, settingLastRun, string(b)); serr != nil {
			c.log.Error("save the last retention run", "err", serr)
		}
	}
	outcome := OutcomeInfo
	if err != nil {
		outcome = OutcomeWarning
		c.log.Error("retention", "err", err)
	}
	c.publish(ctx, Event{Kind: EventRetention, Outcome: outcome, Message: rep.Summary()})
	return rep, err
}

// purge does the deleting of RunRetention into rep.
func (c *Console) purge(ctx context.Context, now time.Time, rep *RetentionReport) error {
	before, err := c.store.StorageUsage(ctx)
	if err != nil {
		return err
	}
	p := rep.Policy
	if rep.Recordings, err = c.store.PurgeRecordings(ctx, now.Add(-p.KeepRecordings)); err != nil {
		return err
	}
	after, err := c.store.StorageUsage(ctx)
	if err != nil {
		return err
	}
	rep.RecorderFreed = max(before.RecorderBytes-after.RecorderBytes, 0)
	var capped int64
	rep.Capped, capped, err = c.store.CapRecordings(ctx, p.RecorderCap)
	rep.RecorderFreed += capped
	c.retention.recorded.Store(0)
	if err != nil {
		return err
	}
	if rep.Logins, err = c.store.PurgeLogins(ctx, now.Add(-p.KeepEvents)); err != nil {
		return err
	}
	rep.Events, err = c.store.PurgeEvents(ctx, now.Add(-p.KeepEvents))
	return err
}

// FormatBytes is n as "12.3 MiB".
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
