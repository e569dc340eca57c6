// Key pairs: loading or creating a private key in the KeyStore and its
// self-signed certificate in the settings.

package core

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// KeyPair is a private key with its self-signed certificate.
type KeyPair struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// Key names in the KeyStore.
const (
	SPKeyName      = "sp-signing-key"
	DemoIdPKeyName = "demo-idp-signing-key"
)

// certLifetime is how long generated certificates are valid.
const certLifetime = 10 * 365 * 24 * time.Hour

// ErrSPKeyMissing is in the chain of New's error when the SP's private key
// is gone from the KeyStore while the database still holds its certificate
// (IdPs trust that certificate). Options.NewSPKey makes a new key instead.
var ErrSPKeyMissing = errors.New("SP private key missing")

// EventSPKeyReplaced is the event of a new SP key made in place of a lost
// one: it names the IdPs that must get the SP's new metadata.
const EventSPKeyReplaced = "key.replaced"

// loadOrCreateKeyPair returns the key stored under name, generating an
// RSA-2048 key on first use. The key is kept in keys as PKCS#8 DER (the
// KeyStore base64-encodes it: about 1.6 KB, under Windows' 2.5 KB credential
// limit). The certificate is public and lives in the store's settings, so
// that a second launch publishes byte-identical metadata; it is made anew
// only when missing or not matching the key.
//
// A key that is missing while its certificate is in the store was lost
// (IdPs may trust that certificate): unless mayReplace, that is an error
// wrapping errKeyLost; with mayReplace, replaced says a new key was made.
func loadOrCreateKeyPair(ctx context.Context, store SettingStore, keys KeyStore, name, commonName string, now time.Time, mayReplace bool) (_ KeyPair, replaced bool, _ error) {
	certSetting := "cert." + name
	key, err := loadKey(keys, name)
	if ErrorCode(err) == ENOTFOUND {
		_, certErr := store.GetSetting(ctx, certSetting)
		switch {
		case certErr == nil && !mayReplace:
			return KeyPair{}, false, fmt.Errorf("%w: %w", errKeyLost, err)
		case certErr == nil:
			replaced = true
		case ErrorCode(certErr) != ENOTFOUND:
			return KeyPair{}, false, fmt.Errorf("read certificate for %s: %w", name, certErr)
		}
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return KeyPair{}, false, fmt.Errorf("generate %s: %w", name, err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return KeyPair{}, false, fmt.Errorf("encode %s: %w", name, err)
		}
		if err := keys.Set(name, der); err != nil {
			return KeyPair{}, false, fmt.Errorf("store %s: %w", name, err)
		}
	} else if err != nil {
		return KeyPair{}, false, err
	}
	kp, err := certFor(ctx, store, key, certSetting, commonName, now)
	return kp, replaced, err
}

// errKeyLost marks a key missing beside its stored certificate.
var errKeyLost = errors.New("key missing beside its certificate")

// certFor returns key with its stored certificate, or with a new one (then
// stored) when there is none for this key.
func certFor(ctx context.Context, store SettingStore, key *rsa.PrivateKey, certSetting, commonName string, now time.Time) (KeyPair, error) {
	name := strings.TrimPrefix(certSetting, "cert.")
	if pemText, err := store.GetSetting(ctx, certSetting); err == nil {
		if cert, err := parseCertPEM(pemText); err == nil && cert.PublicKey.(*rsa.PublicKey).Equal(&key.PublicKey) {
			return KeyPair{Key: key, Cert: cert}, nil
		}
	} else if ErrorCode(err) != ENOTFOUND {
		return KeyPair{}, fmt.Errorf("read certificate for %s: %w", name, err)
	}
	cert, err := selfSignedCert(key, commonName, now)
	if err != nil {
		return KeyPair{}, err
	}
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	if err := store.SetSetting(ctx, certSetting, pemText); err != nil {
		return KeyPair{}, fmt.Errorf("save certificate for %s: %w", name, err)
	}
	return KeyPair{Key: key, Cert: cert}, nil
}

func loadKey(keys KeyStore, name string) (*rsa.PrivateKey, error) {
	der, err := keys.Get(name)
	if err != nil {
		return nil, err
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("decode %s: not an RSA key", name)
	}
	return key, nil
}

func selfSignedCert(key *rsa.PrivateKey, commonName string, now time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"JIT Console"}},
		NotBefore:             now.Add(-time.Hour).UTC(),
		NotAfter:              now.Add(certLifetime).UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create certificate for %s: %w", commonName, err)
	}
	return x509.ParseCertificate(der)
}

func parseCertPEM(text string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, fmt.Errorf("no PEM block")
	}
	return x509.ParseCertificate(block.Bytes)
}

// CertFingerprint is the SHA-256 fingerprint of cert as colon-separated hex.
func CertFingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	out := make([]byte, 0, len(sum)*3)
	const hexdigits = "0123456789ABCDEF"
	for i, b := range sum {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, hexdigits[b>>4], hexdigits[b&15])
	}
	return string(out)
}
