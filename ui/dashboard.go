package ui

// The Dashboard screen (tab "Dashboard"): SP endpoints with copy buttons,
// the listener's status and restart, the counters, the sign-ins chart and
// the live feed.

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

const (
	// feedLength is how many recent events the live feed shows.
	feedLength = 200
	// chartMinutes is the period of the logins-per-minute chart.
	chartMinutes = 30
	// refreshInterval bounds how often the dashboard re-reads the store
	// while events arrive (at most twice a second).
	refreshInterval = 500 * time.Millisecond
	// idleRefresh moves the chart along when nothing happens.
	idleRefresh = 30 * time.Second
)

// dashboard is the Dashboard screen: the SP's endpoints per IdP, the
// listener's status, the counters, the logins-per-minute chart and the
// live feed.
type dashboard struct {
	app     *App
	content fyne.CanvasObject
	refresh *throttle
	ticker  *time.Ticker
	stopped chan struct{}

	listenerIcon  *widget.Icon
	listenerText  *widget.Label
	addrEntry     *widget.Entry
	restartButton *widget.Button
	restartRow    *fyne.Container

	idpCards   *fyne.Container
	idpVersion string // what the cards show, to rebuild them only on change

	counters  [4]*counter
	chart     *barChart
	chartSum  *widget.Label
	chartHead *fyne.Container
	scroll    *container.Scroll // the left column

	events       []core.Event
	feedList     *widget.List
	feedDetail   *widget.Label
	feedSplit    *container.Split  // the feed over the selected event's detail
	detailScroll *container.Scroll // the detail
	openUser     *widget.Button    // opens the account the event is about
	detailUser   int64             // that account, 0 for none
	selectedEvt  int64
	selectedIdx  int // -1 when no row is selected
	readError    *widget.Label
	getStarted   *getStarted // the "Get started" card (getstarted.go)
}

// dashSnapshot is one read of everything the dashboard shows.
type dashSnapshot struct {
	listener  core.ListenerStatus
	idps      []idpEndpoints
	stats     core.Stats
	perMinute []core.MinuteCount
	events    []core.Event
	err       error
	started   getStartedRead
}

type idpEndpoints struct {
	idp core.IdP
	ep  core.Endpoints
}

func newDashboard(a *App) *dashboard {
	d := &dashboard{app: a, stopped: make(chan struct{}), selectedIdx: -1}
	d.refresh = newThrottle(a.bridge, a.refresh, d.read)
	a.feed.listen(func(core.Event) { d.refresh.Trigger() })
	d.content = d.build()
	d.ticker = time.NewTicker(idleRefresh)
	go d.tick()
	return d
}

func (d *dashboard) tick() {
	for {
		select {
		case <-d.ticker.C:
			d.refresh.Trigger()
		case <-d.stopped:
			return
		}
	}
}

func (d *dashboard) stop() {
	d.ticker.Stop()
	close(d.stopped)
	d.refresh.Stop()
}

func (d *dashboard) build() fyne.CanvasObject {
	d.readError = widget.NewLabel("")
	d.readError.Importance = widget.DangerImportance
	d.readError.Wrapping = fyne.TextWrapWord
	d.readError.Hide()

	counters := container.NewGridWithColumns(4)
	for i, c := range []struct {
		title string
		icon  fyne.Resource
	}{
		{"Users", theme.AccountIcon()},
		{"Created today", theme.ContentAddIcon()},
		{"Sign-ins, 24 h", theme.LoginIcon()},
		{"Refusals, 24 h", theme.ErrorIcon()},
	} {
		d.counters[i] = newCounter(c.title, c.icon)
		counters.Add(d.counters[i].content)
	}

	d.idpCards = container.NewVBox()
	d.chart = newBarChart()
	d.chart.Empty = "No sign-ins in the last 30 minutes"
	d.chartSum = widget.NewLabel("")
	d.chartHead = container.NewHBox(heading("Sign-ins per minute"), layout.NewSpacer(), d.chartSum)
	chartCard := widget.NewCard("", "", container.NewBorder(d.chartHead, nil, nil, nil, d.chart))

	d.getStarted = newGetStarted(d.app)
	d.scroll = container.NewVScroll(container.NewVBox(
		d.getStarted.content,
		d.buildListener(),
		d.readError,
		counters,
		chartCard,
		d.idpCards,
	))
	split := container.NewHSplit(d.scroll, d.buildFeed())
	split.Offset = 0.52
	return split
}

// buildListener is the status line of the SP listener, with the address
// entry and restart button shown when it is not running.
func (d *dashboard) buildListener() fyne.CanvasObject {
	d.listenerIcon = widget.NewIcon(theme.InfoIcon())
	d.listenerText = widget.NewLabel("Checking the SP listener…")
	d.listenerText.Wrapping = fyne.TextWrapWord
	d.addrEntry = widget.NewEntry()
	d.addrEntry.SetPlaceHolder("127.0.0.1:8081")
	d.addrEntry.OnSubmitted = func(string) { d.onRestart() }
	d.restartButton = widget.NewButtonWithIcon("Restart listener", theme.ViewRefreshIcon(), d.onRestart)
	d.restartButton.Importance = widget.HighImportance
	d.restartRow = container.NewBorder(nil, nil, widget.NewLabel("Listen on"), d.restartButton, d.addrEntry)
	d.restartRow.Hide()
	status := container.NewBorder(nil, nil, d.listenerIcon, nil, d.listenerText)
	return widget.NewCard("", "", container.NewVBox(
		heading("SP listener"), status, d.restartRow))
}

// read runs in a background goroutine: it reads everything the dashboard
// shows and hands it to apply on the UI goroutine.
func (d *dashboard) read() {
	ctx, svc := d.app.ctx, d.app.svc
	var s dashSnapshot
	keep := func(err error) {
		if err != nil && s.err == nil {
			s.err = err
		}
	}
	s.listener = svc.Listener()
	idps, err := svc.IdPs(ctx)
	keep(err)
	for _, idp := range idps {
		s.idps = append(s.idps, idpEndpoints{idp: idp, ep: svc.Endpoints(idp.Slug)})
	}
	s.stats, err = svc.Stats(ctx)
	keep(err)
	s.perMinute, err = svc.LoginsPerMinute(ctx, chartMinutes)
	keep(err)
	s.events, err = svc.RecentEvents(ctx, feedLength)
	keep(err)
	s.started = d.getStarted.read(ctx)
	d.app.deliver("read the dashboard", s.err, func() { d.apply(s) })
}

// apply shows a snapshot, on the UI goroutine.
func (d *dashboard) apply(s dashSnapshot) {
	if s.err != nil {
		d.readError.SetText("Some figures could not be read: " + errorText(s.err))
		d.readError.Show()
	} else {
		d.readError.Hide()
	}
	d.applyListener(s.listener)
	d.applyIdPs(s.idps)
	d.getStarted.apply(s.started)

	for i, n := range []int{s.stats.Users, s.stats.CreatedToday, s.stats.Logins24h, s.stats.Refusals24h} {
		d.counters[i].set(n)
		d.counters[i].alert(i == 3 && n > 0) // also takes the current theme's colour
	}
	d.chart.SetData(s.perMinute)
	d.chartSum.SetText(plural(d.chart.Total(), "sign-in", "sign-ins") + " in the last 30 min")
	d.chartHead.Refresh()

	d.events = s.events
	d.feedList.Refresh()
	d.reselectEvent()
}

// reselectEvent unselects the selected row when newer events moved its
// event to another row; the detail pane keeps showing the event.
func (d *dashboard) reselectEvent() {
	if d.selectedIdx < 0 {
		return
	}
	if d.selectedIdx < len(d.events) && d.events[d.selectedIdx].ID == d.selectedEvt {
		return
	}
	d.selectedIdx = -1
	d.feedList.UnselectAll()
}

func (d *dashboard) applyListener(st core.ListenerStatus) {
	if st.Running {
		d.listenerIcon.SetResource(outcomeIcon(core.OutcomeAccepted))
		d.listenerText.SetText(fmt.Sprintf("Running at %s (bound to %s)", st.BaseURL, st.Addr))
		d.restartRow.Hide()
		return
	}
	d.listenerIcon.SetResource(outcomeIcon(core.OutcomeRefused))
	why := st.Err
	if why == "" {
		why = "The SP listener is not running."
	}
	d.listenerText.SetText("Not running. " + why)
	if d.addrEntry.Text == "" {
		d.addrEntry.SetText(nextAddr(st.Addr))
	}
	d.restartRow.Show()
}

// nextAddr suggests the port after addr's, on the same host.
func nextAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n <= 0 || n >= 65535 {
		return "127.0.0.1:8081"
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}

// onRestart moves the listener to the address in the entry.
func (d *dashboard) onRestart() {
	addr := strings.TrimSpace(d.addrEntry.Text)
	if _, _, err := net.SplitHostPort(addr); err != nil {
		d.app.bridge.showErrorNow(core.Errorf(core.EINVALID, "%q is not an address like 127.0.0.1:8081.", addr))
		return
	}
	d.restartButton.Disable()
	d.listenerText.SetText("Starting the SP listener on " + addr + "…")
	var st core.ListenerStatus
	backgroundErr(d.app, "restart the SP listener on "+addr, func(context.Context) error {
		err := d.app.svc.Restart(addr)
		st = d.app.svc.Listener()
		return err
	}, func(err error) {
		d.restartButton.Enable()
		d.applyListener(st)
		if err != nil {
			d.app.bridge.showErrorNow(err)
		}
		d.refresh.Trigger() // the endpoints follow the new port
	})
}

// applyIdPs rebuilds the endpoint cards when the IdPs or their URLs
// changed.
func (d *dashboard) applyIdPs(idps []idpEndpoints) {
	var b strings.Builder
	for _, x := range idps {
		fmt.Fprintf(&b, "%s|%s|%t|%v\n", x.idp.Slug, x.idp.DisplayName, x.idp.Enabled, x.ep)
	}
	if b.String() == d.idpVersion {
		return
	}
	d.idpVersion = b.String()
	d.idpCards.RemoveAll()
	for _, x := range idps {
		d.idpCards.Add(d.idpCard(x))
	}
	if len(idps) == 0 {
		d.idpCards.Add(widget.NewCard("No identity provider yet", "", widget.NewLabel(
			"The built-in demo IdP appears here once the SP listener has started.")))
	}
	d.scroll.Refresh()
}

func (d *dashboard) idpCard(x idpEndpoints) fyne.CanvasObject {
	sub := fmt.Sprintf("IdP “%s”", x.idp.Slug)
	if x.idp.EntityID != "" {
		sub += " · " + x.idp.EntityID
	}
	if !x.idp.Enabled {
		sub += " · disabled"
	}
	rows := container.New(layout.NewFormLayout())
	for _, f := range []struct{ name, value string }{
		{"SP entity ID", x.ep.EntityID},
		{"ACS URL", x.ep.ACSURL},
		{"Metadata URL", x.ep.MetadataURL},
	} {
		value := widget.NewLabelWithStyle(f.value, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		value.Selectable = true
		value.Wrapping = fyne.TextWrapBreak // whole URL on two lines rather than cut
		rows.Add(widget.NewLabelWithStyle(f.name, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		rows.Add(container.NewBorder(nil, nil, nil, d.app.copyButton(f.value), value))
	}
	if x.idp.Slug == core.DemoSlug {
		return widget.NewCard(x.idp.DisplayName, sub, container.NewVBox(rows, d.app.demoIdPButtons(x.ep.LoginURL)))
	}
	return widget.NewCard(x.idp.DisplayName, sub, rows)
}

// counter is one of the dashboard's figures: a big number with a caption.
type counter struct {
	content fyne.CanvasObject
	value   *canvas.Text
	caption *widget.Label
}

func newCounter(caption string, icon fyne.Resource) *counter {
	c := &counter{value: canvas.NewText("–", theme.Color(theme.ColorNameForeground))}
	c.value.TextSize = theme.TextHeadingSize() * 1.4
	c.value.TextStyle = fyne.TextStyle{Bold: true}
	// The caption has a line of its own, unwrapped, so that it is never
	// cut; the icon goes beside the number.
	c.caption = widget.NewLabel(caption)
	figure := container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(icon)), nil, container.NewPadded(c.value))
	c.content = widget.NewCard("", "", container.NewVBox(c.caption, figure))
	return c
}

func (c *counter) set(n int) {
	c.value.Text = strconv.Itoa(n)
	c.value.Refresh()
}

// alert colours the number as an error when on.
func (c *counter) alert(on bool) {
	name := theme.ColorNameForeground
	if on {
		name = theme.ColorNameError
	}
	c.value.Color = theme.Color(name)
	c.value.Refresh()
}
