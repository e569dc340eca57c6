#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages JIT Console needs, or says exactly what
# is missing when it cannot install them. This is the project's one install
# script: the Makefile calls it before every build and test.
#
#   scripts/deps.sh build   packages for Fyne's cgo build (GLFW + OpenGL)
#   scripts/deps.sh windows build packages plus the mingw-w64 cross compiler
#                           (make windows: cgo for GOOS=windows)
#   scripts/deps.sh dist    windows packages plus xz and zip (make dist)
#   scripts/deps.sh test    windows packages plus Xvfb, a real keyring, chromium,
#                           SimpleSAMLphp (the real IdP of the interop test),
#                           desktop-file-utils (the make install test), and
#                           the en_US.UTF-8 locale the GUI tests run in
#
# It only acts on what is missing, so it is cheap (and silent) to call before
# every run. As root (CI) it uses apt-get directly, otherwise sudo.
set -euo pipefail

build_pkgs=(gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev
  libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev ca-certificates)
# dbus-x11 is named on purpose: without it apt may pull in systemd for a
# session bus. fonts-dejavu-core gives Xvfb screenshots real glyphs.
# simplesamlphp does not pull in php-xml and php-mbstring, without which it
# dies ("Class DOMDocument not found"); the test runs it under php-cli's
# built-in server and makes its IdP key with openssl.
test_pkgs=(xvfb xauth xdotool imagemagick gnome-keyring dbus-x11 chromium
  fonts-dejavu-core locales simplesamlphp php-cli php-xml php-mbstring openssl
  desktop-file-utils)
# The cross compiler and resource compiler (windres) of make windows.
windows_pkgs=(gcc-mingw-w64-x86-64)
# make dist packs a tar.xz (fyne package) and a zip.
dist_pkgs=(xz-utils zip)

mode=${1:-build}
case "$mode" in
build) want=("${build_pkgs[@]}") ;;
windows) want=("${build_pkgs[@]}" "${windows_pkgs[@]}") ;;
dist) want=("${build_pkgs[@]}" "${windows_pkgs[@]}" "${dist_pkgs[@]}") ;;
test) want=("${build_pkgs[@]}" "${windows_pkgs[@]}" "${test_pkgs[@]}") ;;
*)
  echo "usage: $0 build|windows|dist|test" >&2
  exit 2
  ;;
esac

say() { echo "deps: $*"; }
die() {
  echo "deps: $*" >&2
  exit 1
}

# Go itself is a prerequisite, not something this script installs.
if ! command -v go >/dev/null 2>&1; then
  die "Go is not installed (or not on PATH). Install Go 1.26 or newer from https://go.dev/dl, put its bin directory on PATH, and run again."
fi
have=$(go env GOVERSION 2>/dev/null || true)
have=${have#go}
need=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$(dirname "$0")/../go.mod")
if [ -n "$have" ] && [ -n "$need" ] &&
  [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]; then
  if [ "$(printf '%s\n%s\n' "1.21" "$have" | sort -V | head -1)" != "1.21" ] ||
    [ "$(go env GOTOOLCHAIN)" = local ]; then
    die "go.mod needs Go $need and this is Go $have, which cannot fetch a newer toolchain (GOTOOLCHAIN=$(go env GOTOOLCHAIN)). Install Go $need or newer from https://go.dev/dl."
  fi
  say "this is Go $have; go.mod asks for $need, which the go command downloads itself on first use"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "deps: this is not a Debian/Ubuntu system; install the equivalents of these packages yourself:" >&2
  echo "  ${want[*]}" >&2
  exit 1
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
has_en_us() { locale -a 2>/dev/null | grep -qiE '^en_US\.utf-?8$'; }

missing=()
for p in "${want[@]}"; do
  installed "$p" || missing+=("$p")
done
need_locale=false
if [ "$mode" = test ] && ! has_en_us; then
  need_locale=true
fi
[ ${#missing[@]} -eq 0 ] && ! $need_locale && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "deps: not root and no sudo; as root run:" >&2
    if [ ${#missing[@]} -gt 0 ]; then
      echo "  apt-get install --no-install-recommends ${missing[*]}" >&2
    fi
    if $need_locale; then
      echo "  localedef -i en_US -c -f UTF-8 en_US.UTF-8" >&2
    fi
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive

if [ ${#missing[@]} -gt 0 ]; then
  say "installing the system packages the $mode needs: ${missing[*]}"
  if [ ${#sudo[@]} -gt 0 ]; then
    say "(through sudo, which may ask for your password)"
  fi
  "${sudo[@]}" apt-get update -qq
  # Ubuntu ships chromium only as a snap, which does not run in containers;
  # there the browser test needs a chromium you install yourself.
  if [[ " ${missing[*]} " == *" chromium "* ]] && ! apt-cache show chromium >/dev/null 2>&1; then
    echo "deps: this system has no apt package 'chromium' (Ubuntu ships it as a snap);" >&2
    echo "deps: install chromium yourself and put it on PATH for the browser test" >&2
    keep=()
    for p in "${missing[@]}"; do
      [ "$p" = chromium ] || keep+=("$p")
    done
    missing=("${keep[@]}")
  fi
  # Debian's simplesamlphp depends on a web server, which apt satisfies
  # with Apache. The tests never use it (PHP's built-in server on 127.0.0.1
  # serves SimpleSAMLphp): keep apt from starting Apache on port 80 with a
  # policy-rc.d for the install (containers have one already), and leave a
  # freshly installed Apache disabled under systemd.
  policy=/usr/sbin/policy-rc.d
  made_policy=false
  had_apache=true
  if [[ " ${missing[*]} " == *" simplesamlphp "* ]]; then
    installed apache2 || had_apache=false
    if [ ! -e "$policy" ]; then
      trap '"${sudo[@]}" rm -f "$policy"' EXIT
      printf '#!/bin/sh\n# deps.sh: no service starts while it installs packages\nexit 101\n' |
        "${sudo[@]}" tee "$policy" >/dev/null
      "${sudo[@]}" chmod 755 "$policy"
      made_policy=true
    fi
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if $made_policy; then
    "${sudo[@]}" rm -f "$policy"
    trap - EXIT
  fi
  if ! $had_apache && installed apache2 && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    say "disabling the Apache that simplesamlphp pulled in (the tests do not use it)"
    "${sudo[@]}" systemctl disable --now apache2 >/dev/null 2>&1 || true
  fi
fi

# Under C.UTF-8 Fyne logs a locale error on every start; the tests and the
# screenshots run under en_US.UTF-8. Generate just that one locale, and list
# it in /etc/locale.gen so a later locale-gen keeps it.
if $need_locale && ! has_en_us; then
  say "generating the en_US.UTF-8 locale"
  if [ -f /etc/locale.gen ] && ! grep -qE '^en_US\.UTF-8 UTF-8' /etc/locale.gen; then
    if grep -qE '^# *en_US\.UTF-8 UTF-8' /etc/locale.gen; then
      "${sudo[@]}" sed -i -E 's/^# *(en_US\.UTF-8 UTF-8)/\1/' /etc/locale.gen
    else
      echo 'en_US.UTF-8 UTF-8' | "${sudo[@]}" tee -a /etc/locale.gen >/dev/null
    fi
  fi
  "${sudo[@]}" localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8 ||
    echo "deps: could not generate en_US.UTF-8; the tests will run under C.UTF-8" >&2
fi
say "done"
