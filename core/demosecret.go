// The demo IdP's secret: it signs generated new hires and the persona
// picker's form.

package core

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"log/slog"
	"strings"
)

// HireSecret is the demo IdP's key for what only the console may ask it to
// sign: the generated new hires of the simulator (each carries an HMAC of
// the hire and of the AuthnRequest it answers) and the token of the
// persona picker page (an HMAC of the AuthnRequest, so that only a POST
// from the page itself picks a persona). The secret itself never travels:
// the GUI's simulator uses it in the process, and `jitconsole demo
// simulate` reads it from a 0600 file that the running console writes.
type HireSecret struct{ key []byte }

// hireSecretSize is the secret's length in bytes.
const hireSecretSize = 32

// Purposes of the MACs made with a HireSecret; each is a different message
// space, so that a picker token is never a valid hire MAC.
const (
	macPurposeHire   = "jitconsole demo-idp hire v1"
	macPurposePicker = "jitconsole demo-idp picker v1"
)

// NewHireSecret makes a random secret.
func NewHireSecret() (HireSecret, error) {
	key := make([]byte, hireSecretSize)
	if _, err := rand.Read(key); err != nil {
		return HireSecret{}, fmt.Errorf("make the demo IdP's hire secret: %w", err)
	}
	return HireSecret{key: key}, nil
}

// ParseHireSecret reads a secret written by Encode.
func ParseHireSecret(text string) (HireSecret, error) {
	key, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(key) != hireSecretSize {
		return HireSecret{}, Errorf(EINVALID, "The demo IdP's hire secret is damaged. Restart the console to write a new one.")
	}
	return HireSecret{key: key}, nil
}

// Encode returns the secret as text for a 0600 file; ParseHireSecret reads it.
func (s HireSecret) Encode() string { return base64.RawURLEncoding.EncodeToString(s.key) }

// IsZero reports whether s holds no key (a HireSecret{} literal).
func (s HireSecret) IsZero() bool { return len(s.key) == 0 }

// String keeps the secret out of logs and error messages.
func (s HireSecret) String() string { return "HireSecret(redacted)" }

// LogValue keeps the secret out of slog output.
func (s HireSecret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// mac is the HMAC-SHA256, base64url, of purpose and parts, each prefixed by
// its length so that no two different lists of parts give the same input.
func (s HireSecret) mac(purpose string, parts ...[]byte) string {
	m := hmac.New(sha256.New, s.key)
	write := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		m.Write(n[:])
		m.Write(b)
	}
	write([]byte(purpose))
	for _, p := range parts {
		write(p)
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify compares got with the MAC of purpose and parts in constant time.
// A zero secret verifies nothing.
func (s HireSecret) verify(got, purpose string, parts ...[]byte) bool {
	if s.IsZero() || got == "" {
		return false
	}
	return hmac.Equal([]byte(got), []byte(s.mac(purpose, parts...)))
}

// HireMAC is the value of the demo IdP's hire_mac field for the hire field
// hire posted in answer to the AuthnRequest request (its XML).
func (s HireSecret) HireMAC(request []byte, hire string) string {
	return s.mac(macPurposeHire, request, []byte(hire))
}

// pickerToken is the token the persona picker page embeds for request.
func (s HireSecret) pickerToken(request []byte) string {
	return s.mac(macPurposePicker, request)
}

// HireSecret returns the demo IdP's secret, for `jitconsole demo simulate`
// (main writes it to a 0600 file in the data directory while the console
// runs).
func (c *Console) HireSecret() HireSecret { return c.hireSecret }
