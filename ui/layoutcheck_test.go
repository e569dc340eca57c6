package ui

import (
	"fmt"
	"reflect"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The layout checker walks what a canvas shows, as laid out, and reports
// what a person would see as broken: two widgets drawn over each other, a
// control cut off where no scroll reaches it, a text cut without an
// ellipsis, and content that needs a bigger window than it has. It knows
// nothing of the screens: layout_test.go runs it over each of them, and
// TestLayoutCheckerFinds proves on small hand-built layouts that it fails.

// overlapSlack is how far two leaves may overlap before it counts: Fyne's
// own layouts let neighbours touch by a pixel here and there.
const overlapSlack = 2

// layoutFinding is one thing wrong on a canvas.
type layoutFinding struct {
	kind string // "overlap", "cut off", "truncated", "too big"
	path string // where: layer › container › widget "text"
	text string // what
}

func (f layoutFinding) String() string { return f.kind + ": " + f.path + ": " + f.text }

// rect is an axis-aligned rectangle in canvas coordinates.
type rect struct{ x0, y0, x1, y1 float32 }

func rectOf(pos fyne.Position, size fyne.Size) rect {
	return rect{pos.X, pos.Y, pos.X + size.Width, pos.Y + size.Height}
}

func (r rect) intersect(o rect) rect {
	return rect{max(r.x0, o.x0), max(r.y0, o.y0), min(r.x1, o.x1), min(r.y1, o.y1)}
}

func (r rect) w() float32 { return r.x1 - r.x0 }
func (r rect) h() float32 { return r.y1 - r.y0 }

func (r rect) empty() bool { return r.w() <= 0 || r.h() <= 0 }

// within reports whether r lies inside o, give or take a pixel.
func (r rect) within(o rect) bool {
	const e = 1
	return r.x0 >= o.x0-e && r.y0 >= o.y0-e && r.x1 <= o.x1+e && r.y1 <= o.y1+e
}

func (r rect) String() string {
	return fmt.Sprintf("(%.0f,%.0f %.0f×%.0f)", r.x0, r.y0, r.w(), r.h())
}

// leaf is a widget the checker looks at and does not look into.
type leaf struct {
	obj     fyne.CanvasObject
	path    string
	at      rect // where it is laid out
	visible rect // the part of it on screen now
}

// walkState is what a walk knows on its way down.
type walkState struct {
	pos     fyne.Position // the parent's absolute position
	visible rect          // what is on screen now: the window cut by every scroll's viewport and split pane
	reach   rect          // what a scroll can bring on screen
	path    []string
	inCell  bool // inside a table, list, tree or grid-wrap cell
}

// layoutChecker collects the leaves of one layer and the findings.
type layoutChecker struct {
	leaves   []leaf
	findings []layoutFinding
}

// checkCanvas runs every check on c, named name in the findings: its
// content and each overlay (a dialog, a pop-up) as a layer of its own.
func checkCanvas(name string, c fyne.Canvas) []layoutFinding {
	var out []layoutFinding
	size := c.Size()
	if content := c.Content(); content != nil {
		out = append(out, checkLayer(name, content, size)...)
		// Tabs need the room of their biggest tab, shown or not: a window
		// held big by a tab not shown is that tab's finding (see walk).
		if m := shownMinSize(content); m.Width > size.Width+1 || m.Height > size.Height+1 {
			out = append(out, layoutFinding{"too big", name,
				fmt.Sprintf("the content needs %.0f×%.0f, the window is %.0f×%.0f", m.Width, m.Height, size.Width, size.Height)})
		}
	}
	for i, o := range c.Overlays().List() {
		out = append(out, checkLayer(fmt.Sprintf("%s › overlay %d", name, i+1), o, size)...)
	}
	return out
}

// checkLayer walks o, drawn in a window of size, and checks its leaves.
func checkLayer(name string, o fyne.CanvasObject, size fyne.Size) []layoutFinding {
	ch := &layoutChecker{}
	win := rectOf(fyne.NewPos(0, 0), size)
	ch.walk(o, walkState{visible: win, reach: win, path: []string{name}})
	ch.checkOverlaps()
	return ch.findings
}

func (ch *layoutChecker) walk(o fyne.CanvasObject, s walkState) {
	if o == nil || !o.Visible() {
		return
	}
	abs := s.pos.Add(o.Position())
	at := rectOf(abs, o.Size())
	if isLeaf(o) {
		ch.checkLeaf(o, at, s)
		return
	}
	child := s
	child.pos = abs
	if step := containerName(o); step != "" {
		child.path = append(append([]string(nil), s.path...), step)
	}
	switch w := o.(type) {
	case *container.Scroll:
		child.visible = s.visible.intersect(at)
		// What a scroll can reach: all of its content along its axes,
		// only its viewport across them.
		content := at
		if w.Content != nil {
			content = rectOf(abs.Add(w.Content.Position()), w.Content.Size())
		}
		child.reach = s.reach.intersect(at)
		switch w.Direction {
		case container.ScrollBoth:
			child.reach = content
		case container.ScrollVerticalOnly:
			child.reach.y0, child.reach.y1 = content.y0, content.y1
		case container.ScrollHorizontalOnly:
			child.reach.x0, child.reach.x1 = content.x0, content.x1
		}
	case *widget.Table, *widget.List, *widget.Tree, *widget.GridWrap:
		child.inCell = true
	case *container.AppTabs:
		if sel := w.Selected(); sel != nil && sel.Content != nil {
			m, has := sel.Content.MinSize(), sel.Content.Size()
			if m.Width > has.Width+1 || m.Height > has.Height+1 {
				ch.add("too big", strings.Join(child.path, " › "), fmt.Sprintf(
					"the tab needs %.0f×%.0f, it has %.0f×%.0f: the window cannot be smaller than the tab", m.Width, m.Height, has.Width, has.Height))
			}
		}
	}
	var kids []fyne.CanvasObject
	switch w := o.(type) {
	case *fyne.Container:
		kids = w.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(w).Objects()
	}
	if sp, ok := o.(*container.Split); ok {
		// A pane cuts what it holds: its content is not drawn over the
		// other pane, and a control pushed out of it is cut off.
		for _, pane := range []fyne.CanvasObject{sp.Leading, sp.Trailing} {
			if pane == nil || !pane.Visible() {
				continue
			}
			ps := child
			pr := rectOf(abs.Add(pane.Position()), pane.Size())
			ps.visible, ps.reach = child.visible.intersect(pr), child.reach.intersect(pr)
			ps.pos = abs
			ch.walk(pane, ps)
		}
		return
	}
	for _, k := range kids {
		ch.walk(k, child)
	}
}

// isLeaf says which objects the checker looks at rather than into.
func isLeaf(o fyne.CanvasObject) bool {
	switch o.(type) {
	case *widget.Label, *widget.Button, *widget.Entry, *widget.SelectEntry, *widget.Select,
		*widget.Check, *widget.RadioGroup, *widget.Hyperlink, *widget.Icon, *widget.RichText,
		*widget.ProgressBar, *widget.ProgressBarInfinite, *widget.Slider, *widget.Toolbar,
		*canvas.Text, *canvas.Image:
		return true
	}
	return false
}

// isControl says which leaves a person operates: these must not be cut.
func isControl(o fyne.CanvasObject) bool {
	switch o.(type) {
	case *widget.Button, *widget.Entry, *widget.SelectEntry, *widget.Select, *widget.Check,
		*widget.RadioGroup, *widget.Hyperlink, *widget.Slider, *widget.Toolbar:
		return true
	}
	return false
}

// containerName is a step of a finding's path for o, or "" for an
// anonymous container.
func containerName(o fyne.CanvasObject) string {
	switch w := o.(type) {
	case *fyne.Container:
		return ""
	case *widget.Card:
		if w.Title != "" {
			return fmt.Sprintf("card %q", w.Title)
		}
		return "card"
	case *container.Split:
		if w.Horizontal {
			return "hsplit"
		}
		return "vsplit"
	case *container.Scroll:
		return "scroll"
	case *container.AppTabs:
		if sel := w.Selected(); sel != nil {
			return fmt.Sprintf("tab %q", sel.Text)
		}
		return "tabs"
	case *container.DocTabs:
		if sel := w.Selected(); sel != nil {
			return fmt.Sprintf("tab %q", sel.Text)
		}
		return "tabs"
	case *widget.Table:
		return "table"
	case *widget.List:
		return "list"
	case *widget.Form:
		return "form"
	}
	t := reflect.TypeOf(o)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if strings.HasPrefix(t.PkgPath(), "fyne.io/") {
		return "" // Fyne's own inner widgets (scrollbars, tab buttons' boxes) say nothing to a reader
	}
	return t.Name()
}

// leafText is what a reader would recognise a leaf by.
func leafText(o fyne.CanvasObject) string {
	switch w := o.(type) {
	case *widget.Label:
		return w.Text
	case *widget.Button:
		return w.Text
	case *widget.Entry:
		if w.Text != "" {
			return w.Text
		}
		return w.PlaceHolder
	case *widget.SelectEntry:
		return w.Text
	case *widget.Select:
		if w.Selected != "" {
			return w.Selected
		}
		return w.PlaceHolder
	case *widget.Check:
		return w.Text
	case *widget.Hyperlink:
		return w.Text
	case *widget.RichText:
		return w.String()
	case *canvas.Text:
		return w.Text
	case *widget.RadioGroup:
		return strings.Join(w.Options, "/")
	}
	return ""
}

// describe names a leaf: its kind and its text, short.
func describe(o fyne.CanvasObject) string {
	t := reflect.TypeOf(o).Elem().Name()
	text := leafText(o)
	if r := []rune(text); len(r) > 40 {
		text = string(r[:39]) + "…"
	}
	if text == "" {
		return strings.ToLower(t)
	}
	return fmt.Sprintf("%s %q", strings.ToLower(t), text)
}

// blank says whether a leaf draws nothing a person would see.
func blank(o fyne.CanvasObject) bool {
	switch w := o.(type) {
	case *widget.Label:
		return strings.TrimSpace(w.Text) == ""
	case *canvas.Text:
		return strings.TrimSpace(w.Text) == ""
	case *widget.Icon:
		return w.Resource == nil
	case *widget.RichText:
		return strings.TrimSpace(w.String()) == ""
	case *canvas.Image:
		return w.Resource == nil && w.Image == nil && w.File == ""
	}
	return false
}

func (ch *layoutChecker) checkLeaf(o fyne.CanvasObject, at rect, s walkState) {
	if at.empty() || blank(o) {
		return
	}
	path := strings.Join(append(append([]string(nil), s.path...), describe(o)), " › ")
	vis := ink(o, at).intersect(s.visible)
	if !vis.empty() {
		ch.leaves = append(ch.leaves, leaf{obj: o, path: path, at: at, visible: vis})
	}
	if isControl(o) && !at.within(s.reach) {
		ch.add("cut off", path, fmt.Sprintf("at %v, outside what can be scrolled to %v", at, s.reach))
	}
	ch.checkText(o, at, s, path)
}

// checkText reports a leaf squeezed below its minimum size (its text or
// frame cut) and a text cut without an ellipsis, or with one outside a
// table or list cell.
func (ch *layoutChecker) checkText(o fyne.CanvasObject, at rect, s walkState, path string) {
	if _, ok := o.(*widget.Icon); ok {
		return
	}
	if m := o.MinSize(); m.Width > at.w()+1 || m.Height > at.h()+1 {
		ch.add("truncated", path, fmt.Sprintf("laid out %.0f×%.0f, needs %.0f×%.0f", at.w(), at.h(), m.Width, m.Height))
		return
	}
	l, ok := o.(*widget.Label)
	if !ok || l.Wrapping != fyne.TextWrapOff || l.Truncation == fyne.TextTruncateOff {
		return
	}
	th := theme.Current()
	style := l.TextStyle
	size := th.Size(theme.SizeNameText)
	if l.SizeName != "" {
		size = th.Size(l.SizeName)
	}
	longest := float32(0)
	for _, line := range strings.Split(l.Text, "\n") {
		longest = max(longest, fyne.MeasureText(line, size, style).Width)
	}
	need := longest + 2*th.Size(theme.SizeNameInnerPadding)
	if need <= at.w()+1 {
		return
	}
	switch {
	case l.Truncation == fyne.TextTruncateClip:
		ch.add("truncated", path, fmt.Sprintf("clipped without an ellipsis: %.0f of %.0f px shown", at.w(), need))
	case !s.inCell:
		ch.add("truncated", path, fmt.Sprintf("cut with an ellipsis outside a table or list: %.0f of %.0f px shown", at.w(), need))
	}
}

// checkOverlaps reports two leaves of the layer whose visible parts
// overlap by more than overlapSlack in both directions.
func (ch *layoutChecker) checkOverlaps() {
	for i := range ch.leaves {
		for j := i + 1; j < len(ch.leaves); j++ {
			a, b := ch.leaves[i], ch.leaves[j]
			in := a.visible.intersect(b.visible)
			if in.w() <= overlapSlack || in.h() <= overlapSlack {
				continue
			}
			ch.add("overlap", a.path, fmt.Sprintf("%v is drawn over by %s %v", a.at, b.path, b.at))
		}
	}
}

func (ch *layoutChecker) add(kind, path, text string) {
	ch.findings = append(ch.findings, layoutFinding{kind: kind, path: path, text: text})
}

// shownMinSize is o's MinSize as if every set of tabs under it had only
// the tab it shows: their other tabs' contents are swapped for nothing
// while it is measured.
func shownMinSize(o fyne.CanvasObject) fyne.Size {
	type swap struct {
		item    *container.TabItem
		content fyne.CanvasObject
	}
	var swaps []swap
	visitVisible(o, func(o fyne.CanvasObject) bool {
		if tabs, ok := o.(*container.AppTabs); ok {
			for _, item := range tabs.Items {
				if item != tabs.Selected() {
					swaps = append(swaps, swap{item, item.Content})
				}
			}
		}
		return true
	})
	for _, s := range swaps {
		s.item.Content = canvas.NewRectangle(nil)
	}
	defer func() {
		for _, s := range swaps {
			s.item.Content = s.content
		}
	}()
	return o.MinSize()
}

// ink is the part of a leaf at where it draws: a label's text without
// the padding around it (neighbouring labels may share padding), the
// whole box for anything else.
func ink(o fyne.CanvasObject, at rect) rect {
	l, ok := o.(*widget.Label)
	if !ok {
		return at
	}
	pad := theme.Current().Size(theme.SizeNameInnerPadding)
	r := rect{at.x0 + pad, at.y0 + pad, at.x1 - pad, at.y1 - pad}
	if l.Wrapping == fyne.TextWrapOff {
		style, size := l.TextStyle, theme.Current().Size(theme.SizeNameText)
		w := float32(0)
		for _, line := range strings.Split(l.Text, "\n") {
			w = max(w, fyne.MeasureText(line, size, style).Width)
		}
		switch l.Alignment {
		case fyne.TextAlignLeading:
			r.x1 = min(r.x1, r.x0+w)
		case fyne.TextAlignTrailing:
			r.x0 = max(r.x0, r.x1-w)
		}
	}
	return r
}
