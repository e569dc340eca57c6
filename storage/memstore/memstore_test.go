package memstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage/memstore"
	"github.com/jitconsole/jitconsole/storage/storetest"
)

// TestConformance: the in-memory store keeps the store contract.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store { return memstore.New(nil) })
}

// TestPendingRequestsAreBounded: past maxPending, the requests that expire
// first go, and the newest stay.
func TestPendingRequestsAreBounded(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(nil)
	start := time.Now().Add(time.Hour)
	for i := range 10_001 {
		if err := s.TrackRequest(ctx, fmt.Sprint("tok", i), fmt.Sprint("_r", i), "okta", "", start.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.LookupRequest(ctx, "tok0", "okta", "", time.Now()); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("the request that expires first is still tracked (%v)", err)
	}
	if _, _, err := s.LookupRequest(ctx, "tok10000", "okta", "", time.Now()); err != nil {
		t.Errorf("the newest request: %v", err)
	}
}

// TestSCIMConformance runs the SCIM cases of the contract in memory.
func TestSCIMConformance(t *testing.T) {
	storetest.RunSCIM(t, func(t *testing.T) core.Store { return memstore.New(nil) })
}
