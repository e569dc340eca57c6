package ui

import (
	"testing"
)

// bindingOff is the real service with a base URL where the browser
// binding cannot work.
type bindingOff struct{ Service }

func (bindingOff) BrowserBinding() (bool, string) {
	return false, "Sign-ins are not tied to the browser that started them: use an https base URL."
}

func TestSettingsSaysWhetherSignInsAreBoundToTheBrowser(t *testing.T) {
	tests := []struct {
		name string
		wrap func(Service) Service
		want string
	}{
		{"on (loopback base URL)", nil, "bound to the browser that started it"},
		{"off", func(s Service) Service { return bindingOff{s} }, "use an https base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.wrap)
			h.showTab("Settings")
			if !shows(h.app.settings.content, tt.want) {
				t.Errorf("the Settings screen does not say %q; it shows %q", tt.want, texts(h.app.settings.content))
			}
		})
	}
}
