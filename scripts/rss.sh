#!/usr/bin/env bash
# Idle memory of the console after a load of logins (issue 8): for `serve`
# and for the window (the GUI, on Xvfb), each with a fresh data dir:
#
#   1. start it on a loopback port and wait until it is idle;
#   2. sign N generated new hires in through the demo IdP
#      (jitconsole demo simulate, 4 at a time);
#   3. wait until it is idle again (no CPU time used for 5 s in a row) and
#      read VmRSS, RssAnon and the peak VmHWM from /proc/PID/status, and
#      once more after another 30 s idle (the Go runtime gives memory
#      back to the system in the background).
#
# It runs itself inside scripts/session.sh (D-Bus, an unlocked
# gnome-keyring and Xvfb), so that the SP key is in a keyring as in use.
#
#   scripts/rss.sh [N]            N logins, default 10000
#   RSS_MODES=serve scripts/rss.sh 2000
#   RSS_MODES=idle scripts/rss.sh  the idle window beside a minimal Fyne
#                                 window (internal/minimalwindow: a label
#                                 and a button), in one run (issue 10)
#   BIN=bin/jitconsole RSS_PORT=18950 scripts/rss.sh
set -euo pipefail

if [ -z "${JITCONSOLE_RSS_INSIDE:-}" ]; then
  export JITCONSOLE_RSS_INSIDE=1
  exec "$(dirname "$0")/session.sh" "$0" "$@"
fi

N=${1:-10000}
BIN=${BIN:-bin/jitconsole}
MODES=${RSS_MODES:-serve gui}
PORT=${RSS_PORT:-18950}
if [ ! -x "$BIN" ]; then
  echo "rss: $BIN is missing; run make build" >&2
  exit 1
fi

# cpu_ticks PID: user + system CPU time of PID, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wait_idle PID: waits until PID used no more than three ticks (30 ms) of
# CPU time (an idle window's event loop under Xvfb takes about two a
# second, the minimal window's as much) in
# each of 5 consecutive seconds (at most 10 minutes).
wait_idle() {
  local quiet=0 before after
  for _ in $(seq 600); do
    before=$(cpu_ticks "$1")
    sleep 1
    after=$(cpu_ticks "$1")
    if [ $((after - before)) -le 3 ]; then quiet=$((quiet + 1)); else quiet=0; fi
    if [ $quiet -ge 5 ]; then return 0; fi
  done
  echo "rss: PID $1 did not become idle within 10 minutes" >&2
  return 1
}

# memory PID LABEL: one line of PID's resident memory.
memory() {
  awk -v label="$2" '/^(VmRSS|RssAnon|VmHWM):/ {v[$1] = $2}
    END {printf "  %-34s VmRSS %6.1f MiB  RssAnon %6.1f MiB  peak VmHWM %6.1f MiB\n", label,
      v["VmRSS:"] / 1024, v["RssAnon:"] / 1024, v["VmHWM:"] / 1024}' "/proc/$1/status"
}

# idle_window LABEL CMD...: starts a window, waits until it is idle, and
# prints its memory; leaves its VmRSS in KiB in $rss.
idle_window() {
  local label=$1 pid
  shift
  "$@" >"${TMPDIR:-/tmp}/jitconsole-rss-$label.log" 2>&1 &
  pid=$!
  sleep 2
  wait_idle "$pid"
  memory "$pid" "$label"
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  kill "$pid"
  wait "$pid" || true
}

# measure_idle: the console's idle window on an empty data dir beside the
# minimal window, and their ratio.
measure_idle() {
  local dir minimal console
  dir=$(mktemp -d "${TMPDIR:-/tmp}/jitconsole-rss.XXXXXX")
  # The yardstick is Fyne as it ships (with its emoji font); the console
  # leaves that font out (see the Makefile's TAGS).
  "${GO:-go}" build -tags migrated_fynedo -o "$dir/minimalwindow" ./internal/minimalwindow
  echo "== idle windows on Xvfb"
  idle_window "minimal Fyne window" "$dir/minimalwindow"
  minimal=$rss
  idle_window "console, empty data dir" "$BIN" --data-dir "$dir/data" --listen "127.0.0.1:$PORT" --base-url "http://127.0.0.1:$PORT"
  console=$rss
  awk -v c="$console" -v m="$minimal" 'BEGIN {printf "  console / minimal: %.2f\n", c / m}'
  rm -rf "$dir"
}

measure() {
  local mode=$1 dir pid base
  if [ "$mode" = idle ]; then
    measure_idle
    return
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/jitconsole-rss.XXXXXX")
  base=http://127.0.0.1:$PORT
  case $mode in
  serve) "$BIN" serve --data-dir "$dir/data" --listen "127.0.0.1:$PORT" --base-url "$base" >/dev/null 2>"$dir/log" & ;;
  gui) "$BIN" --data-dir "$dir/data" --listen "127.0.0.1:$PORT" --base-url "$base" >"$dir/log" 2>&1 & ;;
  *)
    echo "rss: unknown mode $mode (serve or gui)" >&2
    return 1
    ;;
  esac
  pid=$!
  for _ in $(seq 300); do
    if curl -sf -o /dev/null "$base/saml/demo/metadata"; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "rss: $mode exited:" >&2
      cat "$dir/log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "== $mode (PID $pid, $base)"
  wait_idle "$pid"
  memory "$pid" "idle after start"
  local t0=$SECONDS
  "$BIN" demo simulate --count "$N" --target "$base" --data-dir "$dir/data" --concurrency 4 >"$dir/simulate.log" 2>&1 ||
    { echo "rss: demo simulate failed:" >&2; tail -5 "$dir/simulate.log" >&2; }
  echo "  $N logins in $((SECONDS - t0)) s ($(tail -1 "$dir/simulate.log"))"
  wait_idle "$pid"
  memory "$pid" "idle after $N logins"
  sleep 30
  memory "$pid" "idle after $N logins + 30 s"
  kill "$pid"
  wait "$pid" || true
  rm -rf "$dir"
}

echo "Idle RSS after $N logins ($(nproc) CPUs, $BIN)"
for mode in $MODES; do
  measure "$mode"
done
