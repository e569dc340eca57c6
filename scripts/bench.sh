#!/usr/bin/env bash
# The figures issue 8 keeps an eye on, as make bench prints them:
#
#   - the ACS against crewjam's ParseXMLResponse alone, on the same
#     captured responses, at 1 and 8 clients over loopback HTTP, with the
#     median ratio of interleaved rounds, p50/p99, and allocations per login
#     (core BenchmarkACSVersusParse prints its own table);
#   - the storage of one login (ApplyLogin);
#   - the Users screen over 100,000 accounts (first page, search);
#   - the impact preview over 10,000 and 100,000 accounts, and its reads
#     alone (ForEachUser).
#
# Every go test output line is also kept in $BENCH_OUT (bin/bench.txt), for
# benchstat. No keyring or display is needed: the consoles keep their keys
# in files in temp dirs.
#
#   scripts/bench.sh            (make bench)
#   ACSBENCH_N=800 ACSBENCH_ROUNDS=7 scripts/bench.sh
#   TESTFLAGS='-count=3' scripts/bench.sh
set -euo pipefail

GO=${GO:-go}
out=${BENCH_OUT:-bin/bench.txt}
mkdir -p "$(dirname "$out")"
: >"$out"

# bench PACKAGE REGEX BENCHTIME: one go test run, its lines kept in $out.
bench() {
  echo "== $1 $2 (-benchtime $3)"
  # shellcheck disable=SC2086 # TESTFLAGS is a list of flags
  "$GO" test -tags migrated_fynedo,no_emoji -run '^$' -bench "$2" -benchtime "$3" -timeout 20m ${TESTFLAGS:-} "$1" | tee -a "$out"
}

start=$(date +%s)
bench ./core '^BenchmarkACSVersusParse$' 1x
bench ./storage '^BenchmarkApplyLogin$' 1s
bench ./storage '^BenchmarkListUsers$' 1s
bench ./storage '^BenchmarkForEachUser10k$' 1s
bench ./storage '^BenchmarkForEachUser100k$' 3x
bench ./core '^BenchmarkImpactPreview10k$' 5x
bench ./core '^BenchmarkImpactPreview100k$' 2x

echo
echo "The other figures (time per op; go test's lines are in $out):"
echo
echo "| benchmark | time/op | allocs/op |"
echo "|---|---|---|"
awk '/^Benchmark/ && !/ACSVersusParse/ {
  name = $1; sub(/-[0-9]+$/, "", name); t = ""; a = ""
  for (i = 2; i <= NF; i++) {
    if ($i == "ns/op") { v = $(i-1)
      if (v >= 1e9) t = sprintf("%.2f s", v / 1e9); else if (v >= 1e6) t = sprintf("%.1f ms", v / 1e6);
      else t = sprintf("%.0f µs", v / 1e3) }
    if ($i == "allocs/op") a = $(i-1)
  }
  printf "| %s | %s | %s |\n", name, t, a
}' "$out"
echo
echo "make bench took $(($(date +%s) - start)) s"
