#!/usr/bin/env bash
# Issue 16's targets in one run: each scale benchmark once, then one table of
# what it measured against its target.  Run by hand on a quiet machine, never
# in the tests (it takes 10 - 20 minutes; --quick about two):
#
#   bench/scale.sh [--quick] [--network] [--dir DIR]
#   COOP_BUILD=build bench/scale.sh            (default build-release)
#
#   --quick    smaller sizes, to see that everything runs: 200,000 records,
#              2,000 members, 2,000 x 3 months, 10 coops
#   --network  also bench/bench_network.sh (50 nodes, two months; ~5 min)
#   --dir DIR  keep every benchmark's output and nodes in DIR (default: a
#              temporary directory, removed at the end)
#   --report   with --dir: print the table of an earlier run in DIR again
#              (with the same --quick), running nothing
#
# The import and the one-shot close run three times each (once with
# --quick), from copies of the same start, and the run of the median wall
# time stands in the table: one run on a shared virtual machine can be 30 %
# off.  Each benchmark's own output is printed as it runs and kept in DIR/*.out.
# CPU seconds (user + sys) are given beside wall time: on a shared machine
# wall time follows the load, CPU time much less; the load average is
# printed before and after.  The same-run limits (the log's bulk append,
# raw SQLite, the offset engine) are in the benchmarks' own output.
set -euo pipefail
source "$(dirname "$0")/paths.sh"

quick=0 network=0 report=0 dir=""
while [ $# -gt 0 ]; do
  case $1 in
  --quick) quick=1 ;;
  --network) network=1 ;;
  --report) report=1 ;;
  --dir) dir=$2; shift ;;
  -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "scale.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for tool in "$coop" "$build/bench/bench_statements" "$build/bench/bench_log"; do
  [ -x "$tool" ] || { echo "scale.sh: $tool is missing: build it first (meson compile -C $build)" >&2; exit 1; }
done
[ $report = 0 ] || [ -n "$dir" ] || { echo "scale.sh: --report needs --dir" >&2; exit 2; }
if [ -z "$dir" ]; then
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"

if [ $quick = 1 ]; then
  rows=200000 enrolled=2000 members=2000 months=3 coops=10 runs=1
else
  rows=1000000 enrolled=10000 members=10000 months=6 coops=50 runs=3
fi

# step NAME COMMAND...: runs one benchmark, its output shown and kept.
step() {
  local name=$1
  shift
  echo
  echo "== $name: $*"
  "$@" 2>&1 | tee "$dir/$name.out"
}
# field FILE REGEX: the first match's group 1, or "?" when the benchmark
# printed nothing like it.
field() { sed -n -E "s/$2/\\1/p" "$1" | head -1 | grep . || echo "?"; }

if [ $report = 0 ]; then
  echo "coop scale benchmarks ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)), build $build"

  step limits "$build/bench/bench_log" --entries 200000 --durable 200 --dir "$dir"
  COOP_BIN=$coop BENCH_DIR=$dir/books IMPORT_ONLY=1 IMPORT_RUNS=$runs step import "$here/bench_books.sh" "$rows" 400
  COOP_BIN=$coop BENCH_DIR=$dir/enrol step enrol "$here/bench_enrol.sh" "$enrolled" 0

  # The month close in one process (months 1 .. M-1, the view kept between
  # closes), then month M closed by the command a coop runs: a one-shot
  # `coop period close` that reads its log first.
  mkdir -p "$dir/close"
  step close "$build/bench/bench_statements" --open-last --members "$members" --months "$months" \
    --dir "$dir/close"
  close_home=$(ls -d "$dir"/close/bench-statements-*/coop | head -1)
  next_month=$(printf '2026-%02d-15' $((months + 1)))
  for run in $(seq "$runs"); do # each from a copy of the same node
    # sync: the copy's ~200 MB of dirty pages would otherwise be written by
    # the close's own fsync, a cost no coop's close has.
    rm -rf "$dir/close/shot" && cp -a "$close_home" "$dir/close/shot" && sync
    COOP_NOW_MS=$(($(date -u -d "$next_month" +%s) * 1000)) step "one-shot-$run" /usr/bin/time \
      -f 'one-shot %e s wall, %U s user, %S s sys, peak RSS %M KiB' \
      "$coop" period close "$(printf '2026-%02d' "$months")" --dir "$dir/close/shot"
  done
  # The run of the median wall time stands for them.
  cat "$dir"/one-shot-*.out | grep '^one-shot' | sort -n -k2 | sed -n "$(((runs + 1) / 2))p" \
    >"$dir/one-shot.out"

  mkdir -p "$dir/audit"
  step audit "$build/bench/bench_statements" --audit "$coops" --members 200 --months 12 \
    --dir "$dir/audit"
  [ $network = 1 ] && COOP_BIN=$coop step network "$here/bench_network.sh" --dir "$dir/network"
fi

# ---- the table --------------------------------------------------------------------------
rate() { [ "$2" = "?" ] || [ "$3" = "?" ] && echo "?" || echo "$2 $3" | awk '{printf "%.0f", $1 / $2}'; }
import_line=$(grep '^import  ' "$dir/import.out" || true) # not the lines of single runs
import_wall=$(field "$dir/import.out" '^import  .* in ([0-9.]+) s \(.*')
import_cpu=$(field "$dir/import.out" '^import  .*\(([0-9.]+) s CPU\).*')
import_rss=$(field "$dir/import.out" '^import  .*peak RSS ([0-9]+) MiB.*')
enrol_wall=$(field "$dir/enrol.out" '^batch .*: ([0-9]+) members\/s.*')
enrol_cpu=$(field "$dir/enrol.out" '^batch .*members\/s, ([0-9]+) per CPU-second.*')
close_wall=$(field "$dir/close.out" '.*month close: .*\| ([0-9]+) statements\/s.*')
close_cpu=$(field "$dir/close.out" '.*month close: .*, ([0-9]+) per CPU-second.*')
shot_wall=$(field "$dir/one-shot.out" '^one-shot ([0-9.]+) s wall.*')
shot_cpu=$(awk '/^one-shot/ { printf "%.2f", $5 + $8 }' "$dir/one-shot.out")
shot_rss=$(field "$dir/one-shot.out" '.*peak RSS ([0-9]+) KiB.*')
audit_line=$(grep 'full audit from scratch' "$dir/audit.out" || true)
audit_wall=$(field "$dir/audit.out" '.*full audit from scratch.*\| ([0-9]+)\/s wall.*')
audit_cpu=$(field "$dir/audit.out" '.*full audit from scratch.*\/s wall, ([0-9]+)\/s CPU.*')
month_wall=$(field "$dir/audit.out" '.*one coop closes a month.*\| ([0-9.]+) s wall.*')
month_cpu=$(field "$dir/audit.out" '.*one coop closes a month.*, ([0-9.]+) s CPU.*')

echo
[ $report = 1 ] || echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# met VALUE OP LIMIT: ✔ or ✘ (or ? when the benchmark printed nothing).
met() { [ "$1" = "?" ] && echo "?" || awk -v v="$1" -v l="$3" -v op="$2" \
  'BEGIN { ok = op == ">=" ? v >= l : v < l; print ok ? "✔" : "✘" }'; }
import_rate=$(rate x "$rows" "$import_wall")
shot_rate=$(rate x "$members" "$shot_wall")
echo "| target (issue 16) | wall | per CPU-second | goal | met (wall) |"
echo "|---|---:|---:|---|---|"
echo "| import of $rows records | $import_rate/s | $(rate x "$rows" "$import_cpu") | ≥ 100,000/s | $(met "$import_rate" ">=" 100000) |"
echo "| … peak RSS | $import_rss MiB | | ≤ 256 MiB | $(met "$import_rss" "<" 257) |"
echo "| batch enrolment of $enrolled members | $enrol_wall/s | $enrol_cpu | ≥ 5,000/s | $(met "$enrol_wall" ">=" 5000) |"
echo "| month close, $members members, in one process | $close_wall/s | $close_cpu | ≥ 20,000/s | $(met "$close_wall" ">=" 20000) |"
echo "| … one-shot \`coop period close\` of month $months (ours, beyond the issue's in-process benchmark) | $shot_rate/s | $(rate x "$members" "$shot_cpu") | 20,000/s | $(met "$shot_rate" ">=" 20000) |"
echo "| … its peak RSS | $(( ${shot_rss/\?/0} / 1024 )) MiB | | | |"
echo "| full re-audit, $coops coops × 200 members × 11 months | $audit_wall/s | $audit_cpu | ≥ 50,000/s | $(met "$audit_wall" ">=" 50000) |"
echo "| one coop's new month judged ($coops logs held) | $month_wall s | $month_cpu s CPU | < 1 s | $(met "$month_wall" "<" 1) |"
[ $network = 1 ] && echo "| network: see $dir/network.out | | | month acknowledged ≤ 10 s, RSS < 64 MiB |"
[ -n "$import_line" ] && [ -n "$audit_line" ] || { echo "scale.sh: a benchmark printed no result: see $dir" >&2; exit 1; }
