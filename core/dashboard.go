package core

import "time"

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
