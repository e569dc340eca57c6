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

.PHONY: all build run display test lint bench fuzz screenshot deps-build deps-test clean

all: build

deps-build:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

build: deps-build
	$(GO) build $(TAGS) -o $(BIN) .

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
lint: deps-build $(STATICCHECK)
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then \
	  echo "gofmt: these files need formatting (run gofmt -w):" >&2; echo "$$unformatted" >&2; exit 1; fi
	$(GO) vet $(TAGS) ./...
	$(STATICCHECK) $(TAGS) ./...

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
	rm -rf bin
