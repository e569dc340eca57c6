package assets

import (
	"embed"
	"html/template"
)

//go:embed templates
var templateFS embed.FS

// Pages are the HTML pages the SP listener and the demo IdP serve:
// "welcome.html", "error.html", "demo-idp.html" and "index.html". Each
// expects a .CSS field for the shared style sheet (PageCSS).
var Pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// PageCSS is the style sheet inlined into every page.
var PageCSS = template.CSS(mustRead("templates/base.css"))

func mustRead(name string) string {
	b, err := templateFS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}
