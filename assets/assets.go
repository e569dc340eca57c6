// Package assets holds the files JIT Console embeds in its binary: the
// application icon and the HTML templates of the pages the SP listener and
// the demo IdP serve. It knows nothing of Fyne, SAML or the database; the
// packages that use the bytes decide what they are.
package assets

import _ "embed"

// Icon is the application icon, a 512x512 PNG.
//
//go:embed icon.png
var Icon []byte
