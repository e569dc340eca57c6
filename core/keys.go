package core

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
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

// loadOrCreateKeyPair returns the key stored under name, generating an
// RSA-2048 key on first use. The key is kept in keys as PKCS#8 DER (the
// KeyStore base64-encodes it: about 1.6 KB, under Windows' 2.5 KB credential
// limit). The certificate is public and lives in the store's settings, so
// that a second launch publishes byte-identical metadata; it is made anew
// only when missing or not matching the key.
func loadOrCreateKeyPair(ctx context.Context, store Store, keys KeyStore, name, commonName string, now time.Time) (KeyPair, error) {
	key, err := loadKey(keys, name)
	if ErrorCode(err) == ENOTFOUND {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return KeyPair{}, fmt.Errorf("generate %s: %w", name, err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return KeyPair{}, fmt.Errorf("encode %s: %w", name, err)
		}
		if err := keys.Set(name, der); err != nil {
			return KeyPair{}, fmt.Errorf("store %s: %w", name, err)
		}
	} else if err != nil {
		return KeyPair{}, err
	}

	certSetting := "cert." + name
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
