package ui

import "testing"

func TestNiceTop(t *testing.T) {
	for n, want := range map[int]int{0: 2, 1: 2, 3: 4, 10: 10, 11: 12, 13: 16, 17: 20, 21: 30, 50: 50, 51: 60, 61: 80, 99: 100, 101: 120, 1000: 1000, 1001: 1200} {
		if got := niceTop(n); got != want {
			t.Errorf("niceTop(%d) = %d, want %d", n, got, want)
		}
	}
}
