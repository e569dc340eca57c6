#!/usr/bin/env bash
# Takes a screenshot of the real JIT Console window: starts BINARY with a
# fresh data directory on a free port, waits for its window, signs COUNT
# simulated new hires in through the demo IdP (so the dashboard has
# something to show), shoots the window with import(1) into OUT and closes
# the console. Needs a display and a session bus: make screenshot runs it
# inside scripts/session.sh.
#
#   scripts/screenshot.sh BINARY OUT [COUNT]
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BINARY OUT [COUNT]" >&2
  exit 2
fi
bin=$1 out=$2 count=${3:-50}
if [ -z "${DISPLAY:-}" ]; then
  echo "screenshot: no DISPLAY; run it through scripts/session.sh (make screenshot does)" >&2
  exit 1
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + RANDOM % 20000))
until port_free "$port"; do port=$((port + 1)); done
base=http://localhost:$port

data=$(mktemp -d "${TMPDIR:-/tmp}/jitconsole-shot.XXXXXX")
log=$data/console.log
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

echo "screenshot: starting $bin on $base"
"$bin" --listen "127.0.0.1:$port" --data-dir "$data/data" 2>"$log" &
pid=$!
if ! wid=$(timeout 60 xdotool search --sync --onlyvisible --name '^JIT Console$' | head -n1) || [ -z "$wid" ]; then
  echo "screenshot: the window did not appear within 60 s; the console said:" >&2
  cat "$log" >&2
  exit 1
fi
if [ "$count" -gt 0 ]; then
  "$bin" demo simulate --count "$count" --target "$base" --data-dir "$data/data"
fi
sleep 3 # let the feed, the counters and the chart catch up
mkdir -p "$(dirname "$out")"
import -window "$wid" "$out"
echo "screenshot: wrote $out ($(identify -format '%wx%h' "$out"))"

kill -TERM "$pid"
for _ in $(seq 50); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then
  echo "screenshot: the console did not exit within 10 s of SIGTERM" >&2
  exit 1
fi
wait "$pid" || { echo "screenshot: the console exited with status $?; it said:" >&2; cat "$log" >&2; exit 1; }
pid=
