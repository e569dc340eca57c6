package core

import "testing"

func TestSuggestPreset(t *testing.T) {
	tests := []struct {
		entityID string
		attrs    []string
		want     string
	}{
		{"https://sts.windows.net/8c3a9b2e-4f1d-4e6a-9b7c-2d5e8f1a3c4b/", nil, "Entra ID / ADFS"},
		{"http://www.okta.com/exk1fxphRbpbxRFjq0h8", []string{"firstName", "lastName", "email"}, "Okta"},
		{"https://idp.example.com", []string{"User.email", "User.FirstName", "memberOf"}, "OneLogin"},
		{"http://127.0.0.1:8080/simplesaml/saml2/idp/metadata.php", []string{"urn:oid:0.9.2342.19200300.100.1.3"}, "SimpleSAMLphp / eduPerson"},
		{"https://idp.example.com", []string{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}, "Entra ID / ADFS"},
		{"https://idp.example.com", []string{"mail"}, ""},
	}
	for _, tt := range tests {
		if got := SuggestPreset(tt.entityID, tt.attrs); got != tt.want {
			t.Errorf("SuggestPreset(%q, %v) = %q, want %q", tt.entityID, tt.attrs, got, tt.want)
		}
	}
	for _, p := range Presets {
		if err := (Mapping{}).WithPreset(p).Validate(nil); err != nil {
			t.Errorf("preset %s is invalid: %v", p.Name, err)
		}
	}
}
