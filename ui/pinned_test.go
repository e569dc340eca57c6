package ui

import "time"

// noonClock is the real clock read in a time zone where the test began at
// noon: instants are real (so the SAML times the demo IdP signs and the
// library checks agree), while "today" begins twelve hours before the
// test and ends twelve hours after it, so that counts of "today" do not
// change when a run crosses local midnight.
type noonClock struct{ loc *time.Location }

// newNoonClock returns a noonClock for a test starting now.
func newNoonClock() noonClock {
	now := time.Now().UTC()
	sinceMidnight := now.Sub(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC))
	offset := 12*time.Hour - sinceMidnight // in (-12 h, +12 h]
	return noonClock{loc: time.FixedZone("test-noon", int(offset/time.Second))}
}

// Now implements core.Clock.
func (c noonClock) Now() time.Time { return time.Now().In(c.loc) }
