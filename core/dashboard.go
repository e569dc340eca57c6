// The dashboard's read models and counters.

package core

import (
	"context"
	"time"
)

// Stats are the dashboard counters.
type Stats struct {
	Users        int
	CreatedToday int // since local midnight
	Logins24h    int // accepted
	Refusals24h  int
}

// MinuteCount is the number of accepted logins in the minute starting at
// Minute.
type MinuteCount struct {
	Minute time.Time
	Count  int
}

// Stats returns the dashboard counters.
func (c *Console) Stats(ctx context.Context) (Stats, error) {
	return c.store.Stats(ctx, c.clock.Now())
}

// LoginsPerMinute returns accepted logins per minute over the last minutes.
func (c *Console) LoginsPerMinute(ctx context.Context, minutes int) ([]MinuteCount, error) {
	now := c.clock.Now()
	return c.store.LoginsPerMinute(ctx, now.Add(-time.Duration(minutes)*time.Minute), now)
}
