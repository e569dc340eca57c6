# JIT Console. `make run` opens the console, `make test` runs every test.
# Both install the system packages they need first (scripts/deps.sh).
#
# Every go build and test passes -tags migrated_fynedo,no_emoji:
# FyneApp.toml declares the fyne.Do threading migration, and only
# `fyne build` and `fyne package` read that file; no_emoji leaves out
# Fyne's colour emoji font, which every text style parsed into about 17 MB
# of heap for glyphs the console does not draw (issue 10: idle RSS).

GO        ?= go
TAGS      := -tags migrated_fynedo,no_emoji
BIN       := bin/jitconsole
# Extra flags for go test, e.g. make test TESTFLAGS='-count=1 -run Flow'.
TESTFLAGS ?=
# Arguments for the console started by make run, e.g. ARGS='--listen 127.0.0.1:9090'.
ARGS      ?=
# How many new hires make screenshot signs in before the picture (0: none).
SIMULATE  ?= 50
SHOT      ?= docs/screenshot.png
# How long make fuzz fuzzes each target, e.g. make fuzz FUZZTIME=5m.
FUZZTIME  ?= 30s
# staticcheck, a pinned tool: make lint installs it once into bin/tools
# (go install; later runs need no network while the module cache keeps it),
# in a directory per Go version, since it must be built by the Go it checks.
STATICCHECK_VERSION := v0.8.2
STATICCHECK := bin/tools/staticcheck-$(STATICCHECK_VERSION)-$(shell $(GO) env GOVERSION)/staticcheck
# The native fuzz targets of core/fuzz_test.go (make test runs their seeds).
FUZZ_TARGETS := FuzzCheckResponse FuzzParseIdPMetadata FuzzPrettyXML FuzzRulesDocument
# The packages make lint vets for macOS: those that do not import Fyne,
# which needs cgo and the macOS SDK there (so not the root command, ui and
# internal/minimalwindow). Today: assets, core, storage/..., internal/... .
DARWIN_VET = $(shell $(GO) list $(TAGS) -f '{{.ImportPath}}{{range .Deps}}{{if eq . "fyne.io/fyne/v2"}} fyne{{end}}{{end}}' ./... | grep -v ' fyne$$')
# make install puts the binary in PREFIX/bin, the menu entry and the icon
# under PREFIX/share (the freedesktop.org places for one user's apps).
PREFIX    ?= $(HOME)/.local
APP_ID    := io.jitconsole.console
INSTALL_BIN     = $(abspath $(PREFIX))/bin/jitconsole
INSTALL_DESKTOP = $(abspath $(PREFIX))/share/applications/$(APP_ID).desktop
INSTALL_ICON    = $(abspath $(PREFIX))/share/icons/hicolor/512x512/apps/$(APP_ID).png
# The fyne tool (fyne package), pinned in its own module file so that its
# Fyne does not become the app's: go tool -modfile runs it.
FYNE      := $(GO) tool -modfile=packaging/tools.mod fyne
# Version and commit, for -ldflags -X (cmd_version.go).
VERSION   ?= $(shell sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml)
COMMIT    ?= $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) && { git diff --quiet HEAD 2>/dev/null || c=$$c+dirty; echo $$c; })
LDFLAGS   := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: all build run display test lint bench fuzz screenshot deps-build deps-test clean
.PHONY: windows install uninstall refresh-menu dist deps-windows deps-dist

all: build

deps-build:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

deps-windows:
	@scripts/deps.sh windows

deps-dist:
	@scripts/deps.sh dist

build: deps-build
	$(GO) build $(TAGS) -ldflags '$(LDFLAGS)' -o $(BIN) .

# jitconsole.exe (no console window) and jitconsole-cli.exe (the commands)
# in bin/windows, cross-compiled with mingw-w64: about 2 minutes warm.
windows: deps-windows
	VERSION='$(VERSION)' COMMIT='$(COMMIT)' GO=$(GO) scripts/windows.sh bin/windows

# The console in this user's applications menu: PREFIX/bin/jitconsole,
# a .desktop entry named after the app ID, and the icon. make uninstall
# removes exactly these three files.
install: build
	install -D -m 0755 $(BIN) '$(INSTALL_BIN)'
	install -D -m 0644 assets/icon.png '$(INSTALL_ICON)'
	mkdir -p '$(dir $(INSTALL_DESKTOP))'
	sed -e 's|@EXEC@|$(INSTALL_BIN)|' -e 's|@ICON@|$(APP_ID)|' packaging/jitconsole.desktop.in >'$(INSTALL_DESKTOP)'
	@$(MAKE) --no-print-directory refresh-menu
	@echo "installed: $(INSTALL_BIN); JIT Console is in the applications menu"

uninstall:
	rm -f '$(INSTALL_BIN)' '$(INSTALL_DESKTOP)' '$(INSTALL_ICON)'
	@$(MAKE) --no-print-directory refresh-menu

# The desktop's caches of menu entries and icons, where their tools exist.
refresh-menu:
	@if command -v update-desktop-database >/dev/null 2>&1; then \
	  update-desktop-database -q '$(dir $(INSTALL_DESKTOP))' || true; fi
	@if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d '$(abspath $(PREFIX))/share/icons/hicolor' ]; then \
	  gtk-update-icon-cache -q -t -f '$(abspath $(PREFIX))/share/icons/hicolor' || true; fi

# Release archives in dist/: the Linux tar.xz of fyne package (binary,
# .desktop, icon and a Makefile that installs them) and a Windows zip with
# both executables and a README. fyne package packs a binary built here
# (our tags and -X flags) and rewrites FyneApp.toml (it counts Build up),
# which is put back as it was.
dist: deps-dist
	rm -rf dist && mkdir -p dist/linux dist/windows
	$(GO) build $(TAGS) -ldflags '-s -w $(LDFLAGS)' -o dist/linux/jitconsole .
	cp FyneApp.toml dist/FyneApp.toml.orig
	$(FYNE) package --os linux --release --exe dist/linux/jitconsole --name jitconsole \
	  --app-version '$(VERSION)' --src .; status=$$?; \
	  cp dist/FyneApp.toml.orig FyneApp.toml; rm dist/FyneApp.toml.orig; exit $$status
	@# fyne package names the menu entry and its window class after the
	@# executable; ours says "JIT Console", the class the window has.
	mkdir -p dist/linux/pkg && tar -xJf jitconsole.tar.xz -C dist/linux/pkg && rm jitconsole.tar.xz
	sed -e 's|@EXEC@|jitconsole|' -e 's|@ICON@|$(APP_ID)|' packaging/jitconsole.desktop.in \
	  >dist/linux/pkg/jitconsole/usr/local/share/applications/$(APP_ID).desktop
	tar -cJf 'dist/jitconsole-$(VERSION)-linux-amd64.tar.xz' -C dist/linux/pkg --owner=0 --group=0 jitconsole
	VERSION='$(VERSION)' COMMIT='$(COMMIT)' GO=$(GO) scripts/windows.sh dist/windows
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@COMMIT@|$(COMMIT)|' packaging/README-windows.txt.in >dist/windows/README.txt
	cd dist/windows && zip -q -9 '../jitconsole-$(VERSION)-windows-amd64.zip' jitconsole.exe jitconsole-cli.exe README.txt
	rm -rf dist/linux dist/windows
	@ls -l dist

run: display build
	./$(BIN) $(ARGS)

display:
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "make run: there is no desktop session here (DISPLAY and WAYLAND_DISPLAY are empty)." >&2; \
	  echo "  JIT Console is a desktop application: run make run from a desktop session," >&2; \
	  echo "  or on a virtual display:  xvfb-run -a -s '-screen 0 1400x900x24' make run" >&2; \
	  echo "  or without a window:       $(BIN) serve" >&2; \
	  exit 1; \
	fi

# The whole suite, as CI runs it: formatting, vet, then go test -race inside
# one D-Bus session with an unlocked gnome-keyring and Xvfb. The keyring,
# the display, the GUI smoke test, the chromium test and the SimpleSAMLphp
# interop test are required here, not skipped. ./ui, the longest package,
# is named first so that it starts first: go test runs two packages at a
# time here, and ./ui started last when it came last in ./... order.
test: deps-test lint
	JITCONSOLE_REQUIRE_KEYRING=1 JITCONSOLE_REQUIRE_DISPLAY=1 JITCONSOLE_BROWSER_TEST=1 JITCONSOLE_REQUIRE_SSP=1 \
	  scripts/session.sh $(GO) test -race $(TAGS) -timeout 15m $(TESTFLAGS) ./ui ./...

# gofmt, go vet and staticcheck. A staticcheck finding is fixed, or, when
# the fix would be worse, kept with a //lint:ignore CHECK reason comment.
# go vet runs three times: for Linux, for Windows (the whole module, cgo
# through mingw-w64), and for macOS over DARWIN_VET (no cgo there).
lint: deps-windows $(STATICCHECK)
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then \
	  echo "gofmt: these files need formatting (run gofmt -w):" >&2; echo "$$unformatted" >&2; exit 1; fi
	$(GO) vet $(TAGS) ./...
	$(STATICCHECK) $(TAGS) ./...
	CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 GOOS=windows GOARCH=amd64 $(GO) vet $(TAGS) ./...
	CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) vet $(TAGS) $(DARWIN_VET)

$(STATICCHECK):
	GOBIN=$(CURDIR)/$(@D) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# The performance figures of issue 8 as a table: the ACS against crewjam's
# parse alone (1 and 8 clients, ratio, p50/p99, allocations per login),
# ApplyLogin, the Users screen and the impact preview over 100,000 accounts.
# A few minutes on 2 cores; ACSBENCH_N and ACSBENCH_ROUNDS size the ACS part.
bench: deps-build
	GO=$(GO) TESTFLAGS='$(TESTFLAGS)' scripts/bench.sh

# Fuzz each target for FUZZTIME, one after another. New failing inputs are
# kept in core/testdata/fuzz/ and join the seeds make test runs.
fuzz: deps-build
	@for t in $(FUZZ_TARGETS); do \
	  echo "== $$t ($(FUZZTIME))"; \
	  $(GO) test $(TAGS) -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) ./core || exit 1; \
	done

# A picture of the real window for the README: the built binary on its own
# Xvfb with a fresh data dir, SIMULATE new hires signed in, then import(1).
screenshot: deps-test build
	scripts/session.sh scripts/screenshot.sh $(BIN) $(SHOT) $(SIMULATE)

clean:
	rm -rf bin dist
