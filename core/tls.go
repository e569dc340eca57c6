// HTTPS on the SP listener: a certificate with its private key, parsed
// and checked before the listener uses it.

package core

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TLSPair is the listener's HTTPS certificate (with any intermediates)
// and its private key.
type TLSPair struct {
	// Cert is what the listener presents; Cert.Leaf is the parsed leaf.
	Cert tls.Certificate
	// CertPEM is the certificate chain as PEM, as stored in the settings.
	CertPEM string
	// KeyDER is the private key as PKCS#8 DER, as stored in the KeyStore.
	KeyDER []byte
}

// Leaf is the pair's own certificate.
func (p *TLSPair) Leaf() *x509.Certificate { return p.Cert.Leaf }

// ParseTLSPair parses a PEM certificate chain and a PEM private key
// (PKCS#8, PKCS#1 or SEC 1) and checks that they belong together. Errors
// say what is wrong for a person (EINVALID).
func ParseTLSPair(certPEM, keyPEM []byte) (*TLSPair, error) {
	var chain [][]byte
	rest := certPEM
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			chain = append(chain, block.Bytes)
		}
	}
	if len(chain) == 0 {
		return nil, Errorf(EINVALID, "The certificate file holds no PEM certificate (-----BEGIN CERTIFICATE-----).")
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return nil, Errorf(EINVALID, "The certificate cannot be read: %v.", err)
	}
	key, err := parsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	pub, ok := key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return nil, Errorf(EINVALID, "The private key is of a type HTTPS cannot use.")
	}
	if eq, ok := pub.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(leaf.PublicKey) {
		return nil, Errorf(EINVALID, "The private key does not belong to the certificate (%s): give the key the certificate was made for.",
			certName(leaf))
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, Errorf(EINVALID, "The private key cannot be stored: %v.", err)
	}
	var pemOut strings.Builder
	for _, c := range chain {
		pemOut.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c}))
	}
	return &TLSPair{Cert: tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf},
		CertPEM: pemOut.String(), KeyDER: der}, nil
}

// tlsPairFromStore rebuilds a pair from the stored certificate PEM and
// PKCS#8 key.
func tlsPairFromStore(certPEM string, keyDER []byte) (*TLSPair, error) {
	return ParseTLSPair([]byte(certPEM), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

func parsePrivateKeyPEM(keyPEM []byte) (crypto.Signer, error) {
	rest := keyPEM
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, Errorf(EINVALID, "The key file holds no PEM private key (-----BEGIN PRIVATE KEY-----).")
		}
		if !strings.HasSuffix(block.Type, "PRIVATE KEY") {
			continue
		}
		if strings.Contains(block.Type, "ENCRYPTED") || block.Headers["Proc-Type"] != "" {
			return nil, Errorf(EINVALID, "The private key is encrypted: give it without a passphrase (openssl pkey -in KEY -out PLAIN).")
		}
		var key any
		var err error
		switch block.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		}
		if err != nil {
			return nil, Errorf(EINVALID, "The private key cannot be read: %v.", err)
		}
		switch k := key.(type) {
		case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
			return k.(crypto.Signer), nil
		}
		return nil, Errorf(EINVALID, "The private key is of a type HTTPS cannot use (%T).", key)
	}
}

// certName names a certificate for a person: its subject's common name or
// its first DNS name.
func certName(c *x509.Certificate) string {
	switch {
	case c.Subject.CommonName != "":
		return "CN=" + c.Subject.CommonName
	case len(c.DNSNames) > 0:
		return c.DNSNames[0]
	}
	return "serial " + c.SerialNumber.String()
}

// tlsExpiryWarning is how long before its expiry a certificate is warned
// about.
const tlsExpiryWarning = 30 * 24 * time.Hour

// CheckTLSPair checks the pair for serving baseURL at now: an expired or
// not yet valid certificate is an EINVALID error; the warnings say what
// will go wrong (expiry within 30 days, a certificate that does not name
// the base URL's host, a self-signed one).
func CheckTLSPair(p *TLSPair, baseURL string, now time.Time) (warnings []string, err error) {
	leaf := p.Leaf()
	switch {
	case now.After(leaf.NotAfter):
		return nil, Errorf(EINVALID, "The certificate (%s) expired on %s: make or get a new one.", certName(leaf), leaf.NotAfter.UTC().Format(time.DateOnly))
	case now.Before(leaf.NotBefore):
		return nil, Errorf(EINVALID, "The certificate (%s) is not valid before %s: check this computer's clock.", certName(leaf), leaf.NotBefore.UTC().Format(time.RFC3339))
	case leaf.NotAfter.Sub(now) < tlsExpiryWarning:
		warnings = append(warnings, fmt.Sprintf("The certificate expires on %s: renew it soon.", leaf.NotAfter.UTC().Format(time.DateOnly)))
	}
	if host := baseURLHost(baseURL); host != "" {
		if err := leaf.VerifyHostname(host); err != nil {
			warnings = append(warnings, fmt.Sprintf("The certificate does not name %s, the base URL's host (it names %s): browsers and IdPs will refuse it there.",
				host, strings.Join(TLSNames(leaf), ", ")))
		}
	}
	if isSelfSigned(leaf) {
		warnings = append(warnings, "The certificate is self-signed: browsers warn about it and some IdPs refuse to post to it.")
	}
	return warnings, nil
}

// TLSNames lists the host names and addresses a certificate names.
func TLSNames(c *x509.Certificate) []string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName+" (common name only)")
	}
	if len(names) == 0 {
		names = append(names, "no host")
	}
	return names
}

func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func baseURLHost(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// withScheme returns base with its scheme set to scheme ("http" or
// "https"); "" stays "".
func withScheme(base, scheme string) string {
	u, err := url.Parse(base)
	if err != nil || base == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return base
	}
	u.Scheme = scheme
	return strings.TrimRight(u.String(), "/")
}

// schemeOf is the scheme of a base URL.
func schemeOf(base string) string {
	if u, err := url.Parse(base); err == nil {
		return u.Scheme
	}
	return ""
}
