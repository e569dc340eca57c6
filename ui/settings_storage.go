package ui

// The Settings screen's "Storage and retention" card: the retention
// policy, the database's size and "Run now".

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// RetentionService is the part of the Service the Settings screen's
// storage section uses.
type RetentionService interface {
	// StorageStatus returns the retention policy, the database's size and
	// the last retention run.
	StorageStatus(ctx context.Context) (core.StorageStatus, error)
	// SetRetention validates and stores the retention policy.
	SetRetention(ctx context.Context, p core.RetentionPolicy) error
	// RunRetention applies the retention policy now.
	RunRetention(ctx context.Context) (core.RetentionReport, error)
}

// storageSection is the Settings screen's "Storage and retention" card:
// how long recordings and events are kept, the flight recorder's size cap,
// the database's size, the last retention run and "Run retention now".
type storageSection struct {
	app     *App
	content fyne.CanvasObject

	recordings *widget.Entry // days
	events     *widget.Entry // days
	recCap     *widget.Entry // MiB
	save       *widget.Button
	defaults   *widget.Button
	status     *widget.Label // the save's result
	override   *widget.Label // flags of this process, hidden without
	usage      *widget.Label
	lastRun    *widget.Label
	runNow     *widget.Button
	runStatus  *widget.Label

	saved    core.RetentionPolicy
	hasValue bool

	database *databaseCard // the Database card below this one
}

func newStorageSection(a *App) *storageSection {
	s := &storageSection{app: a}
	s.content = s.build()
	a.feed.listen(func(e core.Event) {
		if e.Kind == core.EventRetention {
			s.load() // a background run: show what it did
		}
	})
	return s
}

func (s *storageSection) build() fyne.CanvasObject {
	day := 24 * time.Hour
	s.recordings = s.numberEntry(int(core.DefaultKeepRecordings/day), func(n int) error {
		return core.ValidateKeepDays("Flight recorder entries", time.Duration(n)*day)
	})
	s.events = s.numberEntry(int(core.DefaultKeepEvents/day), func(n int) error {
		return core.ValidateKeepDays("Events and sign-ins", time.Duration(n)*day)
	})
	s.recCap = s.numberEntry(core.DefaultRecorderCap>>20, func(n int) error {
		return core.ValidateRecorderCap(int64(n) << 20)
	})
	s.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	s.save.Disable()
	s.defaults = widget.NewButtonWithIcon("Defaults", theme.ContentUndoIcon(), func() {
		d := core.DefaultRetention()
		s.show(d)
	})
	s.status = wrapped("", widget.LowImportance)
	s.status.Hide()
	s.override = wrapped("", widget.WarningImportance)
	s.override.Hide()
	s.usage = wrapped("Measuring the database…", widget.MediumImportance)
	s.lastRun = wrapped("", widget.LowImportance)
	s.runNow = widget.NewButtonWithIcon("Run retention now", theme.DeleteIcon(), s.onRunNow)
	s.runStatus = wrapped("", widget.LowImportance)
	s.runStatus.Hide()

	explain := wrapped("Nothing a request can send grows the database without bound: flight recorder entries and "+
		"events go after the ages below (the audit log of admin changes is kept), the flight recorder keeps at most "+
		"its size cap of raw responses (the oldest go first), and requests that cannot be sign-ins are counted on "+
		"one compact row per minute. Retention runs at start and then daily. SQLite reuses the space freed; "+
		"the file itself does not shrink.", widget.MediumImportance)
	row := func(e *widget.Entry, unit string) fyne.CanvasObject {
		return container.NewBorder(nil, nil, nil, widget.NewLabel(unit), e)
	}
	form := container.New(layout.NewFormLayout(),
		fieldName("Flight recorder entries"), row(s.recordings, "days"),
		fieldName("Events and sign-ins"), row(s.events, "days"),
		fieldName("Flight recorder size cap"), row(s.recCap, "MiB"),
	)
	buttons := container.NewHBox(s.defaults, s.save)
	run := container.NewBorder(nil, nil, nil, s.runNow, s.lastRun)
	s.database = newDatabaseCard(s.app)
	return container.NewVBox(widget.NewCard("Storage and retention", "What the console keeps, and for how long",
		container.NewVBox(explain, container.NewGridWrap(fyne.NewSize(640, form.MinSize().Height), form),
			buttons, s.status, s.override, widget.NewSeparator(), s.usage, run, s.runStatus)), s.database.content)
}

// numberEntry is an entry of a whole number, checked at the field by
// check.
func (s *storageSection) numberEntry(placeholder int, check func(int) error) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(strconv.Itoa(placeholder))
	e.Validator = func(text string) error {
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return check(0) // says what a good value is
		}
		return check(n)
	}
	e.OnChanged = func(string) { s.onEdited() }
	e.OnSubmitted = func(string) { s.onSave() }
	return e
}

// edited is the policy in the entries; err says, for a person, what is
// wrong with it.
func (s *storageSection) edited() (core.RetentionPolicy, error) {
	for _, e := range []*widget.Entry{s.recordings, s.events, s.recCap} {
		if err := e.Validator(e.Text); err != nil {
			return core.RetentionPolicy{}, err
		}
	}
	num := func(e *widget.Entry) int64 { n, _ := strconv.Atoi(strings.TrimSpace(e.Text)); return int64(n) }
	day := int64(24 * time.Hour)
	return core.RetentionPolicy{
		KeepRecordings: time.Duration(num(s.recordings) * day),
		KeepEvents:     time.Duration(num(s.events) * day),
		RecorderCap:    num(s.recCap) << 20,
	}, nil
}

func (s *storageSection) onEdited() {
	p, err := s.edited()
	if s.hasValue && (err != nil || p != s.saved) {
		s.save.Enable()
	} else {
		s.save.Disable()
	}
}

// show puts p in the entries.
func (s *storageSection) show(p core.RetentionPolicy) {
	day := 24 * time.Hour
	s.recordings.SetText(strconv.Itoa(int(p.KeepRecordings / day)))
	s.events.SetText(strconv.Itoa(int(p.KeepEvents / day)))
	s.recCap.SetText(strconv.FormatInt(p.RecorderCap>>20, 10))
}

// load reads the policy, the database's size and the last run in the
// background; the entries are filled only the first time, so that a
// background run does not overwrite an edit. The Settings screen's load
// calls it once the window is built.
func (s *storageSection) load() {
	a := s.app
	background(a, "read the storage figures", a.svc.StorageStatus, s.apply)
}

func (s *storageSection) apply(st core.StorageStatus, err error) {
	if err != nil {
		showText(s.status, "Some storage figures could not be read: "+errorText(err), widget.DangerImportance)
	}
	if !s.hasValue {
		s.saved, s.hasValue = st.Retention.Saved, true
		s.show(st.Retention.Saved)
	}
	if len(st.Retention.Overridden) > 0 {
		showText(s.override, fmt.Sprintf("Command-line flags override %s for this process: in force now are %s.",
			strings.Join(st.Retention.Overridden, ", "), policyText(st.Retention.Policy)), widget.WarningImportance)
	}
	u := st.Usage
	s.database.showUsage(u)
	s.usage.SetText(fmt.Sprintf("The database is %s (%s of it free for reuse), with a %s write-ahead log. "+
		"The flight recorder keeps %s in %s.", core.FormatBytes(u.DBBytes), core.FormatBytes(u.FreeBytes),
		core.FormatBytes(u.WALBytes), core.FormatBytes(u.RecorderBytes), plural(u.RecorderEntries, "entry", "entries")))
	if st.LastRun.At.IsZero() {
		s.lastRun.SetText("Retention has not run yet.")
	} else {
		s.lastRun.SetText(fmt.Sprintf("Last run %s: %s.", longTime(st.LastRun.At), st.LastRun.Summary()))
	}
	s.onEdited()
}

// policyText is p for a person.
func policyText(p core.RetentionPolicy) string {
	day := 24 * time.Hour
	return fmt.Sprintf("recordings %s, events %s, recorder cap %s",
		plural(int(p.KeepRecordings/day), "day", "days"), plural(int(p.KeepEvents/day), "day", "days"), core.FormatBytes(p.RecorderCap))
}

// onSave stores the policy in the background.
func (s *storageSection) onSave() {
	p, err := s.edited()
	if err != nil {
		showText(s.status, errorText(err), widget.DangerImportance)
		return
	}
	s.save.Disable()
	showText(s.status, "Saving…", widget.LowImportance)
	a := s.app
	backgroundErr(a, "save the retention policy", func(ctx context.Context) error {
		return a.svc.SetRetention(ctx, p)
	}, func(err error) {
		if err != nil {
			showText(s.status, "Not saved: "+errorText(err), widget.DangerImportance)
		} else {
			s.saved = p
			showText(s.status, "Saved: "+policyText(p)+". It applies from the next run.", widget.SuccessImportance)
		}
		s.onEdited()
	})
}

// onRunNow runs retention in the background and shows what it freed.
func (s *storageSection) onRunNow() {
	s.runNow.Disable()
	showText(s.runStatus, "Running retention…", widget.LowImportance)
	a := s.app
	background(a, "run retention", a.svc.RunRetention, func(rep core.RetentionReport, err error) {
		s.runNow.Enable()
		if err != nil {
			showText(s.runStatus, "Retention stopped early: "+errorText(err), widget.DangerImportance)
		} else {
			showText(s.runStatus, rep.Summary()+".", widget.SuccessImportance)
		}
		s.load()
	})
}
