#!/usr/bin/env bash
# Books benchmark: `coop import` of a large spreadsheet export, then the
# reports over the resulting ledger.  Run by hand, never in the tests:
#
#   bench/bench_books.sh [ROWS] [MEMBERS]        (default 1000000 rows, 400 members)
#   COOP_BIN=build/cli/coop BENCH_DIR=/var/tmp/b bench/bench_books.sh
#
# Builds a coop node with MEMBERS members of two municipalities, writes a CSV
# of ROWS records over a year (revenue, costs, allowance, remittances, coop
# costs, hours and other-income memos; about 1.8 postings per record), and
# measures:
#   import     wall and CPU time, records/s and peak RSS (/usr/bin/time -v) of one
#              `coop import`: parsing, checks, postings, sealing every entry
#              (XChaCha20-Poly1305), the Merkle tree, one signed checkpoint
#              per 1000 entries, the derived tables, fsync'd commit
#   re-import  the same file again (every row answers 'already there')
#   bal        `coop bal` over the whole ledger (best of 3)
#   bal -p     one month; bal --member: one member
#   reg, export -O hledger, report year, export -O xaf, verify, rebuild:
#              wall time
# The node is left in BENCH_DIR (default: a fresh temporary directory,
# removed at the end unless KEEP=1).  IMPORT_ONLY=1 stops after the import
# and the re-import; the node as it was before the import is kept in
# BENCH_DIR/before-import, so `coop import` can be timed (or profiled) again
# on the same start.  IMPORT_RUNS=N times the import N times from that start
# and reports the median run.
set -euo pipefail
rows=${1:-1000000}
members=${2:-400}
coop=$(realpath "${COOP_BIN:-build/cli/coop}")
dir=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$dir"
[ "${KEEP:-0}" = 1 ] || [ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$dir"' EXIT
export COOP_HOME="$dir/node" COOP_NOW_MS=1798675200000 # 2027-01-01

seconds() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }
# best_of N COMMAND...: the fastest wall time of N runs, in seconds.
best_of() {
  local runs=$1 best="" start end took
  shift
  for _ in $(seq "$runs"); do
    start=$(seconds)
    "$@" >/dev/null
    end=$(seconds)
    took=$(elapsed "$start" "$end")
    if [ -z "$best" ] || [ "$(echo "$took < $best" | bc)" = 1 ]; then best=$took; fi
  done
  printf '%.3f' "$best"
}

echo "coop books benchmark: $rows records, $members members ($(nproc) CPUs, $(uname -m))"
"$coop" init --role coop --name "Bench Coop" >/dev/null
key() { "$coop" id --dir "$1" -O json | sed -n 's/^ *"public_key": "\([0-9a-f]*\)".*/\1/p'; }
for municipality in breda tilburg; do
  "$coop" init --role municipality --name "$municipality" --dir "$dir/$municipality" >/dev/null
done
keys=("$(key "$dir/breda")" "$(key "$dir/tilburg")")
# A member's municipality must be one the coop knows: a peer will do.
"$coop" peer add --key "${keys[0]}" --role municipality --name breda >/dev/null
"$coop" peer add --key "${keys[1]}" --role municipality --name tilburg >/dev/null
start=$(seconds)
: >"$dir/members"
for i in $(seq "$members"); do
  "$coop" member add --name "Member $i" --municipality "${keys[$((i % 2))]}" \
    --client-ref "CL-$i" >>"$dir/members"
done
printf 'enrol      %d members in %.1f s\n' "$members" "$(elapsed "$start" "$(seconds)")"

# The CSV: a year of dates, member records in rotation, one coop cost in
# twenty rows; every row has its own ref.
start=$(seconds)
awk -v rows="$rows" '
  BEGIN { srand(42) }
  NR == FNR { member[n++] = $1; next }
  END {
    print "type,member,amount,hours,date,ref,note"
    split("31 28 31 30 31 30 31 31 30 31 30 31", days, " ")
    split("revenue revenue revenue cost cost allowance remittance hours other-income", kinds, " ")
    for (i = 0; i < rows; i++) {
      month = 1 + int(i * 12 / rows)
      date = sprintf("2026-%02d-%02d", month, 1 + i % days[month])
      if (i % 20 == 19) {
        printf "coop-cost,,%d.%02d,,%s,c-%d,supplies\n", 10 + i % 500, i % 100, date, i
        continue
      }
      kind = kinds[1 + i % 9]
      m = member[i % n]
      if (kind == "hours")
        printf "hours,%s,,%d.%d,%s,h-%d,\n", m, 1 + i % 9, (i % 4) * 25 / 10, date, i
      else if (kind == "revenue")
        printf "revenue,%s,\"%d,%02d\",,%s,r-%d,\"Invoice %d, work\"\n", m, 50 + i % 2000, i % 100, date, i, i
      else
        printf "%s,%s,%d.%02d,,%s,x-%d,\n", kind, m, 5 + i % 300, i % 100, date, i
    }
  }' "$dir/members" /dev/null >"$dir/big.csv"
printf 'csv        %d rows, %d MiB, written in %.1f s\n' "$rows" \
  "$(($(stat -c %s "$dir/big.csv") / 1048576))" "$(elapsed "$start" "$(seconds)")"

rm -rf "$dir/before-import" && cp -a "$dir/node" "$dir/before-import" && sync
# time_import HOME: one `coop import` of the CSV into the node at HOME;
# prints "WALL CPU RSS-KiB" (CPU = user + system: on a shared machine the
# wall time moves with the load, the CPU time much less).
time_import() {
  COOP_HOME=$1 /usr/bin/time -v "$coop" import "$dir/big.csv" >"$dir/import.out" 2>"$dir/import.time"
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = n == 3 ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
    /User time|System time/ { cpu += $2 }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%.2f %.2f %d\n", wall, cpu, rss }' "$dir/import.time"
}
# IMPORT_RUNS=N (default 1) imports N times, each from a copy of the same
# start, and reports the run of the median wall time: one run on a shared
# virtual machine can be 30 % off (other guests' load).
runs=${IMPORT_RUNS:-1}
times=("$(time_import "$dir/node")")
for run in $(seq 2 "$runs"); do
  rm -rf "$dir/again" && cp -a "$dir/before-import" "$dir/again" && sync
  times+=("$(time_import "$dir/again")")
  rm -rf "$dir/again"
done
if [ "$runs" -gt 1 ]; then
  for run in "${!times[@]}"; do
    read -r w c r <<<"${times[$run]}"
    printf 'import run %d: %.2f s wall, %.2f s CPU, %.0f records/s\n' "$((run + 1))" "$w" "$c" \
      "$(echo "$rows / $w" | bc -l)"
  done
fi
median_of=""
[ "$runs" = 1 ] || median_of=", the median of $runs runs"
read -r wall_seconds cpu_seconds rss_kib <<<"$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")"
postings=$("$coop" reg -O csv | grep -vc ',(hours),\|,(memo),' || true)
postings=$((postings - 1))
printf 'import     %s (%s) in %.2f s (%.2f s CPU)%s: %.0f records/s, %d postings; peak RSS %d MiB\n' \
  "$rows records" "$(cat "$dir/import.out")" "$wall_seconds" "$cpu_seconds" \
  "$median_of" "$(echo "$rows / $wall_seconds" | bc -l)" "$postings" "$((rss_kib / 1024))"
printf 'database   %d MiB\n' "$(($(du -sk "$dir/node" | cut -f1) / 1024))"

start=$(seconds)
reimport=$("$coop" import "$dir/big.csv")
printf 're-import  %s in %.2f s\n' "$reimport" "$(elapsed "$start" "$(seconds)")"

[ "${IMPORT_ONLY:-0}" = 1 ] && exit 0
first_member=$(head -1 "$dir/members")
echo "bal        $(best_of 3 "$coop" bal) s (whole ledger, best of 3)"
echo "bal -p     $(best_of 3 "$coop" bal -p 2026-06) s (one month)"
echo "bal --member $(best_of 3 "$coop" bal --member "$first_member") s (one member)"
echo "reg        $(best_of 1 "$coop" reg -O csv) s"
echo "export     $(best_of 1 "$coop" export -O hledger) s (-O hledger)"
echo "report     $(best_of 1 "$coop" report year 2026 -O json) s (annual accounts of 2026)"
echo "xaf        $(best_of 1 "$coop" export -O xaf --year 2026) s (the XAF audit file of 2026)"
echo "verify     $(best_of 1 "$coop" verify) s"
echo "rebuild    $(best_of 1 "$coop" rebuild) s"
