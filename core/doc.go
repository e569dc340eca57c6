// Package core is the domain of JIT Console: the IdP registry, the SAML
// service provider (SP) listener and its ACS, attribute mapping, the
// provisioner, the event broker and the built-in demo identity provider.
//
// core knows nothing of Fyne and nothing of SQL. It declares the interfaces it
// needs from the outside world (Store, KeyStore, Clock); the storage package
// implements them and main.go wires the two together.
package core
