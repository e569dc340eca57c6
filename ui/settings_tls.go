package ui

// The Settings screen's HTTPS card: the SP listener's certificate and
// private key chosen from files (or HTTPS turned off), checked, stored
// (the key in the OS keyring) and put in place with a restart; the base
// URL's scheme follows.

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// tlsService is the part of the service that manages the listener's
// HTTPS (core.Console has it; without it the card is not shown).
type tlsService interface {
	TLS() core.TLSStatus
	SetTLS(ctx context.Context, certPEM, keyPEM []byte) ([]string, error)
	DisableTLS(ctx context.Context) error
}

// maxTLSFile bounds a certificate or key file read from the form.
const maxTLSFile = 1 << 20

// tlsSection is the HTTPS card of the Settings screen.
type tlsSection struct {
	app     *App
	svc     tlsService
	content fyne.CanvasObject

	certPath *widget.Entry
	keyPath  *widget.Entry
	turnOn   *widget.Button
	turnOff  *widget.Button
	current  *widget.Label // what the listener speaks now
	status   *widget.Label // the outcome of the last change
}

func newTLSSection(a *App) *tlsSection {
	s := &tlsSection{app: a}
	svc, ok := a.svc.(tlsService)
	if !ok {
		s.content = layout.NewSpacer()
		return s
	}
	s.svc = svc
	s.certPath = widget.NewEntry()
	s.certPath.SetPlaceHolder("/path/to/certificate.pem")
	s.keyPath = widget.NewEntry()
	s.keyPath.SetPlaceHolder("/path/to/private-key.pem")
	s.turnOn = widget.NewButtonWithIcon("Use this certificate and restart", theme.ConfirmIcon(), s.onTurnOn)
	s.turnOn.Importance = widget.HighImportance
	s.turnOff = widget.NewButtonWithIcon("Turn HTTPS off", theme.CancelIcon(), s.onTurnOff)
	s.current = wrapped("", widget.LowImportance)
	s.status = wrapped("", widget.LowImportance)
	s.status.Hide()
	explain := wrapped("With HTTPS the listener speaks TLS and every SAML URL (entity ID, ACS, metadata) starts with https://. "+
		"Entra ID accepts a plain http ACS only on localhost; an ACS on any other host name needs HTTPS. "+
		"Choose a PEM certificate (with its intermediates) and its private key: they are checked, the certificate is kept "+
		"in the database and the key in the OS keyring, and the listener restarts. The IdPs then need the SP's new metadata. "+
		"For a test, jitconsole tls self-signed --host NAME makes a pair (browsers warn about it).", widget.MediumImportance)
	form := container.New(layout.NewFormLayout(),
		fieldName("Certificate"), container.NewBorder(nil, nil, nil, s.browseButton(s.certPath), s.certPath),
		fieldName("Private key"), container.NewBorder(nil, nil, nil, s.browseButton(s.keyPath), s.keyPath))
	s.content = widget.NewCard("HTTPS", "TLS on the SP listener", container.NewVBox(explain,
		container.NewGridWrap(fyne.NewSize(640, form.MinSize().Height), form),
		container.NewHBox(s.turnOn, s.turnOff), s.current, s.status))
	return s
}

// browseButton fills entry with a file chosen in a dialog.
func (s *tlsSection) browseButton(entry *widget.Entry) *widget.Button {
	return widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		win := s.app.win
		open := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			entry.SetText(r.URI().Path())
			r.Close()
		}, win)
		open.Resize(win.Canvas().Size())
		open.Show()
	})
}

// show says what the listener speaks now.
func (s *tlsSection) show() {
	if s.svc == nil {
		return
	}
	st := s.svc.TLS()
	if !st.On {
		showText(s.current, "HTTPS is off: the listener speaks plain http.", widget.LowImportance)
		s.turnOff.Disable()
		return
	}
	text := fmt.Sprintf("HTTPS is on with %s for %s, valid until %s (SHA-256 %s).", st.Subject,
		strings.Join(st.Names, ", "), st.NotAfter.UTC().Format(time.DateOnly), st.Fingerprint)
	if st.Source == core.TLSFromFiles {
		text += " It is set by --tls-cert and --tls-key for this run; start without them to change it here."
	}
	for _, w := range st.Warnings {
		text += "\n" + w
	}
	imp := widget.SuccessImportance
	if len(st.Warnings) > 0 {
		imp = widget.WarningImportance
	}
	showText(s.current, text, imp)
	if st.Source == core.TLSFromFiles {
		s.turnOn.Disable()
		s.turnOff.Disable()
	} else {
		s.turnOff.Enable()
	}
}

// onTurnOn reads the chosen files, and hands them to the console, in the
// background.
func (s *tlsSection) onTurnOn() {
	certFile, keyFile := strings.TrimSpace(s.certPath.Text), strings.TrimSpace(s.keyPath.Text)
	if certFile == "" || keyFile == "" {
		showText(s.status, "Choose the certificate file and the private key file.", widget.DangerImportance)
		return
	}
	s.turnOn.Disable()
	showText(s.status, "Checking the certificate and restarting the SP listener…", widget.LowImportance)
	a := s.app
	background(a, "turn HTTPS on", func(ctx context.Context) ([]string, error) {
		certPEM, err := readTLSFile(certFile)
		if err != nil {
			return nil, err
		}
		keyPEM, err := readTLSFile(keyFile)
		if err != nil {
			return nil, err
		}
		return s.svc.SetTLS(ctx, certPEM, keyPEM)
	}, func(warnings []string, err error) {
		s.turnOn.Enable()
		s.changed(err, "HTTPS is on at "+a.svc.Listener().BaseURL+". Give your IdPs the SP's new metadata: "+
			"its ACS and metadata URLs now start with https://.", warnings)
	})
}

// onTurnOff turns HTTPS off in the background.
func (s *tlsSection) onTurnOff() {
	s.turnOff.Disable()
	showText(s.status, "Turning HTTPS off and restarting the SP listener…", widget.LowImportance)
	a := s.app
	backgroundErr(a, "turn HTTPS off", s.svc.DisableTLS, func(err error) {
		s.changed(err, "HTTPS is off: the listener speaks http at "+a.svc.Listener().BaseURL+
			". Give your IdPs the SP's new metadata: its URLs now start with http://.", nil)
	})
}

// changed shows the outcome of a change, and the listener's new state
// on the whole Settings screen and the Dashboard.
func (s *tlsSection) changed(err error, done string, warnings []string) {
	a := s.app
	s.show()
	if a.settings != nil && a.settings.system != nil {
		a.settings.system.show(a.svc.Listener(), true)
	}
	a.dashboard.refresh.Trigger()
	if err != nil {
		showText(s.status, "Not changed as asked: "+errorText(err), widget.DangerImportance)
		return
	}
	imp := widget.SuccessImportance
	for _, w := range warnings {
		done += "\nWarning: " + w
		imp = widget.WarningImportance
	}
	showText(s.status, done, imp)
}

func readTLSFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%s cannot be read: %v.", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTLSFile+1))
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%s cannot be read: %v.", path, err)
	}
	if len(data) > maxTLSFile {
		return nil, core.Errorf(core.EINVALID, "%s is too large for a certificate or key.", path)
	}
	return data, nil
}
