#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages JIT Console needs, or says exactly what
# is missing when it cannot install them.
#
#   scripts/deps.sh build   packages for Fyne's cgo build (GLFW + OpenGL)
#   scripts/deps.sh test    build packages plus Xvfb, a real keyring, chromium
#
# It only acts on what is missing, so it is cheap to call before every run.
set -euo pipefail

build_pkgs=(gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev
  libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev)
test_pkgs=(xvfb xauth xdotool imagemagick gnome-keyring dbus-x11 chromium
  fonts-dejavu-core)

mode=${1:-build}
case "$mode" in
build) want=("${build_pkgs[@]}") ;;
test) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
*)
  echo "usage: $0 build|test" >&2
  exit 2
  ;;
esac

if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go is not on PATH. Install Go 1.24 or newer (https://go.dev/dl) and run again." >&2
  exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "deps: this is not a Debian/Ubuntu system; install these packages yourself:" >&2
  echo "  ${want[*]}" >&2
  exit 1
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing system packages for the $mode: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "deps: not root and no sudo; as root run:" >&2
    echo "  apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: done"
