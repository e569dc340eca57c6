package ui

// Step 4 of the "Connect an identity provider" wizard: a test sign-in.
// It shows the SP-initiated login URL (copy, open in the browser) and
// waits, through the console's live events, for the next sign-in through
// the new IdP: the account it made (username, roles) or the refusal with
// its hint.

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// wizardTest is step 4's widgets.
type wizardTest struct {
	open    *widget.Button
	copy    *widget.Button
	waiting *widget.ProgressBarInfinite
	status  *widget.Label
	account *widget.Label
	hint    *widget.Label
	done    *widget.Button
	// result is the outcome shown: "" while waiting.
	result core.Outcome
}

// stop stops the waiting animation.
func (t *wizardTest) stop() {
	if t.waiting != nil {
		t.waiting.Stop()
	}
}

// showTest is step 4.
func (w *idpWizard) showTest() {
	t := &w.trial
	login := w.ep.LoginURL
	t.copy = w.s.app.copyButton(login)
	t.open = widget.NewButtonWithIcon("Open in browser", theme.LoginIcon(), w.onOpenLogin)
	t.open.Importance = widget.HighImportance
	t.waiting = widget.NewProgressBarInfinite()
	t.status = wrapped(fmt.Sprintf("Waiting for the next sign-in through %s…", w.draft.DisplayName), widget.MediumImportance)
	t.account = wrapped("", widget.MediumImportance)
	t.account.Hide()
	t.hint = wrapped("", widget.MediumImportance)
	t.hint.Hide()
	t.done = widget.NewButtonWithIcon("Done", theme.ConfirmIcon(), w.close)
	t.result = ""
	box := container.NewVBox(
		stepTitle(4, "test sign-in"),
		wrapped(w.draft.DisplayName+" is connected and enabled. Sign in through it once: open the login address in a browser (or send it to someone with an account at the IdP). The result shows here.", widget.MediumImportance),
		container.NewBorder(nil, nil, fieldName("Login URL"), t.copy, mono(login)),
		container.NewHBox(t.open),
		widget.NewSeparator(),
		t.status, t.waiting, t.account, t.hint)
	w.show(4, container.NewVScroll(box), t.done)
}

// onOpenLogin opens the browser at the SP-initiated login.
func (w *idpWizard) onOpenLogin() {
	w.s.app.openURL(w.ep.LoginURL) // a dialog with the URL if no browser opens
}

// onEvent shows the first sign-in result through the new IdP: an
// accepted one as its account (read in the background for its roles), a
// refusal with its reason and hint. Later sign-ins replace it.
func (t *wizardTest) onEvent(w *idpWizard, e core.Event) {
	switch e.Kind {
	case core.EventUserCreated, core.EventUserUpdated:
		t.waiting.Stop()
		t.waiting.Hide()
		t.result = core.OutcomeAccepted
		showText(t.status, "Signed in: "+e.Message, widget.SuccessImportance)
		t.hint.Hide()
		a := w.s.app
		id := e.UserID
		background(a, "read the account of the test sign-in", func(ctx context.Context) (core.UserDetail, error) {
			return a.svc.User(ctx, id)
		}, func(u core.UserDetail, err error) {
			if err != nil {
				showText(t.account, "The account could not be read: "+errorText(err), widget.DangerImportance)
				return
			}
			showText(t.account, accountSummary(u.User), widget.MediumImportance)
		})
	case core.EventLoginRefused:
		t.waiting.Stop()
		t.waiting.Hide()
		t.result = core.OutcomeRefused
		showText(t.status, "Refused: "+e.Message, widget.DangerImportance)
		t.account.Hide()
		if e.Detail != "" {
			showText(t.hint, "What to do: "+e.Detail, widget.MediumImportance)
		} else {
			t.hint.Hide()
		}
	}
}

// accountSummary is a provisioned account's username, email and roles.
func accountSummary(u core.User) string {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = r.Role
	}
	role := "no roles"
	if len(roles) > 0 {
		role = strings.Join(roles, ", ")
	}
	lines := []string{"Username: " + u.Username}
	if u.Email != "" {
		lines = append(lines, "Email: "+u.Email)
	}
	lines = append(lines, "Roles: "+role)
	return strings.Join(lines, "\n")
}

// wizardSize is the largest the wizard grows to.
var wizardSize = fyne.NewSize(820, 660)
