// IdP types the "Connect an IdP" wizard offers, each with its mapping
// preset and a short guide to the vendor's admin console.

package core

// IdPType is a kind of identity provider: its name, the mapping preset
// that fits the attribute names it sends, and where its admin console
// takes the SP's values.
type IdPType struct {
	ID     string // stable key, e.g. "okta"
	Name   string // e.g. "Okta"
	Preset string // a Preset's Name; "" keeps the default mapping
	// Guide is the steps in the vendor's admin console, naming its
	// screens and fields; MetadataHint says where its IdP metadata is.
	Guide        []string
	MetadataHint string
	// DocURL is the vendor documentation the guide follows; Checked is
	// the date it was compared with it, or "" when it has not been yet
	// (then Written is when the guide was written).
	DocURL  string
	Checked string
	Written string
}

// CheckedLine says when and against what the guide was checked.
func (t IdPType) CheckedLine() string {
	switch {
	case t.DocURL == "":
		return ""
	case t.Checked == "":
		return "Guide written " + t.Written + " from " + t.DocURL + "; not yet checked against it"
	}
	return "Guide checked " + t.Checked + " against " + t.DocURL
}

// IdPTypeOther is the ID of the generic type.
const IdPTypeOther = "other"

// IdPTypes lists the types the wizard offers, in its order.
var IdPTypes = []IdPType{
	{ID: "okta", Name: "Okta", Preset: "Okta",
		Guide: []string{
			"Admin Console › Applications › Applications › Create App Integration › SAML 2.0 › Next; name the app.",
			"Configure SAML: paste the ACS URL into “Single sign-on URL” and the SP entity ID into “Audience URI (SP Entity ID)”; “Name ID format”: Persistent or EmailAddress.",
			"Attribute Statements: email, firstName, lastName, login (user.login); Group Attribute Statements: groups.",
			"Finish, then Assignments › Assign to people or groups.",
		},
		MetadataHint: "Sign On tab › SAML 2.0 › “Metadata URL”.",
		DocURL:       "https://help.okta.com/oag/en-us/Content/Topics/Access-Gateway/add-app-saml-pass-thru-add-okta.htm", Checked: "2026-12-01"},
	{ID: "entra", Name: "Microsoft Entra ID", Preset: "Entra ID / ADFS",
		Guide: []string{
			"Microsoft Entra admin center › Enterprise applications › New application › Create your own application › “Integrate any other application you don't find in the gallery (Non-gallery)”.",
			"Single sign-on › SAML › Basic SAML Configuration › Edit: the SP entity ID into “Identifier (Entity ID)”, the ACS URL into “Reply URL (Assertion Consumer Service URL)”; Save.",
			"Attributes & Claims: the default claims (emailaddress, givenname, surname, name) fit; “Add a group claim” for groups.",
			"Users and groups › Add user/group to assign who may sign in.",
		},
		MetadataHint: "SAML Certificates › “App Federation Metadata Url”.",
		DocURL:       "https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/add-application-portal-setup-sso", Checked: "2026-12-01"},
	{ID: "google", Name: "Google Workspace", Preset: "Google Workspace",
		Guide: []string{
			"Admin console › Apps › Web and mobile apps › Add app › Add custom SAML app; name the app, Continue.",
			"Google Identity Provider details: “Download metadata” (for step 3), Continue.",
			"Service provider details: the ACS URL into “ACS URL”, the SP entity ID into “Entity ID”; “Name ID format” EMAIL, “Name ID” Basic Information › Primary email.",
			"Attribute mapping: First name → first_name, Last name → last_name; Group membership → groups. Finish, then User access › ON for everyone (or a group).",
		},
		MetadataHint: "The metadata file downloaded at “Google Identity Provider details”.",
		DocURL:       "https://support.google.com/a/answer/6087519", Written: "2026-12-01"},
	{ID: "jumpcloud", Name: "JumpCloud", Preset: "JumpCloud",
		Guide: []string{
			"Admin Portal › SSO Applications › Add New Application › Custom Application › Manage Single Sign-On (SSO) › Configure SSO with SAML.",
			"SSO tab: the SP entity ID into “SP Entity ID”, the ACS URL into “ACS URLs” (Default URL); “SAMLSubject NameID”: email.",
			"Attributes: email, firstname, lastname; tick “Include group attribute” (memberOf).",
			"User Groups tab: bind the groups that may sign in; Save.",
		},
		MetadataHint: "The application's SSO tab › “Export Metadata”.",
		DocURL:       "https://jumpcloud.com/support/sso-application-connector-fields", Checked: "2026-12-01"},
	{ID: "onelogin", Name: "OneLogin", Preset: "OneLogin",
		Guide: []string{
			"Administration › Applications › Applications › Add App › “SAML Custom Connector (Advanced)”; Save.",
			"Configuration tab: the SP entity ID into “Audience (EntityID)”, the ACS URL into “ACS (Consumer) URL” and “Recipient”, “^” + the ACS URL into “ACS (Consumer) URL Validator”.",
			"Parameters tab: User.email, User.FirstName, User.LastName, memberOf (“Include in SAML assertion”).",
			"Users: assign the app to the people who may sign in.",
		},
		MetadataHint: "SSO tab › “Issuer URL” (the metadata URL), or More Actions › SAML Metadata.",
		DocURL:       "https://developers.onelogin.com/saml", Written: "2026-12-01"},
	{ID: "keycloak", Name: "Keycloak", Preset: "Keycloak",
		Guide: []string{
			"Admin Console › your realm › Clients › Create client › Client type SAML; the SP entity ID into “Client ID”.",
			"Settings: the ACS URL into “Valid redirect URIs”; Advanced › “Assertion Consumer Service POST Binding URL”: the ACS URL; “Name ID format”: persistent or email.",
			"Keys tab: switch “Client signature required” off (the console does not sign its requests).",
			"Client scopes › <client>-dedicated › Add mapper: User Property username, email, firstName, lastName; Group list “groups”.",
		},
		MetadataHint: "https://<keycloak>/realms/<realm>/protocol/saml/descriptor.",
		DocURL:       "https://docs.redhat.com/en/documentation/red_hat_build_of_keycloak/24.0/html/server_administration_guide/client-saml-configuration", Checked: "2026-12-01"},
	{ID: "adfs", Name: "AD FS", Preset: "Entra ID / ADFS",
		Guide: []string{
			"AD FS Management › Relying Party Trusts › Add Relying Party Trust… › Claims aware.",
			"“Import data about the relying party published online”: the SP metadata URL — or enter by hand: “Enable support for the SAML 2.0 WebSSO protocol” with the ACS URL, and the SP entity ID as “Relying party trust identifier”.",
			"Edit Claim Issuance Policy › Add Rule › “Send LDAP Attributes as Claims”: E-Mail-Addresses, Given-Name, Surname, Token-Groups as claims; a NameID via “Transform an Incoming Claim”.",
		},
		MetadataHint: "https://<adfs host>/FederationMetadata/2007-06/FederationMetadata.xml.",
		DocURL:       "https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-server-2008-R2-and-2008/gg557733(v=ws.10)", Checked: "2026-12-01"},
	{ID: "simplesamlphp", Name: "SimpleSAMLphp", Preset: "SimpleSAMLphp / eduPerson",
		Guide: []string{
			"In metadata/saml20-sp-remote.php add $metadata['<SP entity ID>'] = ['AssertionConsumerService' => '<ACS URL>'];",
			"Or let SimpleSAMLphp read the SP metadata URL (metarefresh module).",
			"Attributes come from the auth source (uid, mail, givenName, sn, eduPersonAffiliation).",
		},
		MetadataHint: "https://<host>/simplesaml/saml2/idp/metadata.php (1.x) or /simplesaml/module.php/saml/idp/metadata (2.x).",
		DocURL:       "https://simplesamlphp.org/docs/stable/simplesamlphp-idp.html", Written: "2026-12-01"},
	{ID: IdPTypeOther, Name: "Other SAML 2.0 IdP",
		Guide: []string{
			"Create a SAML 2.0 application (service provider) in the IdP's admin console.",
			"Give it the SP metadata URL if it can read one; otherwise the SP entity ID (audience) and the ACS URL (HTTP-POST binding).",
			"Release a persistent or email NameID and the user's email, name and groups as attributes.",
		},
		MetadataHint: "The IdP's metadata URL or an exported metadata XML file."},
}

// IdPTypeByID returns the type with id, or the generic type.
func IdPTypeByID(id string) IdPType {
	for _, t := range IdPTypes {
		if t.ID == id {
			return t
		}
	}
	return IdPTypes[len(IdPTypes)-1]
}

// ExpectedAttributes lists the attribute names a preset's field mapping
// reads, field by field, for the admin to release at the IdP.
func (p Preset) ExpectedAttributes() []string {
	var out []string
	for _, f := range []string{FieldUsername, FieldEmail, FieldDisplayName, FieldGivenName, FieldFamilyName, FieldGroups} {
		src, ok := p.Fields[f]
		if !ok {
			continue
		}
		line := f + ": "
		switch {
		case src.NameID:
			line += "the NameID"
		case len(src.Attributes) > 0:
			line += src.Attributes[0]
			if len(src.Attributes) > 1 {
				line += " (or " + src.Attributes[1] + ")"
			}
		default:
			continue
		}
		out = append(out, line)
	}
	return out
}
