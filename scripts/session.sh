#!/usr/bin/env bash
# Runs a command inside a throwaway desktop session, the way make test and
# make screenshot need it:
#
#   - one D-Bus session bus (dbus-run-session) for everything the command
#     starts, so that no process spawns a dbus-daemon of its own;
#   - a real gnome-keyring on that bus, unlocked with a random password, so
#     that the SP key goes into an OS keyring (Secret Service) as in use;
#   - an X display from Xvfb (1400x900, 24 bits);
#   - en_US.UTF-8 when that locale exists, else C.UTF-8 (the console
#     reads either; see internal/fynelocale).
#
# The keyring, the runtime directory and the configuration directory are
# temporary ones, removed afterwards: nothing in the user's own keyring or
# ~/.config is read or written. The Go build cache is left where it is.
#
#   scripts/session.sh COMMAND [ARG...]
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
for cmd in dbus-run-session gnome-keyring-daemon xvfb-run xauth; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "session: $cmd is missing; run scripts/deps.sh test" >&2
    exit 1
  fi
done

if locale -a 2>/dev/null | grep -qiE '^en_US\.utf-?8$'; then
  export LANG=en_US.UTF-8
else
  export LANG=C.UTF-8
fi
unset LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jitconsole-session.XXXXXX")
cleanup() { rm -rf "$tmp" 2>/dev/null || true; }
trap cleanup EXIT
mkdir -m 700 "$tmp/runtime" "$tmp/data" "$tmp/config"

# Keep go's own settings (go env -w) while XDG_CONFIG_HOME moves.
if command -v go >/dev/null 2>&1; then
  GOENV=$(go env GOENV)
  export GOENV
fi
export XDG_RUNTIME_DIR=$tmp/runtime XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK WAYLAND_DISPLAY

JITCONSOLE_SESSION_PW=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
export JITCONSOLE_SESSION_PW

# shellcheck disable=SC2016 # expanded by the inner shell
dbus-run-session -- bash -euo pipefail -c '
  printf %s "$JITCONSOLE_SESSION_PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset JITCONSOLE_SESSION_PW
  xvfb-run -a -s "-screen 0 1400x900x24" "$@"
' session "$@"
