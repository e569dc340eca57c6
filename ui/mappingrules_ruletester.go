package ui

// The Mapping Rules screen's "Rule tester" tab: evaluates the working copy
// against a recorded sign-in or a pasted response and shows, per rule,
// matched or not and why.

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// testRecordings is how many recent sign-ins the tester offers.
const testRecordings = 50

// The tester's inputs.
const (
	testRecorded = "A recorded sign-in"
	testPasted   = "A pasted response"
)

// ruleTester is the Mapping Rules screen's rule tester: a recorded
// sign-in of the IdP, or a pasted response, evaluated with the working
// copy, unsaved. It shows per rule and per condition whether it matched
// and why (with the values compared), the resulting fields and roles, and
// the decision (create, update or deny) with its reason. Once it has
// shown a result it runs again as the working copy or the chosen sign-in
// changes; when it cannot (the mapping has a problem, the pasted response
// was edited), it says that the result shown is stale.
type ruleTester struct {
	r        *rules
	content  fyne.CanvasObject
	loadRecs *throttle // the IdP's recent sign-ins
	runner   *throttle // runs the latest request

	mu   sync.Mutex
	req  testRequest // what the runner runs next
	slug string      // the IdP whose sign-ins loadRecs reads

	seq       int    // of the latest request
	ranKey    string // the working copy of the latest request
	ranInput  string // the sign-in or response of the latest request
	source    *widget.RadioGroup
	recSelect *widget.Select
	recIDs    map[string]int64 // option → recording ID
	recs      []core.Recording
	paste     *widget.Entry
	inputs    map[string]fyne.CanvasObject
	run       *widget.Button
	progress  *widget.ProgressBarInfinite
	errLabel  *widget.Label
	stale     *widget.Label // says the result shown is not of the form as it is
	result    *fyne.Container
	decision  *widget.Label
	last      *core.RuleTest    // the shown result, nil before the first
	report    *core.CheckReport // the pasted response's verdict
}

// testRequest is one run of the tester, collected on the UI goroutine.
type testRequest struct {
	seq         int
	slug        string
	m           core.Mapping
	recordingID int64
	response    []byte
}

func newRuleTester(r *rules) *ruleTester {
	t := &ruleTester{r: r, recIDs: map[string]int64{}}
	t.loadRecs = newThrottle(r.app.bridge, r.app.refresh, t.readRecordings)
	t.runner = newThrottle(r.app.bridge, r.app.refresh, t.runLatest)
	t.content = t.build()
	return t
}

func (t *ruleTester) stop() {
	t.loadRecs.Stop()
	t.runner.Stop()
}

func (t *ruleTester) build() fyne.CanvasObject {
	t.recSelect = widget.NewSelect(nil, func(string) { t.inputChanged() })
	t.recSelect.PlaceHolder = "No sign-in recorded for this IdP yet"
	t.paste = widget.NewMultiLineEntry()
	t.paste.TextStyle = fyne.TextStyle{Monospace: true}
	t.paste.Wrapping = fyne.TextWrapOff
	t.paste.SetPlaceHolder("Paste a SAMLResponse (base64 or XML) sent by this IdP")
	t.paste.SetMinRowsVisible(5)
	t.paste.OnChanged = func(string) { t.inputChanged() }
	t.inputs = map[string]fyne.CanvasObject{testRecorded: t.recSelect, testPasted: t.paste}
	stack := container.NewStack(t.recSelect, t.paste)
	t.source = widget.NewRadioGroup([]string{testRecorded, testPasted}, func(choice string) {
		for name, o := range t.inputs {
			if name == choice {
				o.Show()
			} else {
				o.Hide()
			}
		}
		t.inputChanged()
	})
	t.source.Horizontal = true
	t.source.Required = true
	t.source.SetSelected(testRecorded)
	t.run = widget.NewButtonWithIcon("Test", theme.MediaPlayIcon(), t.onRun)
	t.run.Importance = widget.HighImportance
	t.progress = widget.NewProgressBarInfinite()
	t.progress.Hide()
	t.errLabel = errorLabel()
	t.stale = wrapped("", widget.WarningImportance)
	t.stale.Hide()
	t.decision = title("")
	t.decision.Wrapping = fyne.TextWrapWord
	t.result = container.NewVBox()
	t.clear()

	input := container.NewVBox(
		wrapped("Evaluates the working copy, unsaved, against what the IdP sent. Nothing is created or changed.", widget.LowImportance),
		t.source, stack,
		container.NewBorder(nil, nil, nil, t.run, t.progress), t.errLabel, t.stale)
	return container.NewBorder(container.NewPadded(input), nil, nil, nil,
		container.NewVScroll(container.NewPadded(t.result)))
}

// clear empties the result.
func (t *ruleTester) clear() {
	t.last, t.report, t.ranKey, t.ranInput = nil, nil, "", ""
	showText(t.stale, "", widget.WarningImportance)
	hint := wrapped("Choose a sign-in and press Test to see, rule by rule, what the working copy makes of it.", widget.LowImportance)
	hint.Alignment = fyne.TextAlignCenter
	t.result.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewIcon(theme.ConfirmIcon())), hint}
	t.result.Refresh()
}

// reset starts over for another IdP.
func (t *ruleTester) reset(slug string) {
	t.mu.Lock()
	t.slug = slug
	t.mu.Unlock()
	t.seq++ // a result on its way is for the other IdP
	t.progress.Stop()
	t.progress.Hide()
	showText(t.errLabel, "", widget.DangerImportance)
	t.recs, t.recIDs = nil, map[string]int64{}
	t.recSelect.ClearSelected()
	t.recSelect.SetOptions(nil)
	t.clear()
	t.loadRecs.Trigger()
}

// readRecordings runs in a background goroutine: the IdP's recent
// sign-ins, and the attribute names of the newest accepted one for the
// preset suggestion.
func (t *ruleTester) readRecordings() {
	t.mu.Lock()
	slug := t.slug
	t.mu.Unlock()
	if slug == "" {
		return
	}
	a := t.r.app
	recs, err := a.svc.Recordings(a.ctx, core.RecordingFilter{IdPSlug: slug, Limit: testRecordings})
	var names []string
	if i := slices.IndexFunc(recs, func(r core.Recording) bool { return r.Outcome == core.OutcomeAccepted }); i >= 0 {
		if view, verr := a.svc.Recording(a.ctx, recs[i].ID); verr == nil {
			for _, row := range view.Attributes {
				names = append(names, row.Name)
				if row.FriendlyName != "" {
					names = append(names, row.FriendlyName)
				}
			}
		}
	}
	a.deliver("read the recordings of "+slug, err, func() { t.applyRecordings(slug, recs, names, err) })
}

// recordingOption names a recorded sign-in in the choice.
func recordingOption(r core.Recording) string {
	what := string(r.Outcome)
	if r.Outcome == core.OutcomeRefused && r.Class != "" {
		what = "refused, " + string(r.Class)
	}
	return fmt.Sprintf("#%d · %s · %s · %s", r.ID, shortTime(r.At), orDash(r.NameID), what)
}

func (t *ruleTester) applyRecordings(slug string, recs []core.Recording, names []string, err error) {
	if slug != t.r.currentSlug() {
		return
	}
	if err != nil {
		showText(t.errLabel, "The recorded sign-ins could not be read: "+errorText(err), widget.DangerImportance)
		return
	}
	t.recs = recs
	t.recIDs = map[string]int64{}
	opts := make([]string, len(recs))
	for i, r := range recs {
		opts[i] = recordingOption(r)
		t.recIDs[opts[i]] = r.ID
	}
	selected := t.recSelect.Selected
	t.recSelect.PlaceHolder = "Choose a recorded sign-in"
	if len(recs) == 0 {
		t.recSelect.PlaceHolder = "No sign-in recorded for this IdP yet"
	}
	t.recSelect.SetOptions(opts)
	if _, ok := t.recIDs[selected]; !ok {
		t.recSelect.ClearSelected()
		if len(opts) > 0 {
			t.recSelect.SetSelected(opts[0]) // the newest
		}
	}
	if len(names) > 0 && t.r.form != nil {
		t.r.form.setSuggestion(core.SuggestPreset(t.r.idp.EntityID, names))
	}
}

// request collects a run from the widgets; err says what is missing.
func (t *ruleTester) request() (testRequest, error) {
	f := t.r.form
	if f == nil {
		return testRequest{}, core.Errorf(core.EINVALID, "Choose an identity provider first.")
	}
	if f.problem != nil {
		return testRequest{}, core.Errorf(core.EINVALID, "Fix the mapping first: %s", f.problem.Message)
	}
	req := testRequest{slug: t.r.currentSlug(), m: cloneMapping(f.m)}
	if t.source.Selected == testPasted {
		text := strings.TrimSpace(t.paste.Text)
		if text == "" {
			return req, core.Errorf(core.EINVALID, "Paste a SAMLResponse first.")
		}
		req.response = []byte(text)
		return req, nil
	}
	req.recordingID = t.recIDs[t.recSelect.Selected]
	if req.recordingID == 0 {
		return req, core.Errorf(core.EINVALID, "Choose a recorded sign-in first. Sign in through this IdP once and it appears here.")
	}
	return req, nil
}

// onRun tests the working copy.
func (t *ruleTester) onRun() {
	req, err := t.request()
	if err != nil {
		showText(t.errLabel, errorText(err), widget.DangerImportance)
		return
	}
	showText(t.errLabel, "", widget.DangerImportance)
	t.submit(req)
}

// submit hands req to the runner, replacing any request not yet run.
func (t *ruleTester) submit(req testRequest) {
	t.seq++
	req.seq = t.seq
	t.ranKey = mappingKey(req.m)
	t.ranInput = t.inputKey()
	showText(t.stale, "", widget.WarningImportance)
	t.mu.Lock()
	t.req = req
	t.mu.Unlock()
	t.progress.Show()
	t.progress.Start()
	t.runner.Trigger()
}

// The stale notices: what changed since the result shown.
const (
	staleRules    = "The rules changed since this test — press Test again."
	staleBroken   = "The rules changed since this test, and the mapping has a problem: fix it, then press Test again."
	staleSignIn   = "Another sign-in is chosen since this test — press Test again."
	staleResponse = "The pasted response changed since this test — press Test again."
)

// shown says whether a result is on screen.
func (t *ruleTester) shown() bool { return t.last != nil || t.report != nil }

// inputKey names what the tester would test now: the chosen sign-in or
// the pasted response.
func (t *ruleTester) inputKey() string {
	if t.source.Selected == testPasted {
		return "response:" + strings.TrimSpace(t.paste.Text)
	}
	return fmt.Sprintf("recording:%d", t.recIDs[t.recSelect.Selected])
}

// staleNotice says what changed since the result shown, "" when nothing.
func (t *ruleTester) staleNotice() string {
	f := t.r.form
	switch {
	case f != nil && f.problem != nil:
		return staleBroken
	case f != nil && mappingKey(f.m) != t.ranKey:
		return staleRules
	case t.inputKey() == t.ranInput:
		return ""
	case t.source.Selected == testPasted:
		return staleResponse
	}
	return staleSignIn
}

// workingChanged runs the test again for an edited working copy once a
// result is shown; a working copy with a problem makes the result stale.
func (t *ruleTester) workingChanged() {
	if t.shown() {
		t.follow(false)
	}
}

// inputChanged runs the test again on another recorded sign-in once a
// result is shown; an edited response (which may be half pasted) makes
// the result stale.
func (t *ruleTester) inputChanged() {
	if t.source != nil && t.run != nil && t.shown() {
		t.follow(t.source.Selected == testPasted)
	}
}

// follow brings the result shown up to date with the form: nothing when it
// is, a new run when one can be made (and not onlyMark), otherwise the
// stale notice.
func (t *ruleTester) follow(onlyMark bool) {
	notice := t.staleNotice()
	if notice == "" || onlyMark || notice == staleBroken {
		showText(t.stale, notice, widget.WarningImportance)
		return
	}
	t.rerun(notice)
}

// rerun submits the test as the widgets now ask for it, or, when they
// cannot make one, marks the result stale with notice.
func (t *ruleTester) rerun(notice string) {
	req, err := t.request()
	if err != nil {
		showText(t.stale, notice, widget.WarningImportance)
		return
	}
	t.submit(req)
}

// runLatest runs in a background goroutine: the latest request.
func (t *ruleTester) runLatest() {
	t.mu.Lock()
	req := t.req
	t.mu.Unlock()
	if req.slug == "" {
		return
	}
	a := t.r.app
	var (
		rt  core.RuleTest
		rep *core.CheckReport
		err error
	)
	if req.recordingID != 0 {
		rt, err = a.svc.TestRules(a.ctx, req.slug, req.m, req.recordingID)
	} else {
		var r core.CheckReport
		rt, r, err = a.svc.TestRulesOnResponse(a.ctx, req.slug, req.m, req.response)
		rep = &r
	}
	a.deliver("test the rules of "+req.slug, err, func() { t.apply(req.seq, rt, rep, err) })
}

// apply shows a result, on the UI goroutine, unless a newer request was
// made since.
func (t *ruleTester) apply(seq int, rt core.RuleTest, rep *core.CheckReport, err error) {
	if seq != t.seq {
		return
	}
	t.progress.Stop()
	t.progress.Hide()
	if err != nil {
		showText(t.errLabel, "The test did not run: "+errorText(err), widget.DangerImportance)
		return
	}
	t.last, t.report = &rt, rep
	showText(t.stale, t.staleNotice(), widget.WarningImportance) // changed while it ran
	var parts []fyne.CanvasObject
	if rep != nil && !rep.Valid {
		parts = append(parts, refusedBox(*rep))
	}
	if rt.Decision != "" {
		parts = append(parts, t.decisionView(rt),
			widget.NewCard("", "Account fields", testFields(rt)),
			widget.NewCard("", "Roles", rolesView(rt.Evaluation.Fields.Roles)),
			widget.NewCard("", "Rules, in order", traceView(rt.Evaluation.Rules)),
			widget.NewAccordion(widget.NewAccordionItem(
				fmt.Sprintf("Attributes the IdP sent (%d)", len(rt.Attributes)), attributesView(rt.Attributes))))
	}
	t.result.Objects = parts
	t.result.Refresh()
}

// refusedBox says that a pasted response would be refused before any
// mapping.
func refusedBox(rep core.CheckReport) fyne.CanvasObject {
	box := container.NewVBox(
		wrapped("The console would refuse this response before any mapping: "+orDash(rep.Class), widget.DangerImportance),
		wrapped(rep.Reason, widget.MediumImportance))
	if rep.Hint != "" {
		box.Add(wrapped(rep.Hint, widget.LowImportance))
	}
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(outcomeIcon(core.OutcomeRefused))), nil, box)
}

// decisionView is the verdict: create, update or deny, and why.
func (t *ruleTester) decisionView(rt core.RuleTest) fyne.CanvasObject {
	icon, imp := theme.ContentAddIcon(), widget.SuccessImportance
	text := "Would create a new account"
	switch rt.Decision {
	case "update":
		icon, text = theme.AccountIcon(), "Would update the existing account"
		if rt.Existing != nil {
			text = fmt.Sprintf("Would update the account of %s (#%d)", orDash(rt.Existing.Username), rt.Existing.ID)
		}
	case "deny":
		icon, imp, text = outcomeIcon(core.OutcomeRefused), widget.DangerImportance, "Would deny the sign-in"
	}
	t.decision.SetText(text)
	t.decision.Importance = imp
	t.decision.Refresh()
	box := container.NewVBox(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, t.decision))
	if rt.Reason != "" {
		box.Add(wrapped(rt.Reason, imp))
	}
	box.Add(lowLabel("Evaluated with the working copy, unsaved, for NameID " + orDash(rt.NameID) + "."))
	return box
}

// testFields are the account fields a test produced.
func testFields(rt core.RuleTest) fyne.CanvasObject {
	f := rt.Evaluation.Fields
	return formRows(
		"NameID", rt.NameID,
		"Username", f.Username,
		"Email", f.Email,
		"Display name", f.DisplayName,
		"Given name", f.GivenName,
		"Family name", f.FamilyName,
		"Groups", strings.Join(f.Groups, ", "),
	)
}

// traceView shows each rule: matched or not, what it grants, and each
// condition with why and the values it compared.
func traceView(rules []core.RuleTrace) fyne.CanvasObject {
	if len(rules) == 0 {
		return lowLabel("No role rules: the no-match policy decides.")
	}
	box := container.NewVBox()
	for i, tr := range rules {
		if i > 0 {
			box.Add(widget.NewSeparator())
		}
		name := fmt.Sprintf("Rule %d", tr.Index)
		if tr.Name != "" {
			name += " · " + tr.Name
		}
		head := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		head.Truncation = fyne.TextTruncateEllipsis
		state := wrapped("no match", widget.LowImportance)
		var icon fyne.Resource = theme.NewDisabledResource(theme.CancelIcon())
		if tr.Matched {
			state = wrapped("matched — grants "+strings.Join(tr.Roles, ", "), widget.SuccessImportance)
			icon = outcomeIcon(core.OutcomeAccepted)
		}
		box.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, container.NewVBox(head, state)))
		for _, ct := range tr.Conditions {
			box.Add(conditionTrace(ct))
		}
	}
	return box
}

// conditionTrace is one condition's outcome, indented under its rule.
func conditionTrace(ct core.ConditionTrace) fyne.CanvasObject {
	var icon fyne.Resource = theme.NewErrorThemedResource(theme.CancelIcon())
	if ct.Matched {
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
	}
	cond := widget.NewLabelWithStyle(ct.Condition.String(), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	cond.Wrapping = fyne.TextWrapBreak
	why := wrapped(ct.Why, widget.MediumImportance)
	lines := container.NewVBox(cond, why)
	if len(ct.Values) > 0 {
		q := make([]string, len(ct.Values))
		for i, v := range ct.Values {
			q[i] = fmt.Sprintf("%q", v)
		}
		lines.Add(lowLabel("values: " + strings.Join(q, ", ")))
	}
	indent := container.NewGridWrap(fyne.NewSize(theme.IconInlineSize(), 1))
	return container.NewBorder(nil, nil, container.NewHBox(indent, container.NewVBox(widget.NewIcon(icon))), nil, lines)
}
