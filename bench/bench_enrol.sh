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
# the entries it appended, and for the same machine in the same run the
# rate of SINGLES one-by-one `coop member add` commands (each its own
# process, transaction and fsync): the way members were enrolled before.
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
/usr/bin/time -v "$coop" import --members "$dir/members.csv" >"$dir/enrol.out" 2>"$dir/enrol.time"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$dir/enrol.time" |
  awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
cpu=$(awk -F': ' '/User time|System time/ {sum += $2} END {print sum}' "$dir/enrol.time")
rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/enrol.time")
size_after=$("$coop" checkpoint | sed -n 's/^size: *//p')
printf 'batch      %s in %.2f s (cpu %.2f s): %.0f members/s; %d entries; peak RSS %d MiB\n' \
  "$(tail -1 "$dir/enrol.out")" "$wall" "$cpu" "$(echo "$members / $wall" | bc -l)" \
  $((size_after - size_before)) $((rss_kib / 1024))

start=$(seconds)
for i in $(seq "$singles"); do
  "$coop" member add --name "Single $i" --municipality breda --client-ref "S-$i" \
    --birth 1980-01 >/dev/null
done
took=$(elapsed "$start" "$(seconds)")
printf 'one by one %d member add commands in %.2f s: %.0f members/s (limit of that way)\n' \
  "$singles" "$took" "$(echo "$singles / $took" | bc -l)"
