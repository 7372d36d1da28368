#!/usr/bin/env bash
# Web app benchmark: page latencies of a year of a coop of MEMBERS members,
# and sync throughput with and without pages being served.  Run by hand,
# never in the tests:
#
#   bench/bench_web.sh [MEMBERS] [REQUESTS]     (default 1000 members, 300 requests a page)
#   BENCH_WEB_DIR=/var/tmp/w COOP_BUILD=build-release SYNC_ENTRIES=200000 bench/bench_web.sh
#
# Needs a release build (scripts/build.sh build-release --buildtype=release),
# python3 and /usr/bin/time.
#
# 1. The nodes (cached in BENCH_WEB_DIR, default /var/tmp/coop-bench-web,
#    reused while MEMBERS matches): municipality 'breda' publishes
#    docs/examples/breda-2026.json; coop 'coop' holds Breda's log, enrols
#    MEMBERS residents of Breda, and for each month of 2026 imports one CSV
#    (a revenue and a cost for every member, an allowance for one in three,
#    hours for one in two, a coop cost) and closes the month, with COOP_NOW_MS
#    on the 2nd of the next month.  The coop's log goes to Breda (`coop log
#    export/import`), Breda audits every statement (`coop audit run`), and
#    Breda's log with the verdicts comes back to the coop.
# 2. Both nodes run `coop node run --http`; an admin (coop) and an officer
#    (Breda) are created with `coop web user add` and log in through the
#    welcome link and /login (bench/web_load.py).
# 3. bench/web_load.py measures REQUESTS sequential keep-alive requests of each
#    page: median, p90, p99, max, bytes; VmRSS/VmHWM of both daemons before
#    and after.
# 4. Sync while serving: a copy of the coop node gets SYNC_ENTRIES (200000)
#    public notes (bench/make_log); its daemon (`coop node run --http`) serves
#    the whole log to an empty node by a one-shot `coop sync` (bench_sync.sh's
#    method), RUNS (3) times alone and RUNS times while web_load.py hammers
#    its admin pages on one connection; rates and the ratio.  A failed run
#    (the daemon drops a slow receiver) is reported, kept in
#    syncsrc-failed-RUN-MODE.log and left out of the medians.
#
# Knobs: RUNS (3), SYNC_ENTRIES (200000), PORT (18420: web ports PORT..PORT+2,
# sync ports 1000 above), SKIP_PAGES=1 / SKIP_SYNC=1 (skip step 3 / 4),
# HAMMER_PAGES="/members /members?q=..." (the pages hammered in step 4).
# Results and docs: docs/performance.md, "Web app".
set -euo pipefail
members=${1:-1000}
requests=${2:-300}
runs=${RUNS:-3}
sync_entries=${SYNC_ENTRIES:-200000}
. "$(dirname "$0")/paths.sh"
load="python3 $here/web_load.py"
rules="$root/docs/examples/breda-2026.json"
dir=${BENCH_WEB_DIR:-/var/tmp/coop-bench-web}
port=${PORT:-18420}
for tool in "$coop" "$make_log" /usr/bin/time; do
  [ -x "$tool" ] || { echo "bench_web: $tool missing (see the header of $0)" >&2; exit 1; }
done
mkdir -p "$dir"
daemons=()
cleanup() {
  for pid in "${daemons[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

seconds() { date +%s.%N; }
ms_at() { echo "$(date -u -d "$1" +%s)000"; }
key() { "$coop" id --dir "$1" -O json | sed -n 's/^ *"public_key": "\([0-9a-f]*\)".*/\1/p'; }
rss() { awk '/^VmRSS|^VmHWM/ { printf "%s %.1f MiB  ", $1, $2 / 1024 }' "/proc/$1/status"; }
wait_listening() { # LOGFILE WHAT
  for _ in $(seq 200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench_web: no '$2' in $1" >&2
  cat "$1" >&2
  exit 1
}

echo "coop web benchmark: $members members x 12 months, $requests requests a page ($(nproc) CPUs, $(uname -m), $(basename "$build")); load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. the nodes, once ------------------------------------------------------
if [ "$(cat "$dir/made" 2>/dev/null)" != "$members" ]; then
  rm -rf "$dir/breda" "$dir/coop" "$dir/made" "$dir"/*.csv "$dir"/*.bundle
  start=$(seconds)
  export COOP_NOW_MS=$(ms_at 2026-01-01T12:00:00)
  "$coop" init --role municipality --name "Gemeente Breda" --dir "$dir/breda" >/dev/null
  "$coop" init --role coop --name "Bench Werkt" --dir "$dir/coop" >/dev/null
  breda=$(key "$dir/breda") coop_key=$(key "$dir/coop")
  "$coop" peer add --dir "$dir/coop" --key "$breda" --role municipality --name breda >/dev/null
  "$coop" peer add --dir "$dir/breda" --key "$coop_key" --role coop --name coop >/dev/null
  "$coop" rules publish "$rules" --dir "$dir/breda" >/dev/null
  "$coop" log export --dir "$dir/breda" >"$dir/breda.bundle"
  "$coop" log import "$dir/breda.bundle" --dir "$dir/coop" >/dev/null
  : >"$dir/members"
  for i in $(seq "$members"); do
    "$coop" member add --dir "$dir/coop" --name "Lid $i Bench" --municipality "$breda" \
      --client-ref "BR-$((100000 + i))" --birth "19$((60 + i % 40))-0$((1 + i % 9))" >>"$dir/members"
  done
  printf 'enrol      %d members in %.1f s\n' "$members" "$(echo "$(seconds) - $start" | bc)"
  for month in $(seq 12); do
    mm=$(printf %02d "$month")
    if [ "$month" = 12 ]; then next=2027-01-02; else next=2026-$(printf %02d $((month + 1)))-02; fi
    export COOP_NOW_MS=$(ms_at "${next}T08:00:00")
    awk -v mm="$mm" -v month="$month" '
      BEGIN { print "type,member,amount,hours,date,ref,note" }
      { i = NR
        d = sprintf("2026-%s-%02d", mm, 1 + i % 28)
        printf "revenue,%s,%d.%02d,,%s,r-%s-%d,Factuur %d\n", $1, 200 + (i * 37 + month * 101) % 2000, i % 100, d, mm, i, i
        printf "cost,%s,%d.%02d,,%s,c-%s-%d,\n", $1, 50 + (i * 13 + month * 7) % 400, (i * 7) % 100, d, mm, i
        if (i % 3 == 0) printf "allowance,%s,%d.00,,%s,a-%s-%d,\n", $1, 20 + i % 150, d, mm, i
        if (i % 2 == 0) printf "hours,%s,,%d,%s,h-%s-%d,\n", $1, 8 + i % 60, d, mm, i
      }
      END { printf "coop-cost,,%d.00,,2026-%s-15,cc-%s,supplies\n", 300 + month, mm, mm }' \
      "$dir/members" >"$dir/month-$mm.csv"
    "$coop" import "$dir/month-$mm.csv" --dir "$dir/coop" >/dev/null
    "$coop" period close "2026-$mm" --dir "$dir/coop" >/dev/null
  done
  printf 'records    %d rows imported and 12 months closed, %.1f s so far\n' \
    "$(cat "$dir"/month-*.csv | grep -vc '^type,')" "$(echo "$(seconds) - $start" | bc)"
  export COOP_NOW_MS=$(ms_at 2027-01-05T08:00:00)
  "$coop" log export --dir "$dir/coop" >"$dir/coop.bundle"
  "$coop" log import "$dir/coop.bundle" --dir "$dir/breda" >/dev/null
  "$coop" audit run --dir "$dir/breda" >"$dir/audit.out"
  "$coop" log export --dir "$dir/breda" >"$dir/breda.bundle"
  "$coop" log import "$dir/breda.bundle" --dir "$dir/coop" >/dev/null
  echo "$members" >"$dir/made"
  printf 'made       in %.1f s: coop log %s entries, coop.db %d MiB, breda.db %d MiB\n' \
    "$(echo "$(seconds) - $start" | bc)" "$("$coop" log export --dir "$dir/coop" 2>&1 >/dev/null | tr -dc 0-9)" \
    "$(du -m "$dir/coop/coop.db" | cut -f1)" "$(du -m "$dir/breda/coop.db" | cut -f1)"
else
  echo "reusing the nodes in $dir ($members members)"
fi
export COOP_NOW_MS=$(ms_at 2027-01-05T08:00:00)

# ---- 2. the daemons and the accounts ------------------------------------------
# Runs the daemon of node $1 on web port $2 (sync port $2 + 1000), logging to $1.log.
start_daemon() {
  rm -f "$1.log"
  (exec "$coop" node run --dir "$1" --listen "127.0.0.1:$(($2 + 1000))" --http "127.0.0.1:$2" 2>"$1.log") &
  daemons+=($!)
  wait_listening "$1.log" "listening on"
  for _ in $(seq 100); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $2), 1)" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench_web: nothing on port $2" >&2
  exit 1
}
# account NODE PORT NAME ROLE: a fresh account, logged in; prints the session cookie.
account() {
  local link
  link=$("$coop" web user add "$3" --role "$4" --dir "$1" | grep -o 'http[^ ]*/welcome?token=[0-9a-zA-Z_-]*')
  $load login "127.0.0.1:$2" "$link" "$3" "bench-password-$3"
}
port_coop=$port port_breda=$((port + 1))
start_daemon "$dir/coop" "$port_coop"
coop_pid=${daemons[-1]}
start_daemon "$dir/breda" "$port_breda"
breda_pid=${daemons[-1]}
stamp=$(date +%s%N)
admin=$(account "$dir/coop" "$port_coop" "admin$stamp" admin)
officer=$(account "$dir/breda" "$port_breda" "officer$stamp" officer)

# ---- 3. page latencies --------------------------------------------------------
member_id=$(sed -n "$((members / 2))p" "$dir/members")
member_name="Lid $((members / 2)) Bench"
query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$member_name")
if [ "${SKIP_PAGES:-0}" != 1 ]; then
echo "coop daemon before:  $(rss "$coop_pid")"
echo "breda daemon before: $(rss "$breda_pid")"
: >"$dir/pages.json"
$load measure "127.0.0.1:$port_coop" "$admin" "$requests" /members "/members?q=$query" \
  "/member?id=$member_id" | tee -a "$dir/pages.json"
$load measure "127.0.0.1:$port_breda" "$officer" "$requests" "/?p=2026-06" "/report.csv?p=2026-06" |
  tee -a "$dir/pages.json"
echo "coop daemon after:   $(rss "$coop_pid")"
echo "breda daemon after:  $(rss "$breda_pid")"
fi
echo
echo "| page ($members members x 12 months, $requests requests, one keep-alive connection) | median ms | p90 ms | p99 ms | max ms | bytes | p99 / 50 ms |"
echo "|---|---:|---:|---:|---:|---:|---:|"
python3 - "$dir/pages.json" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"| `{r['path']}` | {r['median_ms']} | {r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['bytes']:,} | {r['p99_ms'] / 50:.2f} {'✔' if r['p99_ms'] < 50 else '✘'} |")
PY
echo
for pid in "${daemons[@]}"; do kill -TERM "$pid"; wait "$pid" || true; done
daemons=()

# ---- 4. sync throughput, alone and while pages are served ---------------------
if [ "${SKIP_SYNC:-0}" = 1 ]; then
  exit 0
fi
src=$dir/syncsrc
if [ "$(cat "$dir/syncsrc.made" 2>/dev/null)" != "$members $sync_entries" ]; then
  rm -rf "$src" "$dir/empty.template"
  cp -a "$dir/coop" "$src"
  rm -f "$src"/*.log
  "$coop" init --dir "$dir/empty.template" --role coop --name empty >/dev/null
  "$coop" peer add --dir "$src" --key "$(key "$dir/empty.template")" \
    --addr "127.0.0.1:$((port + 3))" --role coop --name empty >/dev/null
  "$coop" peer add --dir "$dir/empty.template" --key "$(key "$src")" \
    --addr "127.0.0.1:$((port + 1002))" --role coop --name syncsrc >/dev/null
  "$make_log" --dir "$src" --entries "$sync_entries" | tee "$dir/make_log.out"
  echo "$members $sync_entries" >"$dir/syncsrc.made"
fi
if [ -n "${HAMMER_PAGES:-}" ]; then
  read -r -a hammer_pages <<<"$HAMMER_PAGES"
else
  hammer_pages=(/members "/member?id=$member_id" "/members?q=$query" /)
fi
: >"$dir/sync.results"
for run in $(seq "$runs"); do
  for mode in alone served; do
    rm -rf "$dir/empty"
    cp -a "$dir/empty.template" "$dir/empty"
    sync
    start_daemon "$src" "$((port + 2))"
    src_pid=${daemons[-1]}
    session=$(account "$src" "$((port + 2))" "admin$(date +%s%N)" admin)
    hammer=""
    if [ "$mode" = served ]; then
      $load hammer "127.0.0.1:$((port + 2))" "$session" 3600 "${hammer_pages[@]}" >"$dir/hammer.out" &
      hammer=$!
      sleep 1
    fi
    read -r cpu0 < <(awk '{ print $14 + $15 }' "/proc/$src_pid/stat")
    start=$(seconds)
    ok=1
    /usr/bin/time -f '%M %U %S' -o "$dir/sync.time" \
      "$coop" sync --dir "$dir/empty" --peer syncsrc --timeout 3600 >"$dir/sync.out" 2>"$dir/sync.log" ||
      ok=0
    end=$(seconds)
    read -r cpu1 < <(awk '{ print $14 + $15 }' "/proc/$src_pid/stat")
    hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$src_pid/status")
    pages=0
    if [ -n "$hammer" ]; then
      kill -TERM "$hammer"
      wait "$hammer" || true
      pages=$(cat "$dir/hammer.out")
    fi
    kill -TERM "$src_pid"
    wait "$src_pid" || true
    daemons=()
    received=$(sed -n 's/.*in sync (\([0-9]*\) entries received.*/\1/p' "$dir/sync.out")
    if [ "$ok" = 0 ]; then
      echo "sync run $run $mode: FAILED after $(echo "$(seconds) - $start" | bc) s: $(tail -1 "$dir/sync.log"); the daemon said: $(grep -m1 'wait to be written\|FAIL\|error' "$src.log" || true)" >&2
      cp "$src.log" "$dir/syncsrc-failed-$run-$mode.log"
      echo "$mode failed 0 0 $pages" >>"$dir/sync.results"
      continue
    fi
    awk -v mode="$mode" -v run="$run" -v n="$received" -v s="$start" -v e="$end" -v hwm="$hwm" \
        -v c0="$cpu0" -v c1="$cpu1" -v hz="$(getconf CLK_TCK)" -v pages="$pages" 'BEGIN { w = e - s
      printf "sync run %d %-6s: %d entries in %.2f s = %.0f entries/s; daemon CPU %.2f s, VmHWM %.1f MiB; pages served meanwhile ~%d\n",
        run, mode, n, w, n / w, (c1 - c0) / hz, hwm / 1024, pages > "/dev/stderr"
      printf "%s %.0f %.2f %.1f %d\n", mode, n / w, (c1 - c0) / hz, hwm / 1024, pages }' >>"$dir/sync.results"
  done
done
"$coop" verify --dir "$dir/empty" >/dev/null || { echo "bench_web: the received log does not verify" >&2; exit 1; }

# ---- summary ------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
alone=$(awk '$1 == "alone" && $2 != "failed" { print $2 }' "$dir/sync.results" | median)
served=$(awk '$1 == "served" && $2 != "failed" { print $2 }' "$dir/sync.results" | median)
failed=$(grep -c ' failed ' "$dir/sync.results" || true)
echo
awk -v a="$alone" -v s="$served" -v n="$sync_entries" 'BEGIN {
  printf "| sync of the coop log + %d notes (median of %s runs) | entries/s |\n|---|---:|\n", n, "'"$runs"'"
  printf "| alone | %.0f |\n| while pages are served | %.0f |\n| ratio served / alone | %.2f |\n", a, s, (a ? s / a : 0) }'
echo "failed sync runs: $failed of $((runs * 2)) (see $dir/syncsrc-failed-*.log)"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); results in $dir (pages.json, sync.results)"
