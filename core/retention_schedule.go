// When retention runs: daily, and when the recorder grows past its cap.

package core

import (
	"context"
	"encoding/json"
	"time"
)

// retentionDue runs retention when the last run is RetentionEvery old or
// unknown: at start after a missed day, then daily. The background loop
// calls it every minute.
func (c *Console) retentionDue(ctx context.Context) {
	r := &c.retention
	r.mu.Lock()
	r.ctx = ctx
	if !r.loaded {
		if v, err := c.store.GetSetting(ctx, settingLastRun); err == nil {
			var last RetentionReport
			if json.Unmarshal([]byte(v), &last) == nil {
				r.lastRun = last.At
			}
		}
		r.loaded = true
	}
	last := r.lastRun
	r.mu.Unlock()
	now := c.clock.Now()
	if !last.IsZero() && now.Sub(last) < RetentionEvery && last.Before(now.Add(time.Minute)) {
		return
	}
	_, _ = c.RunRetention(ctx) // logged and published
}

// noteRecorded counts raw bytes the recorder stored; past an eighth of the
// cap since the last check, the cap is enforced in the background, so
// that a flood of large posts cannot wait for the daily run. Call it after
// the bytes are committed.
func (c *Console) noteRecorded(n int) {
	r := &c.retention
	if n <= 0 || r.recorded.Add(int64(n)) < c.recorderCapHint()/8 {
		return
	}
	r.mu.Lock()
	ctx := r.ctx
	r.mu.Unlock()
	if ctx == nil || !r.capping.CompareAndSwap(false, true) {
		return
	}
	go func() {
		for {
			r.recorded.Store(0)
			c.capRecorder(ctx)
			r.capping.Store(false)
			// Bytes stored while this ran found it busy: go again for
			// them, so that the cap holds after the last write.
			if r.recorded.Load() == 0 || !r.capping.CompareAndSwap(false, true) {
				return
			}
		}
	}()
}

// capRecorder enforces the flight recorder's size cap now.
func (c *Console) capRecorder(ctx context.Context) {
	rs, err := c.Retention(ctx)
	if err != nil {
		c.log.Error("flight recorder cap", "err", err)
		return
	}
	n, freed, err := c.store.CapRecordings(ctx, rs.Policy.RecorderCap)
	if err != nil {
		c.log.Error("flight recorder cap", "err", err)
	} else if n > 0 {
		c.log.Info("flight recorder cap", "deleted", n, "freed_bytes", freed)
	}
}

// recorderCapHint is the cap in force without reading the store: as last
// read, else the override or the default.
func (c *Console) recorderCapHint() int64 {
	if n := c.retention.capHint.Load(); n > 0 {
		return n
	}
	if c.retention.override.RecorderCap > 0 {
		return c.retention.override.RecorderCap
	}
	return DefaultRecorderCap
}
