// The event broker: fans stored events out to subscribers through
// bounded buffers.

package core

import (
	"sync"
	"sync/atomic"
)

// Broker fans stored events out to live subscribers. Each subscriber has a
// bounded buffer; Publish never blocks, and an event that does not fit is
// dropped for that subscriber only (it is already in the store, so nothing
// is lost from the log). A slow or absent UI therefore never slows the ACS.
type Broker struct {
	mu      sync.Mutex
	subs    map[chan Event]struct{}
	dropped atomic.Int64
}

// NewBroker returns a broker with no subscribers.
func NewBroker() *Broker { return &Broker{subs: map[chan Event]struct{}{}} }

// Subscribe returns a channel with room for buffer events and a function
// that ends the subscription and closes the channel.
func (b *Broker) Subscribe(buffer int) (<-chan Event, func()) {
	if buffer < 1 {
		buffer = 1
	}
	ch := make(chan Event, buffer)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, ch)
			b.mu.Unlock()
			close(ch)
		})
	}
}

// Publish offers e to every subscriber without waiting.
func (b *Broker) Publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- e:
		default:
			b.dropped.Add(1)
		}
	}
}

// Dropped counts events that a full subscriber buffer did not take.
func (b *Broker) Dropped() int64 { return b.dropped.Load() }
