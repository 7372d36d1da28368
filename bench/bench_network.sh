#!/usr/bin/env bash
# A network on one machine (issue 16): N real `coop node run` daemons on
# 127.0.0.1 (default 50: 40 coops, 8 municipalities, 2 partners that relay).
# Each coop's members live in two municipalities; every coop records and
# closes months while the network runs, and the municipalities judge the
# statements as they arrive.
#
#   bench/bench_network.sh [-n NODES] [-m MEMBERS] [-M MONTHS] [--kill-relay |
#                          --kill-relay-over-close] [--kill-seconds S]
#                          [--timeout S] [--dir DIR]
#
#   -n NODES        nodes in all (default 50, at least 5): 2 partners,
#                   max(2, (NODES-2)/6) municipalities, the rest coops
#   -m MEMBERS      members per coop (default 20), split over the coop's two
#                   municipalities
#   -M MONTHS       months recorded and closed, from 2026-01 (default 2, at most 11)
#   --kill-relay    SIGKILL partner 1 halfway through the records of the
#                   middle month; restart it once the records are in and at
#                   least --kill-seconds (default 10) have passed, then close
#   --kill-relay-over-close  the same, but the coops close while it is down:
#                   it is restarted after the closes (and --kill-seconds)
#   --timeout S     how long one month may take to be acknowledged (default 300)
#   --dir DIR       work directory, kept (default: a temporary one, removed)
#   COOP_BIN        the binary (default build/cli/coop, else build-release)
#
# Topology: each coop dials one partner (coop i: partner i mod 2) and names
# its two municipalities without an address (their logs come through the
# partner); each municipality dials both partners and names its coops; a
# partner dials nobody and names everyone whose log it relays: its own coops
# and every municipality.  So killing partner 1 cuts half of the coops off
# until it is back (the dial back-off of their daemons then decides when
# they reconnect).
#
# Measured per month:
#   - judged, from the daemons' own log lines (CLOCK_REALTIME, ms): a
#     municipality's daemon logs "audit: N statements acknowledged, M
#     disputed" after each audit; the month is judged at a municipality when
#     these add up to its residents.  Per statement: its coop's close to the
#     audit line that judged it (within a municipality, statements are
#     attributed to its coops in the order they closed), p50/p99/max; and
#     the last close to the last municipality done.
#   - acknowledged everywhere: every coop holds each of its municipalities'
#     logs at least at the size the municipality had after judging the month
#     (its store read, read-only, every 50 ms by holds.py below).
#   - own log growth per node (headers and payloads as stored).
#   - bytes sent per node: bytes_sent of the node's TCP sockets (`ss -tinp`),
#     before the month's records and after it is acknowledged everywhere
#     (a socket that closed in between, e.g. the killed relay's, is lost).
#   - CPU (utime+stime from /proc/PID/stat) per node and month; peak RSS
#     (VmHWM) per node at the end.
# Prints a markdown table; the last line is "bench-network: N passed, M
# failed" (a month not acknowledged in time, a daemon that did not stop
# cleanly, a disputed statement); the exit status is 1 on a failure.
set -uo pipefail
export LC_ALL=C
unset COOP_HOME

nodes=50 members=20 months=2 kill_relay=0 kill_seconds=10 month_timeout=300 dir=""
usage() { # STATUS: 0 for --help (stdout), 2 for a usage error (stderr)
  if [ "$1" = 0 ]; then sed -n '8,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
  sed -n '8,24p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    -n) nodes=${2:?}; shift 2 ;;
    -m) members=${2:?}; shift 2 ;;
    -M) months=${2:?}; shift 2 ;;
    --kill-relay) kill_relay=1; shift ;;
    --kill-relay-over-close) kill_relay=2; shift ;;
    --kill-seconds) kill_seconds=${2:?}; shift 2 ;;
    --timeout) month_timeout=${2:?}; shift 2 ;;
    --dir) dir=${2:?}; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "bench_network: unknown option '$1'" >&2; usage 2 ;;
  esac
done
for value in "$nodes" "$members" "$months" "$kill_seconds" "$month_timeout"; do
  [[ $value =~ ^[0-9]+$ ]] || { echo "bench_network: '$value' is not a whole number" >&2; exit 2; }
done
[ "$nodes" -ge 5 ] || { echo "bench_network: -n must be at least 5 (2 partners, 2 municipalities, a coop)" >&2; exit 2; }
[ "$months" -ge 1 ] && [ "$months" -le 11 ] || { echo "bench_network: -M must be 1 to 11" >&2; exit 2; }
[ "$members" -ge 2 ] || { echo "bench_network: -m must be at least 2" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
COOP=${COOP_BIN:-}
if [ -z "$COOP" ]; then
  for candidate in "$root/build/cli/coop" "$root/build-release/cli/coop"; do
    [ -x "$candidate" ] && { COOP=$candidate; break; }
  done
fi
[ -n "$COOP" ] && [ -x "$COOP" ] || { echo "bench_network: no coop binary (build it, or set COOP_BIN)" >&2; exit 1; }
COOP=$(realpath "$COOP")
PYTHON=$(python3 -S -c 'import sys; print(sys.executable)' 2>/dev/null) || PYTHON=python3
py() { "$PYTHON" -S "$@"; }
have_ss=0
command -v ss >/dev/null && have_ss=1

if [ -n "$dir" ]; then
  mkdir -p "$dir" && dir=$(realpath "$dir")
  [ -z "$(ls -A "$dir")" ] || { echo "bench_network: $dir is not empty" >&2; exit 1; }
else
  dir=$(mktemp -d "${TMPDIR:-/tmp}/coop-network.XXXXXX") || exit 1
  remove_dir=1
fi

# The clock of every command and daemon: the 2nd of the month after the last
# one recorded, so every month can be closed.
export COOP_NOW_MS=$(($(date -u -d "2026-$(printf %02d $((months + 1)))-02 12:00" +%s) * 1000))

partners=2
munis=$(((nodes - partners) / 6))
[ "$munis" -ge 2 ] || munis=2
coops=$((nodes - partners - munis))
declare -a NAMES=()
declare -A ROLE=() KEY=() PORT=() PID=()
for i in $(seq 0 $((partners - 1))); do NAMES+=("partner$i"); ROLE[partner$i]=partner; done
for i in $(seq 0 $((munis - 1))); do NAMES+=("muni$i"); ROLE[muni$i]=municipality; done
for i in $(seq 0 $((coops - 1))); do NAMES+=("coop$i"); ROLE[coop$i]=coop; done

passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
say() { echo "-- $* ($(date -u +%H:%M:%S))" >&2; }
# die WHAT: a setup step failed; the summary line still ends the output.
die() { fail "setup" "$1"; echo "bench-network: $passed passed, $failed failed"; exit 1; }
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

cleanup() {
  local pid
  for pid in "${PID[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 100); do
    local alive=0
    for pid in "${PID[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${PID[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  [ "${remove_dir:-0}" = 1 ] && rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

coop() { "$COOP" "$@"; }
# parallel FUNCTION ARG...: FUNCTION once for each ARG, two at a time (the
# machine this was written for has two cores); fails if any of them failed.
parallel() {
  local fn=$1 status=0
  shift
  export -f "$fn" coop
  export COOP dir
  printf '%s\n' "$@" | xargs -P 2 -I{} bash -c "$fn \"\$1\"" _ {} || status=1
  return $status
}
# The coop's municipalities: coop i has members in municipalities i and i+1.
muni_of() { echo "muni$((($1 + $2) % munis))"; } # COOP_INDEX WHICH(0|1)
coop_partner() { echo "partner$(($1 % partners))"; }

# ---- Ports: free ones, all different, below the ephemeral range -------------------------------------
read -r -a ports < <(py "$root/scripts/free-ports.py" "${#NAMES[@]}")
for i in "${!NAMES[@]}"; do PORT[${NAMES[$i]}]=${ports[$i]}; done

say "$nodes nodes: $coops coops x $members members, $munis municipalities, $partners partners; $months months; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $dir"
setup_started=$(now_ms)

# ---- Setup, before any daemon runs ----------------------------------------------------------------
init_one() { # NAME:ROLE
  coop init --dir "$dir/${1%%:*}" --role "${1#*:}" --name "${1%%:*}" >/dev/null
}
args=()
for name in "${NAMES[@]}"; do args+=("$name:${ROLE[$name]}"); done
parallel init_one "${args[@]}" || die "coop init failed"
for name in "${NAMES[@]}"; do
  KEY[$name]=$(coop id --dir "$dir/$name" -O json | sed -n 's/^ *"public_key": "\([0-9a-f]*\)".*/\1/p')
done

rules() { # MUNICIPALITY: a rule set from 2026-01 (tests/node/lib.sh's)
  echo "{\"municipality\": \"$1\", \"effective_from\": \"2026-01\", \"regime\": \"PW2015\",
 \"norm\": 140150, \"coop_pct\": 1000, \"distribution\": \"STATUTORY\", \"muni_pct\": 0,
 \"loss_rule\": \"FLOOR_ZERO\", \"min_age_nrk\": 27, \"pct_n\": 2500, \"cap_n\": 28500,
 \"n_months\": 6, \"pct_r\": 1250, \"cap_r\": 17766, \"r_months\": 30, \"pct_y\": 1500,
 \"cap_y\": 18019, \"pct_34a\": 1500, \"months_34a\": 12, \"k_month\": 22000, \"k_year\": 220000}"
}
for m in $(seq 0 $((munis - 1))); do
  rules "muni$m" | coop rules publish - --dir "$dir/muni$m" >/dev/null &&
    coop log export --dir "$dir/muni$m" >"$dir/muni$m.bundle" 2>/dev/null ||
    die "rules of muni$m failed"
done

# Each node's peers as lines "NAME ROLE KEY ADDRESS|-" in $dir/NAME.peers.
add_peer_line() { # NODE OTHER WITH_ADDRESS(0|1)
  local address=-
  [ "$3" = 1 ] && address="127.0.0.1:${PORT[$2]}"
  echo "$2 ${ROLE[$2]} ${KEY[$2]} $address" >>"$dir/$1.peers"
}
for c in $(seq 0 $((coops - 1))); do
  p=$(coop_partner "$c")
  add_peer_line "coop$c" "$p" 1
  add_peer_line "$p" "coop$c" 0
  for which in 0 1; do
    m=$(muni_of "$c" "$which")
    add_peer_line "coop$c" "$m" 0
    add_peer_line "$m" "coop$c" 0
  done
done
for m in $(seq 0 $((munis - 1))); do
  for p in $(seq 0 $((partners - 1))); do
    add_peer_line "muni$m" "partner$p" 1
    add_peer_line "partner$p" "muni$m" 0
  done
done
peers_one() { # NAME: its peer lines into node.conf
  local name role key address
  while read -r name role key address; do
    if [ "$address" = - ]; then
      coop peer add --dir "$dir/$1" --key "$key" --role "$role" --name "$name" >/dev/null || return 1
    else
      coop peer add --dir "$dir/$1" --key "$key" --role "$role" --name "$name" --addr "$address" >/dev/null || return 1
    fi
  done <"$dir/$1.peers"
}
parallel peers_one "${NAMES[@]}" || die "coop peer add failed"

# Coops: their municipalities' rule sets (as files: the daemons would bring
# them too), the first month, and the members, as "ID MUNICIPALITY" lines.
for c in $(seq 0 $((coops - 1))); do
  echo "$c $(muni_of "$c" 0) $(muni_of "$c" 1) ${KEY[$(muni_of "$c" 0)]} ${KEY[$(muni_of "$c" 1)]}"
done >"$dir/coops.list"
export members
coop_setup() { # "INDEX MUNI0 MUNI1 KEY0 KEY1"
  local c m0 m1 k0 k1 i home id
  read -r c m0 m1 k0 k1 <<<"$1"
  home=$dir/coop$c
  coop log import --dir "$home" "$dir/$m0.bundle" >/dev/null &&
    coop log import --dir "$home" "$dir/$m1.bundle" >/dev/null &&
    coop period open 2026-01 --dir "$home" >/dev/null || return 1
  : >"$home/members.list"
  for i in $(seq 0 $((members - 1))); do
    if [ $((i % 2)) = 0 ]; then m=$m0 k=$k0; else m=$m1 k=$k1; fi
    id=$(coop member add --dir "$home" --name "Lid $c-$i" --municipality "$k" \
      --client-ref "C$c-$i" --birth 1990-0$((i % 9 + 1))) || return 1
    echo "$id $m" >>"$home/members.list"
  done
}
mapfile -t coop_lines <"$dir/coops.list"
parallel coop_setup "${coop_lines[@]}" || die "coop setup failed"
# residents[MUNI]: statements a municipality judges each month.
declare -A residents=()
for m in $(seq 0 $((munis - 1))); do
  residents[muni$m]=$(cat "$dir"/coop*/members.list | grep -c " muni$m\$")
done
say "setup done in $((($(now_ms) - setup_started) / 1000)) s"

# ---- Daemons ---------------------------------------------------------------------------------------
start_node() {
  "$COOP" node run --dir "$dir/$1" --listen "127.0.0.1:${PORT[$1]}" 2>>"$dir/$1.log" &
  PID[$1]=$!
}
listening() { grep -q "listening on" "$dir/$1.log" 2>/dev/null; }
# wait_until SECONDS COMMAND...: polls every 0.2 s.
wait_until() {
  local deadline=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    [ "$(now_ms)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}
all_listening() { local n; for n in "${NAMES[@]}"; do listening "$n" || return 1; done; }
for name in "${NAMES[@]}"; do start_node "$name"; done
wait_until 60 all_listening || die "not every daemon listens"
say "$nodes daemons listening"

# Who holds which log at what size, read from the nodes' stores directly
# (read-only, one query per log): `coop logs -O json` costs a process and
# ~0.25 s per node on a loaded machine, so polling 40 coops with it made the
# poll, not the network, the slowest part of the measurement.
cat >"$dir/holds.py" <<'PY'
import sqlite3, sys, time
SQL = ("SELECT coalesce(max(e.idx) + 1, 0) FROM entries e JOIN logs l USING (log_no) "
       "WHERE l.log_id = ?")
def size(db, log_id):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return con.execute(SQL, (bytes.fromhex(log_id),)).fetchone()[0]
    finally:
        con.close()
if sys.argv[1] == "size":            # size DB LOG_ID
    print(size(sys.argv[2], sys.argv[3]))
    sys.exit(0)
if sys.argv[1] == "bytes":           # bytes, stdin "NAME DB LOG_ID": the log's stored bytes
    for name, db, log_id in (line.split() for line in sys.stdin if line.strip()):
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
        n = con.execute("SELECT coalesce(sum(length(header) + coalesce(length(payload), 0)), 0) "
                        "FROM entries e JOIN logs l USING (log_no) WHERE l.log_id = ?",
                        (bytes.fromhex(log_id),)).fetchone()[0]
        con.close()
        print(name, n)
    sys.exit(0)
# wait SECONDS, stdin "LABEL DB LOG_ID MIN_SIZE": prints "LABEL EPOCH_MS" as
# each DB holds LOG_ID at MIN_SIZE or more (every 50 ms); 1 on time-out.
# MIN_SIZE "@OTHER_DB": the size OTHER_DB holds of LOG_ID when this starts
# (its author's own size), read here so that no poll waits for a process.
deadline = time.time() + float(sys.argv[2])
waiting = [line.split() for line in sys.stdin if line.strip()]
waiting = [(label, db, log_id, size(need[1:], log_id) if need.startswith("@") else need)
           for label, db, log_id, need in waiting]
while waiting:
    left = []
    for label, db, log_id, need in waiting:
        if size(db, log_id) >= int(need):
            print(label, int(time.time() * 1000), flush=True)
        else:
            left.append((label, db, log_id, need))
    waiting = left
    if waiting and time.time() > deadline:
        print("not reached:", " ".join(w[0] for w in waiting), file=sys.stderr)
        sys.exit(1)
    if waiting:
        time.sleep(0.05)
PY
holds() { py "$dir/holds.py" "$@"; }
# Every municipality holds all its coops' logs at their size: the network
# has converged on the setup (members) before the first month.
for c in $(seq 0 $((coops - 1))); do
  for which in 0 1; do
    m=$(muni_of "$c" "$which")
    echo "$m/coop$c $dir/$m/coop.db ${KEY[coop$c]} @$dir/coop$c/coop.db"
  done
done >"$dir/converge.wait"
converge_started=$(now_ms)
if holds wait "$month_timeout" <"$dir/converge.wait" >/dev/null; then
  say "converged on the setup in $((($(now_ms) - converge_started) / 1000)) s"
else
  fail "converge" "not every municipality holds its coops' logs after $month_timeout s"
fi

# ---- Measurement helpers -------------------------------------------------------------------------
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# snapshot FILE: "NAME CPU_TICKS BYTES_SENT" per node; FILE.log: "NAME
# OWN_LOG_BYTES" (headers and payloads of its own log as stored).
snapshot() {
  local name
  for name in "${NAMES[@]}"; do echo "$name $dir/$name/coop.db ${KEY[$name]}"; done |
    holds bytes >"$1.log"
  if [ $have_ss = 1 ]; then
    ss -tinpH state established 2>/dev/null | awk '
      /users:\(\(/ { match($0, /pid=[0-9]+/); pid = substr($0, RSTART + 4, RLENGTH - 4); next }
      pid != "" && /bytes_sent:/ { match($0, /bytes_sent:[0-9]+/); sent[pid] += substr($0, RSTART + 11, RLENGTH - 11); pid = "" }
      END { for (p in sent) print p, sent[p] }' >"$1.ss"
  else
    : >"$1.ss"
  fi
  for name in "${NAMES[@]}"; do
    echo "$name $(cpu_ticks "${PID[$name]}") $(awk -v p="${PID[$name]}" '$1 == p { print $2 }' "$1.ss" | head -1)"
  done >"$1"
}
log_lines() { wc -l <"$dir/$1.log"; }
# judged_count MUNI FROM_LINE: statements judged in audit lines after FROM_LINE.
judged_count() {
  tail -n +"$(($2 + 1))" "$dir/$1.log" |
    sed -n 's/.*audit: \([0-9]*\) statements acknowledged, \([0-9]*\) disputed.*/\1 \2/p' |
    awk '{ n += $1 + $2 } END { print n + 0 }'
}
declare -A FROM=()
all_judged() {
  local m
  for m in $(seq 0 $((munis - 1))); do
    [ "$(judged_count "muni$m" "${FROM[muni$m]}")" -ge "${residents[muni$m]}" ] || return 1
  done
}
# Records for one coop and month: revenue and a cost for each member,
# through `coop import` (one append batch, as a coop's bookkeeper would).
records_one() { # "INDEX PERIOD"
  local c=${1%% *} period=${1#* } i=0 id m
  {
    echo 'type,member,amount,date,ref'
    while read -r id m; do
      echo "revenue,$id,$((400 + (i * 37 + c * 11) % 900)).00,$period-10,inv-$period-$id"
      echo "cost,$id,$((20 + (i * 13) % 90)).50,$period-12,bill-$period-$id"
      i=$((i + 1))
    done <"$dir/coop$c/members.list"
  } >"$dir/coop$c/$period.csv"
  coop import "$dir/coop$c/$period.csv" --dir "$dir/coop$c" >/dev/null
}
close_one() { # "INDEX PERIOD": closes, prints "INDEX END_MS"
  local c=${1%% *} period=${1#* } t
  coop period close "$period" --dir "$dir/coop$c" >"$dir/coop$c/close-$period.out" 2>&1 || return 1
  t=${EPOCHREALTIME/[.,]/}
  echo "$c $((t / 1000))"
}
export -f close_one records_one

# check_month PERIOD: what the log lines and sizes said, read back as the
# officers would: each municipality's report has one acknowledged row per
# resident, and at each coop the first member of each municipality sees
# her statement acknowledged.
check_month() {
  local period=$1 m c id bad=""
  for m in $(seq 0 $((munis - 1))); do
    coop audit report -p "$period" --dir "$dir/muni$m" -O json 2>&1 | py -c '
import json, sys
rows = json.load(sys.stdin)
acknowledged = sum(1 for r in rows if r["status"] == "acknowledged")
sys.exit(0 if len(rows) == acknowledged == int(sys.argv[1]) else
         "%d rows, %d acknowledged, %s residents" % (len(rows), acknowledged, sys.argv[1]))' \
      "${residents[muni$m]}" 2>"$dir/check.err" || bad="$bad muni$m: $(head -c 200 "$dir/check.err")"
  done
  [ -z "$bad" ] && ok "report/$period: each municipality's report has one row per resident, all acknowledged" ||
    fail "report/$period" "$bad"
  bad=""
  for c in $(seq 0 $((coops - 1))); do
    for m in $(muni_of "$c" 0) $(muni_of "$c" 1); do
      id=$(awk -v m="$m" '$2 == m { print $1; exit }' "$dir/coop$c/members.list")
      coop statement --member "$id" -p "$period" --dir "$dir/coop$c" -O json 2>&1 |
        py -c 'import json, sys; s = json.load(sys.stdin)["verdict"]["status"]; sys.exit(0 if s == "acknowledged" else s)' \
        2>"$dir/check.err" || bad="$bad coop$c/$id: $(head -c 100 "$dir/check.err")"
    done
  done
  [ -z "$bad" ] && ok "coop-verdicts/$period: at every coop a resident of each municipality sees her statement acknowledged" ||
    fail "coop-verdicts/$period" "$bad"
}

# restart_relay: the killed relay back, --kill-seconds after it was killed.
restart_relay() {
  local restart_line
  while [ $(($(now_ms) - killed_at)) -lt $((kill_seconds * 1000)) ]; do sleep 0.2; done
  restart_line=$(log_lines "$relay")
  start_node "$relay"
  restarted_at=$(now_ms)
  relay_down=0
  wait_until 30 eval "tail -n +$((restart_line + 1)) '$dir/$relay.log' | grep -q 'listening on'" ||
    fail "restart" "$relay does not listen again"
  say "restarted $relay after $(((restarted_at - killed_at) / 1000)) s"
}

kill_month=$(((months + 1) / 2))
relay=partner1
: >"$dir/results.months"
for k in $(seq 1 "$months"); do
  period=2026-$(printf %02d "$k")
  say "month $period: records"
  snapshot "$dir/before-$period"
  month_started=$(now_ms)
  relay_down=0
  if [ "$kill_relay" != 0 ] && [ "$k" = "$kill_month" ]; then
    half=$((coops / 2))
    args=()
    for c in $(seq 0 $((half - 1))); do args+=("$c $period"); done
    parallel records_one "${args[@]}" || fail "records" "$period: coop import failed"
    kill -KILL "${PID[$relay]}"
    wait "${PID[$relay]}" 2>/dev/null
    killed_at=$(now_ms)
    relay_down=1
    echo "$relay" >"$dir/killed-$period"
    say "killed $relay (SIGKILL)"
    args=()
    for c in $(seq "$half" $((coops - 1))); do args+=("$c $period"); done
    parallel records_one "${args[@]}" || fail "records" "$period"
    [ "$kill_relay" = 1 ] && restart_relay
  else
    args=()
    for c in $(seq 0 $((coops - 1))); do args+=("$c $period"); done
    parallel records_one "${args[@]}" || fail "records" "$period: coop import failed"
  fi
  for m in $(seq 0 $((munis - 1))); do FROM[muni$m]=$(log_lines "muni$m"); done
  say "month $period: closes"
  args=()
  for c in $(seq 0 $((coops - 1))); do args+=("$c $period"); done
  closes_started=$(now_ms)
  parallel close_one "${args[@]}" >"$dir/closes-$period" || fail "close" "$period: a close failed"
  last_close=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$dir/closes-$period")
  [ "$relay_down" = 1 ] && restart_relay
  if wait_until "$month_timeout" all_judged; then
    judged_at=$(now_ms)
  else
    judged_at=""
    fail "judged/$period" "not every statement judged within $month_timeout s"
  fi
  # Acknowledged everywhere: each coop holds its municipalities' logs at
  # the size they had once they had judged the month.
  for c in $(seq 0 $((coops - 1))); do
    for m in $(muni_of "$c" 0) $(muni_of "$c" 1); do
      echo "coop$c $dir/coop$c/coop.db ${KEY[$m]} @$dir/$m/coop.db"
    done
  done >"$dir/acked-$period.wait"
  if holds wait "$month_timeout" <"$dir/acked-$period.wait" >"$dir/acked-$period"; then
    acked_at=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$dir/acked-$period")
  else
    acked_at=""
    fail "acknowledged/$period" "not every coop holds its municipalities' verdicts within $month_timeout s"
  fi
  snapshot "$dir/after-$period"
  check_month "$period"
  # The audit lines of the month, as "MUNI EPOCH_MS COUNT DISPUTED".
  for m in $(seq 0 $((munis - 1))); do
    tail -n +"$((FROM[muni$m] + 1))" "$dir/muni$m.log" |
      sed -n "s/^\([0-9T:.-]*\)Z .*audit: \([0-9]*\) statements acknowledged, \([0-9]*\) disputed.*/muni$m \1 \2 \3/p"
  done >"$dir/audit-$period"
  echo "$period $month_started $closes_started $last_close ${judged_at:-0} ${acked_at:-0} ${killed_at:-0} ${restarted_at:-0}" \
    >>"$dir/results.months"
  killed_at="" restarted_at=""
done

# ---- The end: peak RSS, CPU, a clean stop ---------------------------------------------------------
for name in "${NAMES[@]}"; do
  echo "$name ${ROLE[$name]} $(awk '/^VmHWM/ { print $2 }' "/proc/${PID[$name]}/status" 2>/dev/null || echo 0) $(cpu_ticks "${PID[$name]}")"
done >"$dir/results.nodes"
bad=""
for name in "${NAMES[@]}"; do kill -TERM "${PID[$name]}" 2>/dev/null; done
for name in "${NAMES[@]}"; do
  wait "${PID[$name]}"
  status=$?
  [ "$status" = 0 ] || bad="$bad $name(exit $status)"
done
PID=()
if [ -z "$bad" ]; then ok "daemons/stop: all $nodes daemons exit 0 on SIGTERM"; else fail "daemons/stop" "$bad"; fi
disputed=$(cat "$dir"/audit-* | awk '{ n += $4 } END { print n + 0 }')
[ "$disputed" = 0 ] && ok "verdicts: no statement disputed" || fail "verdicts" "$disputed statements disputed"

# ---- Results --------------------------------------------------------------------------------------
py - "$dir" "$coops" "$members" "$munis" "$partners" "$(getconf CLK_TCK)" "$(getconf PAGESIZE)" <<'PY'
import os, sys, datetime
d, coops, members, munis, partners, hz = sys.argv[1], *map(int, sys.argv[2:7])
def ms(stamp):
    t = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp() * 1000)
def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, -(-len(v) * p // 100) - 1))] if v else float("nan")
def snap(path):
    out = {}
    for line in open(path):
        f = line.split()
        out[f[0]] = (int(f[1]), int(f[2]) if len(f) > 2 else None)
    return out
roles = {}
for line in open(os.path.join(d, "results.nodes")):
    name, role, hwm, ticks = line.split()
    roles.setdefault(role, []).append((name, int(hwm), int(ticks)))
print()
# Each statement's latency: from its coop's close to the audit line that
# judged it.  An audit line gives a count, not the coops: within one
# municipality the statements are attributed in the order the coops closed
# (each audit takes whatever arrived, and the closes arrive in that order).
residents = {}
for line in open(os.path.join(d, "coops.list")):
    c = line.split()[0]
    for member in open(os.path.join(d, "coop%s" % c, "members.list")):
        m = member.split()[1]
        residents[(c, m)] = residents.get((c, m), 0) + 1
print("| month | closes (s) | own close → judged, per statement: p50 / p99 / max (s) | last close → every municipality judged all (s) | last close → verdicts at every coop (s) | relay killed |")
print("|---|---:|---:|---:|---:|---|")
month_rows = []
for line in open(os.path.join(d, "results.months")):
    period, started, closes_started, last_close, judged, acked, killed, restarted = line.split()
    started, closes_started, last_close, judged, acked, killed, restarted = map(int, (started, closes_started, last_close, judged, acked, killed, restarted))
    closed = {c: int(t) for c, t in (l.split() for l in open(os.path.join(d, "closes-" + period)))}
    judged_at = {}
    for a in open(os.path.join(d, "audit-" + period)):
        m, stamp, n, disputed = a.split()
        judged_at.setdefault(m, []).extend([ms(stamp)] * (int(n) + int(disputed)))
    lat = []
    for m, times in judged_at.items():
        order = sorted((closed[c], k) for (c, mm), k in residents.items() if mm == m)
        closes = [t for t, k in order for _ in range(k)]
        lat += [(j - c) / 1000 for j, c in zip(sorted(times), closes)]
    last_judged = max(max(t) for t in judged_at.values()) if judged_at else 0
    kill = "no"
    if killed:
        kill = "SIGKILL %.1f s before the last close, restarted %.1f s later (%.1f s %s the last close)" % (
            (last_close - killed) / 1000, (restarted - killed) / 1000, abs(restarted - last_close) / 1000,
            "after" if restarted > last_close else "before")
    print("| %s | %.1f | %.2f / %.2f / %.2f | %.2f | %s | %s |" % (
        period, (last_close - closes_started) / 1000, pct(lat, 50), pct(lat, 99), max(lat) if lat else float("nan"),
        (last_judged - last_close) / 1000, "%.2f" % ((acked - last_close) / 1000) if acked else "not reached", kill))
    before, after = snap(os.path.join(d, "before-" + period)), snap(os.path.join(d, "after-" + period))
    month_rows.append((period, before, after))
print()
print("| per node and month | role | n | mean | max |")
print("|---|---|---:|---:|---:|")
def log_bytes(path):
    return {name: int(n) for name, n in (line.split() for line in open(path))}
for period, before, after in month_rows:
    log_before = log_bytes(os.path.join(d, "before-%s.log" % period))
    log_after = log_bytes(os.path.join(d, "after-%s.log" % period))
    for role in ("coop", "municipality", "partner"):
        # The killed relay's restarted process has counters of its own.
        killed = os.path.join(d, "killed-" + period)
        skip = open(killed).read().split() if os.path.exists(killed) else []
        names = [n for n, _, _ in roles.get(role, []) if n not in skip]
        cpu = [(after[n][0] - before[n][0]) / hz for n in names]
        sent = [(after[n][1] or 0) - (before[n][1] or 0) for n in names if after[n][1] is not None]
        print("| %s CPU (s) | %s | %d | %.2f | %.2f |" % (period, role, len(cpu), sum(cpu) / len(cpu), max(cpu)))
        if sent:
            print("| %s bytes sent (KiB) | %s | %d | %.1f | %.1f |" % (period, role, len(sent), sum(sent) / len(sent) / 1024, max(sent) / 1024))
        grew = [(log_after[n] - log_before[n]) / 1024 for n in names]
        print("| %s own log growth (KiB) | %s | %d | %.1f | %.1f |" % (period, role, len(grew), sum(grew) / len(grew), max(grew)))
print()
print("| whole run, per node | role | n | mean | max |")
print("|---|---|---:|---:|---:|")
for role in ("coop", "municipality", "partner"):
    rows = roles.get(role, [])
    hwm = [r[1] / 1024 for r in rows]
    cpu = [r[2] / hz for r in rows]
    print("| peak RSS (VmHWM, MiB) | %s | %d | %.1f | %.1f |" % (role, len(rows), sum(hwm) / len(hwm), max(hwm)))
    print("| CPU since start (s) | %s | %d | %.2f | %.2f |" % (role, len(rows), sum(cpu) / len(cpu), max(cpu)))
PY
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench-network: $passed passed, $failed failed"
[ "$failed" = 0 ]
