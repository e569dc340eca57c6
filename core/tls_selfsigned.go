// Self-signed HTTPS certificates for test setups (jitconsole tls
// self-signed).

package core

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// SelfSignedOptions describe a self-signed HTTPS certificate.
type SelfSignedOptions struct {
	// Host is the name (or IP address) the certificate is for. For
	// "localhost" the certificate also names 127.0.0.1 and ::1.
	Host string
	// Days is how long it is valid (default 365).
	Days int
	// RSA makes an RSA-2048 key instead of ECDSA P-256.
	RSA bool
	// Now is the start of its validity (default: the time now).
	Now time.Time
}

// SelfSignedTLS makes a self-signed certificate and its private key, both
// PEM (the key PKCS#8).
func SelfSignedTLS(opts SelfSignedOptions) (certPEM, keyPEM []byte, err error) {
	host := strings.TrimSpace(opts.Host)
	if host == "" || strings.ContainsAny(host, "/: ") && net.ParseIP(host) == nil {
		return nil, nil, Errorf(EINVALID, "%q is not a host name like jit.example.com or an IP address.", opts.Host)
	}
	if opts.Days <= 0 {
		opts.Days = 365
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	var key crypto.Signer
	usage := x509.KeyUsageDigitalSignature
	if opts.RSA {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		usage |= x509.KeyUsageKeyEncipherment
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("generate the key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: host, Organization: []string{"JIT Console (self-signed)"}},
		NotBefore:             opts.Now.Add(-time.Hour).UTC(),
		NotAfter:              opts.Now.Add(time.Duration(opts.Days) * 24 * time.Hour).UTC(),
		KeyUsage:              usage,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	addSAN(tmpl, host)
	if host == "localhost" {
		addSAN(tmpl, "127.0.0.1")
		addSAN(tmpl, "::1")
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("create the certificate for %s: %w", host, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode the key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

func addSAN(c *x509.Certificate, host string) {
	if ip := net.ParseIP(host); ip != nil {
		c.IPAddresses = append(c.IPAddresses, ip)
		return
	}
	c.DNSNames = append(c.DNSNames, host)
}
