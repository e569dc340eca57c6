package core

import "crypto/rsa"

// ReadSPKey reads the SP's private key from keys without ever creating
// one: for commands that only read, such as check-response opening an
// encrypted assertion.
func ReadSPKey(keys KeyStore) (*rsa.PrivateKey, error) { return loadKey(keys, SPKeyName) }
