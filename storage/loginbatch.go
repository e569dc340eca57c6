package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jitconsole/jitconsole/core"
)

// Group commit. Logins that arrive together share one write transaction
// and one commit: a commit writes every page the transaction dirtied to
// the WAL (a first login touches some thirty: the account and its
// indexes, the search index, roles, attributes, login row, event,
// recording, replay cache and request tracker), and logins that land on
// the same pages share them. Each login runs inside its own savepoint, so
// that its failure (a replay, a disabled account) rolls back only its own
// writes, and each caller gets its result only after the commit that
// holds its login succeeded. When that commit fails, the batch's logins
// are tried again one transaction each, so a failure fails only its own
// login.
//
// There is no waiting for company: one committer takes whatever is queued
// when it is free, so a lone login is committed at once, and under load
// the batch grows by itself while the previous commit runs.

// maxLoginBatch bounds the logins of one transaction.
const maxLoginBatch = 64

// loginBatcher is the committer of ApplyLogin: a queue and one goroutine,
// started on the first login and stopped by Close.
type loginBatcher struct {
	start sync.Once
	queue chan *loginJob
	// stop ends the committer (Close); done is closed once it has
	// returned.
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	// batched counts the transactions that held more than one login.
	batched atomic.Uint64
}

// loginJob is one ApplyLogin waiting for its commit.
type loginJob struct {
	ctx  context.Context
	p    core.Provision
	res  core.ProvisionResult
	err  error
	done chan struct{}
}

// errClosed refuses a login after Close.
var errClosed = errors.New("the database is closed")

// apply queues p for the committer and returns its result once its
// transaction has committed (or failed).
func (b *loginBatcher) apply(ctx context.Context, db *DB, p core.Provision) (core.ProvisionResult, error) {
	b.start.Do(func() {
		b.queue = make(chan *loginJob, maxLoginBatch)
		b.stop, b.done = make(chan struct{}), make(chan struct{})
		go b.run(db)
	})
	j := &loginJob{ctx: ctx, p: p, done: make(chan struct{})}
	select {
	case b.queue <- j:
	case <-b.stop:
		return core.ProvisionResult{}, errClosed
	case <-ctx.Done():
		return core.ProvisionResult{}, ctx.Err()
	}
	// Once queued, a login is waited for whatever happens to ctx: the
	// caller must not report a failure for a login that then commits.
	select {
	case <-j.done:
	case <-b.done:
		// Queued as the committer stopped: it ran or was refused, or it
		// is left in the queue, never to run.
		select {
		case <-j.done:
		default:
			return core.ProvisionResult{}, errClosed
		}
	}
	return j.res, j.err
}

// close stops the committer after the logins already queued; it is safe
// to call more than once, and when no login ever ran.
func (b *loginBatcher) close() {
	b.start.Do(func() {}) // no committer starts after close
	b.stopOnce.Do(func() {
		if b.stop != nil {
			close(b.stop)
			<-b.done
		}
	})
}

// run is the committer: it takes the first queued login and every other
// one queued by then (up to maxLoginBatch) and commits them together.
func (b *loginBatcher) run(db *DB) {
	defer close(b.done)
	batch := make([]*loginJob, 0, maxLoginBatch)
	for {
		select {
		case j := <-b.queue:
			batch = append(batch[:0], j)
		case <-b.stop:
			b.refuseQueued()
			return
		}
	more:
		for len(batch) < maxLoginBatch {
			select {
			case j := <-b.queue:
				batch = append(batch, j)
			default:
				break more
			}
		}
		db.commitLogins(batch)
	}
}

// refuseQueued fails the logins still queued when the committer stops.
func (b *loginBatcher) refuseQueued() {
	for {
		select {
		case j := <-b.queue:
			j.err = errClosed
			close(j.done)
		default:
			return
		}
	}
}

// commitLogins writes batch in one transaction, each login in its own
// savepoint, and tells each its result after the commit. A lone login is
// its own transaction, under its caller's context.
func (db *DB) commitLogins(batch []*loginJob) {
	defer func() {
		for _, j := range batch {
			close(j.done)
		}
	}()
	if len(batch) == 1 {
		j := batch[0]
		j.res, j.err = db.loginInOwnTx(j.ctx, j.p)
		return
	}
	db.logins.batched.Add(1)
	err := db.inTx(context.Background(), func(w *writer) error {
		for _, j := range batch {
			if j.err = j.ctx.Err(); j.err != nil {
				continue
			}
			if _, err := w.exec(`SAVEPOINT login`); err != nil {
				return fmt.Errorf("begin a login's savepoint: %w", err)
			}
			wrote := len(w.wrote)
			j.res, j.err = db.loginTx(w, j.p)
			if j.err != nil {
				w.forgetEventsFrom(wrote) // before the rollback frees the IDs
				if _, err := w.exec(`ROLLBACK TO login`); err != nil {
					return fmt.Errorf("roll back a failed login: %w", err)
				}
			}
			if _, err := w.exec(`RELEASE login`); err != nil {
				return fmt.Errorf("end a login's savepoint: %w", err)
			}
		}
		return nil
	})
	if err == nil {
		return
	}
	// The batch did not commit: each login alone, so that whatever failed
	// fails only its own.
	for _, j := range batch {
		if j.ctx.Err() == nil {
			j.res, j.err = db.loginInOwnTx(j.ctx, j.p)
		} else {
			j.err = j.ctx.Err()
		}
	}
}

// loginInOwnTx writes one login in a transaction of its own.
func (db *DB) loginInOwnTx(ctx context.Context, p core.Provision) (res core.ProvisionResult, err error) {
	err = db.inTx(ctx, func(w *writer) error {
		res, err = db.loginTx(w, p)
		return err
	})
	return res, err
}
