// Decrypting encrypted assertions for display.

package core

import (
	"crypto/rsa"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
)

// decryptForDisplay replaces each EncryptedAssertion below root with the
// assertion it holds, so that an explanation or the flight recorder can
// show what an encrypted response said. It is for display only: nothing
// decrypted here is trusted. It returns how many it could decrypt.
func decryptForDisplay(root *etree.Element, key *rsa.PrivateKey) int {
	if key == nil {
		return 0
	}
	n := 0
	for _, ea := range root.SelectElements("EncryptedAssertion") {
		ed := ea.SelectElement("EncryptedData")
		if ed == nil {
			continue
		}
		// EncryptedKey may sit inside EncryptedData's KeyInfo (where
		// xmlenc.Decrypt looks) or beside EncryptedData (move it in).
		if ed.FindElement("./KeyInfo/EncryptedKey") == nil {
			if ek := ea.SelectElement("EncryptedKey"); ek != nil {
				ki := ed.SelectElement("KeyInfo")
				if ki == nil {
					ki = ed.CreateElement("ds:KeyInfo")
				}
				ki.AddChild(ek.Copy())
			}
		}
		plain, err := xmlenc.Decrypt(key, ed)
		if err != nil {
			continue
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(plain); err != nil || doc.Root() == nil {
			continue
		}
		root.InsertChildAt(ea.Index(), doc.Root())
		root.RemoveChild(ea)
		n++
	}
	return n
}
