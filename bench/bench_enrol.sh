#!/usr/bin/env bash
# Batch enrolment benchmark: `coop import --members` of a CSV of MEMBERS
# members (name, client ref, municipality, birth month, status; half with
# disregard n approved), against `coop member add` one process at a time.
# Run by hand, never in the tests:
#
#   bench/bench_enrol.sh [MEMBERS] [SINGLES]     (default 10000 members, 200 singles)
#   COOP_BIN=build/cli/coop BENCH_DIR=/var/tmp/e bench/bench_enrol.sh
#
# Prints the batch's wall time, members/s and peak RSS (/usr/bin/time -v),
# its CPU time (every thread's: the key grants are made by worker threads,
# node/audiences.c) and members per CPU-second, the entries it appended,
# the load average (the machine may be shared: compare CPU and ratios), and
# for the same machine in the same run the limits it stands on when the
# benchmarks are built beside COOP_BIN (bench/bench_grants: the key grants,
# two sealed boxes per member, with crypto_box_seal, on one thread with the
# ephemeral pairs made in bulk, and on the workers;
# bench/bench_log: the log's bulk append, which a member's 4.5 entries
# divide), and the rate of SINGLES one-by-one `coop member add` commands
# (each its own process, transaction and fsync): the way members were
# enrolled before.  SINGLES=0 skips them.
set -euo pipefail
members=${1:-10000}
singles=${2:-200}
coop=$(realpath "${COOP_BIN:-build/cli/coop}")
dir=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$dir"
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$dir"' EXIT
export COOP_HOME="$dir/node" COOP_NOW_MS=1775000000000 # 2026-04-01
rm -rf "$COOP_HOME" "$dir/breda" "$dir/tilburg"
seconds() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

echo "coop enrolment benchmark: $members members in one file, $singles one by one ($(nproc) CPUs)"
"$coop" init --role coop --name "Bench Coop" >/dev/null
key() { "$coop" id --dir "$1" -O json | sed -n 's/^ *"public_key": "\([0-9a-f]*\)".*/\1/p'; }
for municipality in breda tilburg; do
  "$coop" init --role municipality --name "$municipality" --dir "$dir/$municipality" >/dev/null
  "$coop" peer add --key "$(key "$dir/$municipality")" --role municipality \
    --name "$municipality" >/dev/null
done
awk -v n="$members" 'BEGIN {
  print "name,client_ref,municipality,birth,status"
  for (i = 1; i <= n; i++)
    printf "Member %d,CL-%d,%s,%d-%02d,%s\n", i, i, i % 2 ? "breda" : "tilburg",
      1960 + i % 40, 1 + i % 12, i % 2 ? "n-approved" : ""
}' >"$dir/members.csv"

size_before=$("$coop" checkpoint | sed -n 's/^size: *//p')
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v "$coop" import --members "$dir/members.csv" >"$dir/enrol.out" 2>"$dir/enrol.time"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$dir/enrol.time" |
  awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
cpu=$(awk -F': ' '/User time|System time/ {sum += $2} END {print sum}' "$dir/enrol.time")
rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/enrol.time")
size_after=$("$coop" checkpoint | sed -n 's/^size: *//p')
printf 'batch      %s in %.2f s (cpu %.2f s): %.0f members/s, %.0f per CPU-second; %d entries; peak RSS %d MiB\n' \
  "$(tail -1 "$dir/enrol.out")" "$wall" "$cpu" "$(echo "$members / $wall" | bc -l)" \
  "$(echo "$members / $cpu" | bc -l)" $((size_after - size_before)) $((rss_kib / 1024))
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

benches=$(dirname "$coop")/../bench
if [ -x "$benches/bench_grants" ]; then
  "$benches/bench_grants" --members "$members" | sed 's/^/limit      /'
fi
if [ -x "$benches/bench_log" ]; then
  mkdir -p "$dir/log"
  bulk=$("$benches/bench_log" --entries $((size_after - size_before)) --durable 20 --dir "$dir/log" |
    awk -F'|' '/bulk append/ {gsub(/ /, "", $3); print $3}')
  printf 'limit      log bulk append %s entries/s: %.0f members/s at %.1f entries each\n' "$bulk" \
    "$(echo "$bulk * $members / ($size_after - $size_before)" | bc -l)" \
    "$(echo "($size_after - $size_before) / $members" | bc -l)"
fi
[ "$singles" -gt 0 ] || exit 0

start=$(seconds)
for i in $(seq "$singles"); do
  "$coop" member add --name "Single $i" --municipality breda --client-ref "S-$i" \
    --birth 1980-01 >/dev/null
done
took=$(elapsed "$start" "$(seconds)")
printf 'one by one %d member add commands in %.2f s: %.0f members/s (limit of that way)\n' \
  "$singles" "$took" "$(echo "$singles / $took" | bc -l)"
