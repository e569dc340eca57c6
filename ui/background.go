package ui

// This file holds the one way screens do background work: run it off the
// UI goroutine, drop its result when the window is closing, log a failure
// with what was being done, and hand the result to the UI goroutine
// through the bridge (fyne.Do in the app, the test queue in tests).

import (
	"context"
	"errors"
	"log/slog"

	"github.com/jitconsole/jitconsole/core"
)

// background runs work in a goroutine the bridge tracks, with the App's
// context, then calls done with its result on the UI goroutine. what names
// the operation for the log ("save the mapping of okta"). When the App is
// closing, done is not called.
func background[T any](a *App, what string, work func(ctx context.Context) (T, error), done func(T, error)) {
	a.bridge.run(func() {
		v, err := work(a.ctx)
		a.deliver(what, err, func() { done(v, err) })
	})
}

// backgroundErr is background for work whose only result is an error.
func backgroundErr(a *App, what string, work func(ctx context.Context) error, done func(error)) {
	background(a, what, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, work(ctx)
	}, func(_ struct{}, err error) { done(err) })
}

// deliver ends background work that already runs off the UI goroutine (a
// throttle's read): unless the App is closing, it logs err (if any) under
// what and runs fn on the UI goroutine.
func (a *App) deliver(what string, err error, fn func()) {
	if a.ctx.Err() != nil {
		return // closing: nobody looks at the widgets any more
	}
	if err != nil {
		a.logFailure(what, err)
	}
	a.bridge.ui(fn)
}

// logFailure logs a failed background operation. A failure core explained
// to the person (a core.Error other than EINTERNAL: a refusal, a thing
// not found; or the question which IdP of an aggregate) is routine and
// goes in at info level; anything else is an error.
func (a *App) logFailure(what string, err error) {
	log := a.log
	if log == nil {
		log = slog.Default()
	}
	var choose *core.ChooseEntityError // an aggregate: the person picks one
	if core.ErrorCode(err) != core.EINTERNAL || errors.As(err, &choose) {
		log.Info("console: "+what+" failed", "op", what, "err", err)
		return
	}
	log.Error("console: "+what+" failed", "op", what, "err", err)
}
