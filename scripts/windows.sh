#!/usr/bin/env bash
# Cross-compiles JIT Console for 64-bit Windows with Debian's mingw-w64:
#
#   scripts/windows.sh [OUTDIR]     (default bin/windows; make windows)
#
# OUTDIR/jitconsole.exe      GUI subsystem: no console window opens
# OUTDIR/jitconsole-cli.exe  console subsystem: the commands print
#
# Both carry the app icon and version information from FyneApp.toml
# (Name, ID, Version, Build), compiled by windres into
# zz_resources_windows_amd64.syso in the source directory, which only
# windows/amd64 builds link (the go command reads .syso files there and
# nowhere else; go build -overlay does not apply to them). The file is
# made anew by every run and ignored by git. VERSION and COMMIT go in
# with -ldflags -X; they default to FyneApp.toml's version and git's HEAD.
# windows_build_test.go runs this script and checks the executables.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/bin/windows}" && cd "${1:-$root/bin/windows}" && pwd)
GO=${GO:-go}
cc=x86_64-w64-mingw32-gcc
windres=x86_64-w64-mingw32-windres
for tool in "$cc" "$windres"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "windows.sh: $tool is missing: install Debian's gcc-mingw-w64-x86-64 (scripts/deps.sh windows does)" >&2
    exit 1
  fi
done

# field KEY: the value of KEY in FyneApp.toml's [Details], quotes removed.
field() {
  sed -n "/^\[Details\]/,/^\[/s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*\$/\1/p" \
    "$root/FyneApp.toml" | head -1
}
name=$(field Name)
id=$(field ID)
app_version=$(field Version)
build=$(field Build)
icon=$root/$(field Icon)
version=${VERSION:-$app_version}
if [ -z "${COMMIT:-}" ]; then
  COMMIT=unknown
  if rev=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null); then
    COMMIT=$rev
    git -C "$root" diff --quiet HEAD 2>/dev/null || COMMIT=$rev+dirty
  fi
fi
# Windows wants four numbers: major, minor, patch, build.
IFS=. read -r major minor patch _ <<<"$app_version.0.0"
nums="${major:-0},${minor:-0},${patch:-0},${build:-0}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$GO" run "$root/packaging/mkico" "$icon" "$work/icon.ico"

# resources EXE: the .syso for one executable (its OriginalFilename).
resources() {
  cat >"$work/$1.rc" <<RC
#include <winver.h>
1 ICON "icon.ico"
1 VERSIONINFO
FILEVERSION $nums
PRODUCTVERSION $nums
FILEOS VOS_NT_WINDOWS32
FILETYPE VFT_APP
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "FileDescription", "$name"
      VALUE "FileVersion", "$app_version.$build"
      VALUE "InternalName", "$id"
      VALUE "OriginalFilename", "$1"
      VALUE "ProductName", "$name"
      VALUE "ProductVersion", "$version ($COMMIT)"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
RC
  (cd "$work" && "$windres" -O coff -i "$1.rc" -o "$1.syso")
  # Renamed into place, so a build running beside this one never reads
  # half a file.
  cp "$work/$1.syso" "$root/.zz_resources.syso.tmp.$$"
  mv -f "$root/.zz_resources.syso.tmp.$$" "$root/zz_resources_windows_amd64.syso"
}

# build EXE EXTRA_LDFLAGS: one executable, with its resources.
build() {
  resources "$1"
  (cd "$root" && CC=$cc CGO_ENABLED=1 GOOS=windows GOARCH=amd64 "$GO" build \
    -tags migrated_fynedo,no_emoji \
    -ldflags "-s -w $2 -X main.version=$version -X main.commit=$COMMIT" \
    -o "$out/$1" .)
}

build jitconsole.exe "-H=windowsgui"
build jitconsole-cli.exe ""
ls -l "$out"/jitconsole.exe "$out"/jitconsole-cli.exe
