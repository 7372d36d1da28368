#!/usr/bin/env bash
# The audit loop end to end, with real `coop node run` daemons on 127.0.0.1.
#
#   tests/audit/loop.sh COOP_BIN
#
# 1. acknowledge: municipality Breda, coop Breda Werkt and a relaying partner
#    (the coop and Breda only reach the partner); March 2026 is closed and
#    every statement comes back acknowledged, with the expected figures in
#    Breda's audit report and no open disputes at the coop
# 2. dispute: a coop that closes March with a stale rule set (Tilburg
#    published a new norm from 2026-03 while the coop was not syncing) gets
#    its statement disputed as rule-set-not-in-force, with both figures
# 3. missing: a member who left (from 2026-03) with March revenue gets no
#    statement, and the municipality's report says "missing"
# 4. member light node: Anna's own node, enrolled with --member-key, synced
#    with the coop, sees her own month (acknowledged) and nobody else's
# 5. receipts: exported on Anna's node and on the coop node, verified
#    offline; every single-byte change of Anna's receipt is refused (every
#    byte; a stride of bytes when the binary's path contains "asan")
# 6. witnesses: partner and municipality cosign the coop's checkpoints; a
#    coop home cloned with its key signs two histories, one seen by a
#    partner (who cosigns it), the other by a municipality, which finds the
#    fork through the partner's cosignature: `coop forks` and its daemon log
# ... and every daemon stops cleanly (exit 0) on SIGTERM.
#
# Each check prints "ok   NAME" or "FAIL NAME: why"; then exactly one line "audit-loop: N passed, M failed"; the exit
# status is 1 on any failure.  COOP_NOW_MS is fixed at 2026-04-02 so March
# 2026 can be closed.  Waits are polls with deadlines, generous because the
# binary may be built with ASan on a busy machine.  Everything happens in a
# temporary directory, removed at the end (COOP_AUDIT_KEEP=1 keeps it).
# COOP_AUDIT_FLIP_STRIDE=N overrides the byte stride of the receipt check;
# COOP_AUDIT_TIMES=1 adds the time since the start to each check.
set -u
COOP=${1:?usage: loop.sh COOP_BIN}
COOP=$(realpath "$COOP")
unset COOP_HOME
export LC_ALL=C
export COOP_NOW_MS=1775131200000 # 2026-04-02T12:00:00Z

work=$(mktemp -d "${TMPDIR:-/tmp}/coop-audit-loop.XXXXXX") || exit 1
declare -A PID=() KEY=() PORT=() ROLE=()
flip_pid=""
passed=0 failed=0

cleanup() {
  local pid alive
  [ -n "$flip_pid" ] && kill -TERM "$flip_pid" 2>/dev/null
  for pid in "${PID[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 50); do
    alive=0
    for pid in "${PID[@]}" $flip_pid; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${PID[@]}" $flip_pid; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [ "${COOP_AUDIT_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Milliseconds of wall clock, without a fork, into $NOW.
clock() {
  local t=${EPOCHREALTIME/[.,]/}
  NOW=$((t / 1000))
}
clock
script_started=$NOW
# COOP_AUDIT_TIMES=1 adds each check's time since the start.
at() {
  [ "${COOP_AUDIT_TIMES:-0}" = 1 ] || return 0
  clock
  printf ' [%d.%d s]' $(((NOW - script_started) / 1000)) $(((NOW - script_started) % 1000 / 100))
}
ok() { echo "ok   $1$(at)"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2$(at)"; failed=$((failed + 1)); }
note() { echo "     $*"; }
group() { echo "-- $*$(at)"; }

# wait_until SECONDS COMMAND...: polls until COMMAND succeeds.  No wait
# goes past 12 minutes after the start, so that even a badly broken build
# ends with its summary line before meson's 15-minute timeout.
wait_until() {
  local limit=$1 deadline
  shift
  clock
  deadline=$((NOW + limit * 1000))
  [ "$deadline" -gt $((script_started + 720000)) ] && deadline=$((script_started + 720000))
  while :; do
    "$@" && return 0
    clock
    [ "$NOW" -ge "$deadline" ] && return 1
    sleep 0.1
  done
}

# The binary itself (not a function) wherever $! must be its pid.
coop() { "$COOP" "$@"; }

# step COMMAND...: a setup command that must succeed; a failure is a FAIL
# naming the command and its error, and the step's status is returned.
step() {
  local out
  if out=$("$@" 2>&1); then return 0; fi
  fail "setup" "'${*#"$COOP" }' failed: $(tail -n 3 <<<"$out" | tr '\n' ' ' | cut -c1-300)"
  return 1
}

# Python for JSON, without the start-up cost of version-manager shims and
# site-packages (only the standard library is used).
PYTHON=$(python3 -S -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -x "$PYTHON" ] || PYTHON=python3
py() { "$PYTHON" -S "$@"; }

# pycheck FILE CODE [ARG...]: runs Python CODE with d = the JSON in FILE and
# args = ARG...; assertion messages are printed, exit 1 when one fails.
cat >"$work/check.py" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("not JSON (%s): %.200r" % (e, open(sys.argv[1], errors="replace").read()))
    sys.exit(1)
args = sys.argv[3:]
try:
    exec(sys.argv[2])
except AssertionError as e:
    print(str(e) or "assertion failed")
    sys.exit(1)
except Exception as e:
    print("%s: %s in %.300r" % (type(e).__name__, e, d))
    sys.exit(1)
PY
pycheck() { py "$work/check.py" "$@"; }
# jget FILE EXPR: prints a Python expression of d (the JSON in FILE).
jget() { py -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }

# ---- Nodes -------------------------------------------------------------------------------------

# Free loopback ports for every daemon, bound at once so none repeats, and
# below the kernel's range for outgoing connections (32768 and up), so no
# client socket can take one before its daemon listens.
port_names=(breda coop partner tilburg muni3 partner3 web2)
read -r -a ports < <(py "$(dirname "$0")/../../scripts/free-ports.py" "${#port_names[@]}")
for i in "${!port_names[@]}"; do PORT[${port_names[$i]}]=${ports[$i]:-0}; done

# init_node NAME ROLE DISPLAY: a node home $work/NAME; its key into KEY[NAME].
init_node() {
  KEY[$1]="" ROLE[$1]=$2
  step coop init --dir "$work/$1" --role "$2" --name "$3" || return 1
  KEY[$1]=$(coop id --dir "$work/$1" -O json | py -c 'import json,sys; print(json.load(sys.stdin)["public_key"])')
}
# peer NODE OTHER [NAME]: OTHER in NODE's node.conf, dialled at its port.
peer() {
  step coop peer add --dir "$work/$1" --key "${KEY[$2]}" --addr "127.0.0.1:${PORT[$2]}" \
    --role "${ROLE[$2]}" --name "${3:-$2}"
}
# peer_inbound NODE OTHER [NAME]: OTHER allowed to connect, never dialled.
peer_inbound() {
  step coop peer add --dir "$work/$1" --key "${KEY[$2]}" --role "${ROLE[$2]}" --name "${3:-$2}"
}
# start_node NAME: its daemon, logging to $work/NAME.log; waits until it listens.
start_node() {
  touch "$work/$1.log"
  "$COOP" node run --dir "$work/$1" --listen "127.0.0.1:${PORT[$1]}" 2>>"$work/$1.log" &
  PID[$1]=$!
  if ! wait_until 30 grep -q "listening on" "$work/$1.log"; then
    fail "setup" "daemon $1 did not start: $(tail -n 3 "$work/$1.log" | tr '\n' ' ')"
    return 1
  fi
}
# stop_node NAME: SIGTERM; its exit status into $STATUS (124: hung).
stop_node() {
  local pid=${PID[$1]}
  kill -TERM "$pid" 2>/dev/null
  if ! wait_until 30 eval "! kill -0 $pid 2>/dev/null"; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    STATUS=124
  else
    wait "$pid"
    STATUS=$?
  fi
  unset "PID[$1]"
}

# has_rules NODE MUNI MONTH: NODE holds MUNI's rule set effective MONTH.
has_rules() {
  coop rules list --log "${KEY[$2]}" --dir "$work/$1" 2>/dev/null | grep -q -- " $3 "
}
# statement NODE MEMBER OUT: the member's March statement as JSON into OUT.
statement() {
  coop statement --member "$2" -p 2026-03 --dir "$work/$1" -O json >"$3" 2>"$3.err"
}
verdict_of() { jget "$1" 'd["verdict"]["status"]'; }

# rule_set FILE CHANGES: docs/examples/breda-2026.json with CHANGES (JSON) applied.
src=$(cd "$(dirname "$0")/../.." && pwd)
rule_set() {
  py - "$src/docs/examples/breda-2026.json" "$1" "$2" <<'PY'
import json, sys
rules = json.load(open(sys.argv[1]))
rules.update(json.loads(sys.argv[3]))
json.dump(rules, open(sys.argv[2], "w"), indent=2)
PY
}
NORM_A=$(jget "$src/docs/examples/breda-2026.json" 'd["norm"]')
NORM_B=150000

if ! coop --help >/dev/null 2>&1; then
  fail "setup" "'$COOP --help' does not run"
  echo "audit-loop: $passed passed, $failed failed"
  exit 1
fi

# =================================================================================================
# 1. Acknowledgements through a relaying partner (and 4, 5, 6a on the same nodes).
# =================================================================================================
group "1. acknowledge: Breda, Breda Werkt and a partner that relays"
init_node breda municipality "Gemeente Breda"
init_node coop coop "Breda Werkt"
init_node partner partner "Werkplaats Partner"
init_node anna member "Anna"
# The coop and Breda only dial the partner; the partner knows both.  A node
# keeps only the logs of the authors it names, so the coop names Breda and
# Breda the coop, without an address: they meet through the partner.
peer coop partner
peer breda partner
peer partner coop
peer partner breda
peer_inbound coop breda
peer_inbound breda coop
step coop rules publish "$src/docs/examples/breda-2026.json" --dir "$work/breda"
start_node breda
start_node coop
start_node partner
wait_until 45 has_rules coop breda 2026-01 ||
  fail "setup" "Breda's rule set did not reach the coop through the partner"

# Anna's own node: she dials the coop; the coop accepts her without an address.
peer anna coop
peer_inbound anna breda # her municipality's log (rules, verdicts), through the coop
peer_inbound coop anna
kill -HUP "${PID[coop]}"
wait_until 30 grep -q "SIGHUP" "$work/coop.log" || fail "setup" "the coop daemon did not reload on SIGHUP"

anna=$(coop member add --dir "$work/coop" --name Anna --municipality "${KEY[breda]}" \
  --client-ref BR-1001 --birth 1990-05 --member-key "${KEY[anna]}" 2>"$work/err") ||
  fail "setup" "member add Anna: $(cat "$work/err")"
bram=$(coop member add --dir "$work/coop" --name Bram --municipality "${KEY[breda]}" \
  --client-ref BR-1002 --birth 1985-09 2>"$work/err") || fail "setup" "member add Bram: $(cat "$work/err")"
cem=$(coop member add --dir "$work/coop" --name Cem --municipality "${KEY[breda]}" \
  --client-ref BR-1003 --birth 2001-02 2>"$work/err") || fail "setup" "member add Cem: $(cat "$work/err")"
step coop member set "$anna" --n-approved yes --from 2026-01 --dir "$work/coop"
step coop member set "$bram" --medical-limit yes --from 2026-01 --dir "$work/coop"
record() { step coop record "$@" --dir "$work/coop"; }
record opening --amount 5000 --date 2026-03-01 --ref opening-2026
record revenue --member "$anna" --amount 800 --date 2026-03-10 --ref inv-031
record cost --member "$anna" --amount 200 --date 2026-03-12 --ref bill-007
record revenue --member "$bram" --amount 600 --date 2026-03-14 --ref inv-032
record cost --member "$bram" --amount 100 --date 2026-03-15 --ref bill-008
record allowance --member "$bram" --amount 250 --date 2026-03-28 --ref vol-03
record revenue --member "$cem" --amount 150 --date 2026-03-20 --ref inv-033
record cost --member "$cem" --amount 400 --date 2026-03-21 --ref bill-009
record allowance --member "$cem" --amount 100 --date 2026-03-28 --ref vol-04
step coop period close 2026-03 --dir "$work/coop"

# Every statement comes back acknowledged at the coop.
all_acknowledged() {
  local m
  for m in "$anna" "$bram" "$cem"; do
    statement coop "$m" "$work/st-$m.json" || return 1
    [ "$(verdict_of "$work/st-$m.json")" = acknowledged ] || return 1
  done
}
if wait_until 60 all_acknowledged; then
  ok "ack/coop-statements: Anna's, Bram's and Cem's March statements acknowledged at the coop"
else
  why=""
  for m in "$anna" "$bram" "$cem"; do
    why="$why $m=$(verdict_of "$work/st-$m.json" || head -c 200 "$work/st-$m.json.err")"
  done
  fail "ack/coop-statements" "not all acknowledged within 60 s:$why; breda: $(grep -h 'audit:' "$work/breda.log" | tail -n 2 | tr '\n' ' ')"
fi

# Breda's report: one row per resident, acknowledged, with the figures of the
# statements, the expected amounts, and benefit = norm - offset.
coop audit report -p 2026-03 --dir "$work/breda" -O json >"$work/report-breda.json" 2>&1
if why=$(pycheck "$work/report-breda.json" '
members = dict(zip(args[0:3], ["Anna", "Bram", "Cem"]))
expect = {"Anna": ("BR-1001", 40500, 40500), "Bram": ("BR-1002", 41250, 38250),
          "Cem": ("BR-1003", 10000, 0)}
assert isinstance(d, list) and len(d) == 3, "expected 3 rows, got %r" % d
assert sorted(r["member"] for r in d) == sorted(members), "members %r" % [r["member"] for r in d]
for r in d:
    name = members[r["member"]]
    ref, counted, due = expect[name]
    st = json.load(open("%s/st-%s.json" % (args[3], r["member"])))
    assert r["status"] == "acknowledged", "%s: status %s" % (name, r["status"])
    assert r["name"] == name and r["client_ref"] == ref, "%s: name/ref %s %s" % (name, r["name"], r["client_ref"])
    assert r["coop_log"] == args[4], "%s: coop_log %s" % (name, r["coop_log"])
    assert r["to_municipality"] == due, "%s: to_municipality %s, expected %s" % (name, r["to_municipality"], due)
    assert r["counted_income"] == counted, "%s: counted_income %s, expected %s" % (name, r["counted_income"], counted)
    assert r["benefit"] == int(args[5]) - r["offset"], "%s: benefit %s offset %s" % (name, r["benefit"], r["offset"])
    assert r["statement_index"] == st["entry_index"], "%s: statement_index %s vs coop entry %s" % (name, r["statement_index"], st["entry_index"])
    for k in ("counted_income", "offset", "benefit", "to_municipality"):
        assert r[k] == st["statement"][k], "%s: %s %s in report, %s in coop statement" % (name, k, r[k], st["statement"][k])
' "$anna" "$bram" "$cem" "$work" "${KEY[coop]}" "$NORM_A"); then
  ok "ack/audit-report: Breda's report lists Anna 405.00, Bram 382.50, Cem 0.00 to the municipality, all acknowledged"
else
  fail "ack/audit-report" "$why"
fi

# Breda reads its residents' statements on its own node, the same as the
# coop's to the byte.  (Was refused: "only a coop node keeps books".)
same=""
for member in "$anna" "$bram"; do
  coop statement --member "$member" -p 2026-03 --dir "$work/breda" -O json >"$work/st-breda.json" 2>&1 ||
    same="$same $member: $(head -c 200 "$work/st-breda.json");"
  cmp -s "$work/st-breda.json" "$work/st-$member.json" || same="$same $member differs;"
done
if [ -z "$same" ]; then
  ok "ack/municipality-statement: Breda reads Anna's and Bram's statements on its own node, equal to the coop's"
else
  fail "ack/municipality-statement" "$same"
fi

coop disputes --dir "$work/coop" -O json >"$work/disputes-coop.json" 2>&1
disputes_status=$?
coop disputes --dir "$work/coop" >"$work/disputes-coop.txt" 2>&1
if [ $disputes_status = 0 ] && [ "$(jget "$work/disputes-coop.json" 'len(d)')" = 0 ] &&
  grep -q "no open disputes" "$work/disputes-coop.txt"; then
  ok "ack/no-disputes: 'coop disputes' on the coop: no open disputes"
else
  fail "ack/no-disputes" "exit $disputes_status: $(head -c 300 "$work/disputes-coop.json") / $(head -c 200 "$work/disputes-coop.txt")"
fi

# ---- 6a. Witnesses: the partner and Breda cosign the coop's latest checkpoint -------------------

# cosigned READER WITNESS COOP: "size root" of the latest cosignature of the
# checkpoint of node COOP's log in WITNESS's log, as node READER lists it (its own log, or
# 'coop log --log WITNESS' of a log it holds).  Payload (docs/log-format.md):
# version (1) | checkpoint (146: version u16, log_id 32, size u64 LE,
# root 32, timestamp u64, signature 64) | witness signature (64).
cosigned() {
  local which=()
  [ "$1" = "$2" ] || which=(--log "${KEY[$2]}")
  coop log "${which[@]}" -O json --dir "$work/$1" 2>/dev/null | py -c '
import json, sys
best = None
for e in json.load(sys.stdin):
    if e["kind"] != "cosignature" or not e["readable"]:
        continue
    p = bytes.fromhex(e["payload"]["hex"])
    if len(p) != 211 or p[0] != 1 or p[3:35].hex() != sys.argv[1]:
        continue
    size = int.from_bytes(p[35:43], "little")
    if best is None or size > best[0]:
        best = (size, p[43:75].hex())
print(*best) if best else print("none")' "${KEY[$3]}"
}
checkpoint_of() { jget <(coop checkpoint -O json --dir "$work/$1") '"%s %s" % (d["size"], d["root"])'; }
coop_head=$(checkpoint_of coop)
for witness in partner breda; do
  if wait_until 45 eval "[ \"\$(cosigned $witness $witness coop)\" = \"\$coop_head\" ]"; then
    ok "witness/cosign-$witness: the $witness's log cosigns the coop's latest checkpoint (size ${coop_head%% *})"
  else
    fail "witness/cosign-$witness" "latest cosignature of the coop log: '$(cosigned $witness $witness coop)', coop checkpoint '$coop_head'"
  fi
done
# The cosignatures travel: the coop holds the partner's log and, through the
# partner, Breda's ('coop log --log KEY').
for witness in partner breda; do
  if wait_until 45 eval "[ \"\$(cosigned coop $witness coop)\" = \"\$coop_head\" ]"; then
    ok "witness/seen-at-coop-$witness: 'coop log --log ${witness^^}_KEY' on the coop shows that cosignature"
  else
    fail "witness/seen-at-coop-$witness" "the coop's copy of the $witness log: latest cosignature '$(cosigned coop $witness coop)', coop checkpoint '$coop_head'"
  fi
done

# =================================================================================================
# 4. Anna's own node
# =================================================================================================
group "4. member light node"
anna_synced() {
  coop sync --dir "$work/anna" --quiet --timeout 30 >"$work/anna-sync.out" 2>&1 &&
    coop member view --dir "$work/anna" -O json >"$work/view-anna.json" 2>&1 &&
    grep -q '"acknowledged"' "$work/view-anna.json"
}
if wait_until 60 anna_synced; then
  ok "member/sync: 'coop sync' on Anna's node (the coop accepts her, no address, after SIGHUP)"
else
  fail "member/sync" "$(head -c 300 "$work/anna-sync.out") / $(head -c 200 "$work/view-anna.json" 2>/dev/null)"
fi
if why=$(pycheck "$work/view-anna.json" '
assert isinstance(d, list) and len(d) == 1, "expected exactly one month, got %r" % d
m = d[0]
want = {"member": args[0], "name": "Anna", "coop": "Breda Werkt", "period": "2026-03",
        "earned": 80000, "costs": 20000, "verdict": "acknowledged", "to_municipality": 40500,
        "offset": 40500, "benefit": 99650}
for k, v in want.items():
    assert m.get(k) == v, "%s: %r, expected %r" % (k, m.get(k), v)
' "$anna"); then
  ok "member/view: Anna's node shows exactly her March 2026 (earned 800, costs 200, 405 to Breda), acknowledged"
else
  fail "member/view" "$why"
fi
# Anna reads her own statement on her own node (no --member needed).  (Was
# refused: "this is a member node".)
coop statement -p 2026-03 --dir "$work/anna" -O json >"$work/st-anna-own.json" 2>&1
if cmp -s "$work/st-anna-own.json" "$work/st-$anna.json"; then
  ok "member/statement: Anna reads her own March statement on her node, equal to the coop's"
else
  fail "member/statement" "$(head -c 300 "$work/st-anna-own.json")"
fi
leaks=""
for other in "$bram" "$cem"; do
  coop member view "$other" --dir "$work/anna" >"$work/view-other.out" 2>&1 &&
    leaks="$leaks 'member view $other' exited 0 ($(head -c 120 "$work/view-other.out"));"
  coop member view "$other" --dir "$work/anna" -O json 2>/dev/null | grep -q '"earned"' &&
    leaks="$leaks 'member view $other -O json' printed figures;"
  coop receipt export --member "$other" -p 2026-03 --dir "$work/anna" >"$work/receipt-other.json" 2>/dev/null &&
    leaks="$leaks 'receipt export --member $other' exited 0;"
  grep -q '"statement"' "$work/receipt-other.json" && leaks="$leaks a receipt of $other was written;"
  coop statement --member "$other" -p 2026-03 --dir "$work/anna" >/dev/null 2>&1 &&
    leaks="$leaks 'statement --member $other' exited 0;"
done
coop disputes --all --dir "$work/anna" -O json >"$work/disputes-anna.json" 2>&1
[ "$(jget "$work/disputes-anna.json" 'len(d)')" = 0 ] || leaks="$leaks disputes: $(head -c 100 "$work/disputes-anna.json");"
if [ -z "$leaks" ]; then
  ok "member/others-unreadable: Bram's and Cem's view, statement and receipt refused on Anna's node"
else
  fail "member/others-unreadable" "$leaks"
fi

# =================================================================================================
# 5. Receipts
# =================================================================================================
group "5. receipts"
# The statement names the member (version 2): "statement of NAME (ID, client
# ref REF[, member key FP]) 2026-03".
receipt_ok() { # RECEIPT MEMBER NAME REF LABEL ANCHOR-OPTIONS...
  local out status file=$1 member=$2 name=$3 ref=$4 label=$5
  shift 5
  out=$(coop receipt verify "$file" --lang en "$@" 2>&1)
  status=$?
  if [ $status = 0 ] && grep -q "receipt OK" <<<"$out" && grep -q "cosigned by witness" <<<"$out" &&
    grep -q "statement of $name ($member, client ref $ref[,)].* 2026-03" <<<"$out" &&
    grep -q "acknowledged by municipality" <<<"$out"; then
    ok "receipt/$label: verifies offline: ${out:0:120}..."
  else
    fail "receipt/$label" "verify exit $status: $out"
  fi
}
breda_fp=$(coop id --dir "$work/breda" -O json | py -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])')
coop receipt export -p 2026-03 --dir "$work/anna" >"$work/anna-receipt.json" 2>"$work/err" ||
  fail "setup" "receipt export on Anna's node: $(cat "$work/err")"
# Anna's node names Breda and the coop as peers: they anchor the receipt by name.
receipt_ok "$work/anna-receipt.json" "$anna" Anna BR-1001 "member-node" --dir "$work/anna"
anna_fp=$(coop id --dir "$work/anna" -O json | py -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])')
if coop receipt verify "$work/anna-receipt.json" --lang en --dir "$work/anna" 2>&1 | grep -q "member key $anna_fp)"; then
  ok "receipt/names-her-key: Anna's receipt names her own key ($anna_fp)"
else
  fail "receipt/names-her-key" "$(coop receipt verify "$work/anna-receipt.json" --lang en --dir "$work/anna" 2>&1)"
fi
coop receipt export --member "$bram" -p 2026-03 --dir "$work/coop" >"$work/bram-receipt.json" 2>"$work/err" ||
  fail "setup" "receipt export --member on the coop: $(cat "$work/err")"
# A benefits officer with Breda's fingerprint from its letter, and the partner as a witness.
receipt_ok "$work/bram-receipt.json" "$bram" Bram BR-1002 "coop-node" --municipality "$breda_fp" \
  --coop "${KEY[coop]}" --witness "${KEY[partner]}"

# Without an anchor: consistent, but nothing ties it to Breda (exit 3, the
# fingerprints to compare named); another municipality's key: refused.
out=$(coop receipt verify "$work/anna-receipt.json" --lang en 2>&1)
status=$?
if [ $status = 3 ] && grep -q "receipt NOT ANCHORED: internally consistent, but nothing ties its keys to a real municipality" <<<"$out" &&
  grep -q "compare municipality $breda_fp" <<<"$out"; then
  ok "receipt/unanchored: exit 3, names Breda's fingerprint to compare"
else
  fail "receipt/unanchored" "verify exit $status: $out"
fi
other_fp=$(coop id --dir "$work/partner" -O json | py -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])')
out=$(coop receipt verify "$work/anna-receipt.json" --municipality "$other_fp" 2>&1)
status=$?
if [ $status = 1 ] && grep -q "regel 'municipality-anchor'" <<<"$out" &&
  grep -q "de gemeente is niet de gemeente die u vertrouwt" <<<"$out" && grep -q "$breda_fp" <<<"$out" &&
  grep -q "$other_fp" <<<"$out"; then
  ok "receipt/wrong-anchor: refused (exit 1) in Dutch, naming the rule and both fingerprints"
else
  fail "receipt/wrong-anchor" "verify exit $status: $out"
fi

# Every single-byte change (XOR 0x01) of Anna's receipt must be refused.
# Runs in the background, in parallel, while the other groups run.
cat >"$work/flip.py" <<'PY'
import os, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
coop, path, stride, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
anchor = sys.argv[5:]  # the municipality's key: a change must not get past an anchored verify
data = open(path, "rb").read()
tmp = tempfile.mkdtemp(dir=os.path.dirname(path))
offsets = list(range(0, len(data), stride))
if offsets[-1] != len(data) - 1:
    offsets.append(len(data) - 1)
def check(i):
    changed = bytearray(data)
    changed[i] ^= 0x01
    name = os.path.join(tmp, "r%d.json" % i)
    with open(name, "wb") as f:
        f.write(changed)
    # Every other offset in Dutch (the default): its rejection must say
    # what the broken rule means in Dutch, "(regel '...'".
    dutch = i % 2 == 1
    run = subprocess.run([coop, "receipt", "verify", name] + ([] if dutch else ["--lang", "en"])
                         + anchor, capture_output=True)
    os.unlink(name)
    out = run.stdout.decode(errors="replace") + run.stderr.decode(errors="replace")
    accepted = run.returncode == 0 or "receipt OK" in out or "ontvangstbewijs OK" in out
    crashed = (run.returncode < 0 or run.returncode >= 128 or "Sanitizer" in out
               or "runtime error:" in out)
    untranslated = dutch and "AFGEWEZEN" in out and "(regel '" not in out
    return i, accepted, crashed, run.returncode, out, untranslated
started = time.time()
with ThreadPoolExecutor(workers) as pool:
    results = list(pool.map(check, offsets))
accepted = [r for r in results if r[1]]
crashed = [r for r in results if r[2]]
untranslated = [r for r in results if r[5]]
print("checked %d of %d offsets (stride %d) in %.1f s; accepted %d; crashed %d; untranslated %d"
      % (len(offsets), len(data), stride, time.time() - started, len(accepted), len(crashed),
         len(untranslated)))
for i, _, _, status, out, _ in (accepted + crashed + untranslated)[:5]:
    print("offset %d (byte %r -> %r): exit %d: %s" % (i, chr(data[i]), chr(data[i] ^ 1), status,
                                                       out.strip().replace("\n", " ")[:200]))
PY
receipt_bytes=$(wc -c <"$work/anna-receipt.json")
cpus=$(nproc 2>/dev/null || echo 2)
workers=$((cpus * 2 > 8 ? 8 : cpus * 2))
if [ -n "${COOP_AUDIT_FLIP_STRIDE:-}" ]; then
  stride=$COOP_AUDIT_FLIP_STRIDE
elif [[ $COOP == *asan* ]]; then
  # Under ASan a verify costs several times more: as many offsets as one
  # CPU checks in about 45 s, at least 100, spread evenly (the loop runs
  # on every CPU, next to the other groups' daemons).
  clock
  t0=$NOW
  for _ in 1 2 3; do coop receipt verify "$work/anna-receipt.json" --municipality "${KEY[breda]}" >/dev/null 2>&1; done
  clock
  per_verify=$(((NOW - t0) / 3 + 1))
  fits=$((45000 / per_verify))
  [ "$fits" -lt 100 ] && fits=100
  stride=$(((receipt_bytes + fits - 1) / fits))
  note "ASan build: one verify takes ${per_verify} ms, checking one byte in ${stride}"
else
  stride=1
fi
if [ "$receipt_bytes" -gt 0 ]; then
  py "$work/flip.py" "$COOP" "$work/anna-receipt.json" "$stride" "$workers" --municipality "${KEY[breda]}" >"$work/flip.out" 2>&1 &
  flip_pid=$!
fi

# =================================================================================================
# 2 and 3. A stale rule set at close, and a member who left
# =================================================================================================
group "2, 3. dispute (stale rule set) and missing statement"
init_node tilburg municipality "Gemeente Tilburg"
init_node coop2 coop "Tilburg Werkt"
peer coop2 tilburg muni
peer_inbound tilburg coop2 coop
rule_set "$work/rules-a.json" '{"municipality": "Tilburg", "effective_from": "2026-01"}'
rule_set "$work/rules-b.json" "{\"municipality\": \"Tilburg\", \"effective_from\": \"2026-03\", \"norm\": $NORM_B}"
step coop rules publish "$work/rules-a.json" --dir "$work/tilburg"
start_node tilburg
# The coop runs no daemon: it syncs once now (rule set A) and not again until
# after it has closed March.
coop2_sync() { coop sync --dir "$work/coop2" --quiet --timeout 30 >"$work/coop2-sync.out" 2>&1; }
wait_until 45 eval 'coop2_sync && has_rules coop2 tilburg 2026-01' ||
  fail "setup" "coop2 did not get Tilburg's rule set A: $(head -c 300 "$work/coop2-sync.out")"
step coop rules publish "$work/rules-b.json" --dir "$work/tilburg"
dirk=$(coop member add --dir "$work/coop2" --name Dirk --municipality "${KEY[tilburg]}" \
  --client-ref TB-2001 --birth 1980-01 2>"$work/err") || fail "setup" "member add Dirk: $(cat "$work/err")"
lea=$(coop member add --dir "$work/coop2" --name Lea --municipality "${KEY[tilburg]}" \
  --client-ref TB-2002 --birth 1980-01 2>"$work/err") || fail "setup" "member add Lea: $(cat "$work/err")"
step coop member set "$lea" --left --from 2026-03 --dir "$work/coop2"
step coop record revenue --member "$dirk" --amount 800 --date 2026-03-10 --ref tb-inv-1 --dir "$work/coop2"
step coop record revenue --member "$lea" --amount 500 --date 2026-03-11 --ref tb-inv-2 --dir "$work/coop2"
coop rules list --log "${KEY[tilburg]}" --dir "$work/coop2" -O json >"$work/coop2-rules.json" 2>&1
if why=$(pycheck "$work/coop2-rules.json" '
assert [r["effective_from"] for r in d] == ["2026-01"], "coop2 holds %r" % [r["effective_from"] for r in d]'); then
  ok "dispute/stale: the coop holds only rule set A (2026-01) when it closes March; Tilburg has published B (2026-03, norm $NORM_B)"
else
  fail "dispute/stale" "$why"
fi
step coop period close 2026-03 --dir "$work/coop2"
statement coop2 "$dirk" "$work/st-dirk.json"
rule_a_index=$(coop rules list --log "${KEY[tilburg]}" --dir "$work/coop2" -O json 2>/dev/null |
  py -c 'import json,sys; print(json.load(sys.stdin)[0]["index"])')
if why=$(pycheck "$work/st-dirk.json" '
assert d["rule_set"]["log_id"] == args[0] and d["rule_set"]["index"] == int(args[1]), "rule set %r" % d["rule_set"]
assert d["verdict"]["status"] == "pending", "verdict %r before the municipality saw it" % d["verdict"]' \
  "${KEY[tilburg]}" "$rule_a_index"); then
  ok "dispute/closed-with-a: Dirk's statement names rule set A, verdict pending before Tilburg has it"
else
  fail "dispute/closed-with-a" "$why"
fi

# Now the coop syncs: Tilburg gets the statement and disputes it.
dirk_disputed() {
  coop2_sync
  statement coop2 "$dirk" "$work/st-dirk.json" && [ "$(verdict_of "$work/st-dirk.json")" = disputed ]
}
wait_until 60 dirk_disputed
if why=$(pycheck "$work/st-dirk.json" '
v = d["verdict"]
assert v["status"] == "disputed", "verdict %r" % v
assert v["reason"] == "rule-set-not-in-force", "reason %r" % v["reason"]
assert v["log_id"] == args[0], "verdict log %s" % v["log_id"]
assert "benefit" in v["differing"], "differing %r" % v["differing"]' "${KEY[tilburg]}"); then
  ok "dispute/verdict: Dirk's statement disputed at the coop: rule-set-not-in-force, differing $(jget "$work/st-dirk.json" '" ".join(d["verdict"]["differing"])')"
else
  fail "dispute/verdict" "$why; tilburg: $(grep -h 'audit:' "$work/tilburg.log" | tail -n 2 | tr '\n' ' ')"
fi
coop disputes --dir "$work/coop2" -O json >"$work/disputes-coop2.json" 2>&1
if why=$(pycheck "$work/disputes-coop2.json" '
assert isinstance(d, list) and len(d) == 1, "expected one dispute, got %r" % d
r = d[0]
assert r["member"] == args[0] and r["period"] == "2026-03" and r["open"] is True, "row %r" % r
assert r["reason"] == "rule-set-not-in-force", "reason %r" % r["reason"]
assert r["statement_index"] == json.load(open(args[1]))["entry_index"], "statement_index %r" % r["statement_index"]
fields = {f["field"]: f for f in r["differing"]}
assert "benefit" in fields, "differing %r" % r["differing"]
offset = json.load(open(args[1]))["statement"]["offset"]
b = fields["benefit"]
assert b["coop"] == int(args[2]) - offset and b["municipality"] == int(args[3]) - offset, \
    "benefit coop %r municipality %r, expected %d and %d" % (b.get("coop"), b.get("municipality"), int(args[2]) - offset, int(args[3]) - offset)
' "$dirk" "$work/st-dirk.json" "$NORM_A" "$NORM_B"); then
  ok "dispute/coop-disputes: 'coop disputes' on the coop lists Dirk's March with both benefits ($(jget "$work/disputes-coop2.json" '"coop %d, municipality %d" % (d[0]["differing"][0]["coop"], d[0]["differing"][0]["municipality"])'))"
else
  fail "dispute/coop-disputes" "$why"
fi
# The same dispute in the web app: the coop's disputes page and Dirk's
# statement page show the reason, the differing fields and both figures.
web_form_token() { sed -n 's/.*name="form_token" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1; }
"$COOP" web --dir "$work/coop2" --http "127.0.0.1:${PORT[web2]}" 2>>"$work/web2.log" &
PID[web2]=$!
web_url="http://127.0.0.1:${PORT[web2]}"
jar="$work/web2.cookies"
link=$(coop web user add beheer --role admin --dir "$work/coop2" 2>>"$work/web2.log")
token=${link##*token=}
if wait_until 30 curl -sf -o /dev/null "$web_url/login" &&
  curl -s -c "$jar" -b "$jar" "$web_url/welcome?token=$token" >"$work/web2-welcome.html" &&
  curl -s -c "$jar" -b "$jar" -o /dev/null -d "form_token=$(web_form_token "$work/web2-welcome.html")" \
    -d "token=$token" -d "password=geheim-wachtwoord" "$web_url/welcome" &&
  curl -s -c "$jar" -b "$jar" "$web_url/login" >"$work/web2-login.html" &&
  curl -s -c "$jar" -b "$jar" -o /dev/null -d "form_token=$(web_form_token "$work/web2-login.html")" \
    -d "name=beheer" -d "password=geheim-wachtwoord" "$web_url/login" &&
  curl -s -b "$jar" "$web_url/disputes" >"$work/web2-disputes.html" &&
  curl -s -b "$jar" "$web_url/statement?id=$dirk&p=2026-03" >"$work/web2-statement.html" &&
  grep -q "Dirk" "$work/web2-disputes.html" && grep -q "rule-set-not-in-force" "$work/web2-disputes.html" &&
  grep -q 'action="/reissue"' "$work/web2-disputes.html" &&
  grep -q "<code>benefit</code>" "$work/web2-statement.html" &&
  grep -q "status-disputed" "$work/web2-statement.html"; then
  ok "dispute/web: the coop's disputes page and Dirk's statement page show the reason, the differing fields and both figures"
else
  fail "dispute/web" "$(sed 's/<[^>]*>/ /g' "$work/web2-disputes.html" 2>/dev/null | tr -s ' \n' ' ' | head -c 400); $(tail -n 3 "$work/web2.log" | tr '\n' ' ')"
fi
stop_node web2

coop audit report -p 2026-03 --dir "$work/tilburg" -O json >"$work/report-tilburg.json" 2>&1
if why=$(pycheck "$work/report-tilburg.json" '
rows = {r["member"]: r for r in d}
r = rows.get(args[0])
assert r, "no row for Dirk in %r" % d
assert r["status"] == "disputed" and r["dispute_reason"] == "rule-set-not-in-force", "row %r" % r
assert "benefit" in r["differing"].split(), "differing %r" % r["differing"]' "$dirk"); then
  ok "dispute/audit-report: Tilburg's report shows Dirk disputed (rule-set-not-in-force: benefit)"
else
  fail "dispute/audit-report" "$why"
fi
# A disputed row carries the municipality's own figures, the coop's beside
# them, and the CSV for the benefits system only the municipality's.  (Was
# a bug: the row showed the coop's disputed figures.)
coop audit report -p 2026-03 --dir "$work/tilburg" -O csv >"$work/report-tilburg.csv" 2>&1
if why=$(pycheck "$work/report-tilburg.json" '
import csv
r = {r["member"]: r for r in d}[args[0]]
m, c = r["municipality_figures"], r["coop_figures"]
assert m["benefit"] != c["benefit"], "the figures do not differ: %r %r" % (m, c)
for field in ("counted_income", "offset", "benefit", "to_municipality"):
    assert r[field] == m[field], "%s: row %r, municipality %r" % (field, r[field], m[field])
row = [x for x in csv.reader(open(args[1])) if x[1] == args[0]][0]
euros = "%d.%02d" % divmod(m["benefit"], 100)
assert row[7].replace(",", ".") == euros, "csv benefit %r, municipality %r" % (row[7], euros)' \
  "$dirk" "$work/report-tilburg.csv"); then
  ok "dispute/audit-report-figures: the disputed row has Tilburg's figures (json top level and csv), the coop's beside them"
else
  fail "dispute/audit-report-figures" "$why"
fi
# The text report (the officer's: Dutch, --lang en English): the reason in
# parentheses on the resident's own line.
coop audit report -p 2026-03 --dir "$work/tilburg" >"$work/report-tilburg.txt" 2>&1
coop audit report -p 2026-03 --lang en --dir "$work/tilburg" >"$work/report-tilburg-en.txt" 2>&1
dirk_line=$(grep "^TB-2001 " "$work/report-tilburg.txt")
dirk_line_en=$(grep "^TB-2001 " "$work/report-tilburg-en.txt")
if [[ $dirk_line == *"betwist (rule-set-not-in-force: benefit)" ]] &&
  [[ $dirk_line_en == *"disputed (rule-set-not-in-force: benefit)" ]]; then
  ok "dispute/report-text: the text report's line for Dirk ends 'betwist (rule-set-not-in-force: benefit)' ('disputed' with --lang en)"
else
  fail "dispute/report-text" "line for Dirk: '$dirk_line' / '$dirk_line_en'"
fi
if grep -A1 "^TB-2001 " "$work/report-tilburg.txt" | tail -1 | grep -q "cijfers van de coop:" &&
  grep -A1 "^TB-2001 " "$work/report-tilburg-en.txt" | tail -1 | grep -q "the coop's figures:"; then
  ok "dispute/report-text-coop: the coop's figures on the line below Dirk's"
else
  fail "dispute/report-text-coop" "$(grep -A1 "^TB-2001 " "$work/report-tilburg.txt")"
fi
coop receipt export --member "$dirk" -p 2026-03 --dir "$work/coop2" >"$work/dirk-receipt.json" 2>"$work/err"
export_status=$?
out=$(coop receipt verify "$work/dirk-receipt.json" --lang en --municipality "${KEY[tilburg]}" 2>&1)
verify_status=$?
if [ $verify_status != 0 ] && ! grep -q "receipt OK" <<<"$out" && grep -q "DISPUTED" <<<"$out"; then
  ok "dispute/receipt: the receipt of the disputed statement is refused (export exit $export_status, verify exit $verify_status: ${out:0:40}...)"
else
  fail "dispute/receipt" "verify exit $verify_status: $out"
fi

# 3. Lea left from March but has March revenue: no statement, "missing".
if statement coop2 "$lea" "$work/st-lea.json"; then
  fail "missing/no-statement" "Lea (left from 2026-03) has a March statement: $(head -c 200 "$work/st-lea.json")"
else
  ok "missing/no-statement: no March statement for Lea, who left from 2026-03 ($(head -c 80 "$work/st-lea.json.err")...)"
fi
if why=$(pycheck "$work/report-tilburg.json" '
rows = {r["member"]: r for r in d}
r = rows.get(args[0])
assert r, "no row for Lea in %r" % d
assert r["status"] == "missing", "Lea: status %r" % r["status"]
assert r["statement_index"] is None and r["client_ref"] == "TB-2002", "row %r" % r
assert len(d) == 2, "expected rows for Dirk and Lea only, got %r" % d' "$lea"); then
  ok "missing/audit-report: Tilburg's report shows Lea (TB-2002) as missing"
else
  fail "missing/audit-report" "$why"
fi

# 2b. The correction goes through the same loop: the coop, now holding rule
# set B, reissues Dirk's March statement; Tilburg acknowledges the new one,
# the dispute is closed, and the report shows the reissued statement.
old_index=$(jget "$work/st-dirk.json" 'd["entry_index"]')
if out=$(coop statement reissue --member "$dirk" -p 2026-03 --dir "$work/coop2" 2>&1) &&
   grep -q "replaces entry $old_index" <<<"$out"; then
  ok "correct/reissue: ${out}"
else
  fail "correct/reissue" "$out"
fi
dirk_acknowledged() {
  coop2_sync
  statement coop2 "$dirk" "$work/st-dirk2.json" && [ "$(verdict_of "$work/st-dirk2.json")" = acknowledged ]
}
if wait_until 60 dirk_acknowledged &&
   why=$(pycheck "$work/st-dirk2.json" '
assert d["replaces"] == int(args[0]), "replaces %r" % d["replaces"]
assert d["entry_index"] > int(args[0]), "entry %r" % d["entry_index"]' "$old_index"); then
  ok "correct/acknowledged: the reissued statement (entry $(jget "$work/st-dirk2.json" 'd["entry_index"]')) is acknowledged by Tilburg"
else
  fail "correct/acknowledged" "${why:-verdict $(verdict_of "$work/st-dirk2.json")}"
fi
coop disputes --dir "$work/coop2" -O json >"$work/disputes-after.json" 2>&1
coop disputes --all --dir "$work/coop2" -O json >"$work/disputes-all.json" 2>&1
if why=$(pycheck "$work/disputes-after.json" 'assert d == [], "open disputes %r" % d') &&
   why=$(pycheck "$work/disputes-all.json" 'assert len(d) == 1 and d[0]["open"] is False, "all %r" % d'); then
  ok "correct/dispute-closed: no open disputes; --all lists the old one as closed"
else
  fail "correct/dispute-closed" "$why"
fi
coop audit report -p 2026-03 --dir "$work/tilburg" -O json >"$work/report-tilburg2.json" 2>&1
if why=$(pycheck "$work/report-tilburg2.json" '
rows = {r["member"]: r for r in d}
r = rows[args[0]]
assert r["status"] == "acknowledged" and r["statement_index"] == json.load(open(args[1]))["entry_index"], "row %r" % r' "$dirk" "$work/st-dirk2.json"); then
  ok "correct/audit-report: Tilburg's report shows Dirk's reissued statement acknowledged"
else
  fail "correct/audit-report" "$why"
fi

# =================================================================================================
# 6b. A fork seen through a witness's cosignature
# =================================================================================================
group "6. fork through cosignatures"
init_node muni3 municipality "Gemeente Oosterhout"
init_node partner3 partner "Partner Oosterhout"
init_node coop3 coop "Oosterhout Werkt"
# Both witnesses accept the coop's key; the clone has the same key.
peer_inbound partner3 coop3 coop
peer_inbound muni3 coop3 coop
cp -r "$work/coop3" "$work/clone3"
peer coop3 partner3 partner
peer clone3 muni3 muni
step coop note "March books, original history" --dir "$work/coop3"
step coop note "March books, another history" --dir "$work/clone3"
start_node muni3
start_node partner3
# The original syncs with the partner only, the clone with the municipality only.
wait_until 45 eval 'coop sync --dir "$work/coop3" --peer partner --quiet --timeout 30 >"$work/sync3.out" 2>&1' ||
  fail "setup" "original coop sync with partner3: $(head -c 300 "$work/sync3.out")"
wait_until 45 eval 'coop sync --dir "$work/clone3" --peer muni --quiet --timeout 30 >"$work/sync3.out" 2>&1' ||
  fail "setup" "clone sync with muni3: $(head -c 300 "$work/sync3.out")"
original_head=$(checkpoint_of coop3)
clone_head=$(checkpoint_of clone3)
if [ "${original_head%% *}" = "${clone_head%% *}" ] && [ "$original_head" != "$clone_head" ]; then
  ok "fork/two-histories: original and clone signed the same size with different roots"
else
  fail "fork/two-histories" "original '$original_head', clone '$clone_head'"
fi
if wait_until 45 eval '[ "$(cosigned partner3 partner3 coop3)" = "$original_head" ]'; then
  ok "fork/partner-cosigns: the partner cosigned the original's checkpoint"
else
  fail "fork/partner-cosigns" "partner3's latest cosignature: '$(cosigned partner3 partner3 coop3)', original '$original_head'"
fi
if wait_until 45 eval '[ "$(cosigned muni3 muni3 coop3)" = "$clone_head" ]'; then
  ok "fork/municipality-holds-clone: the municipality holds (and cosigned) the clone's history"
else
  fail "fork/municipality-holds-clone" "muni3's latest cosignature: '$(cosigned muni3 muni3 coop3)', clone '$clone_head'"
fi
coop forks --dir "$work/muni3" >"$work/forks-before.out" 2>&1
forks_before=$?
# The municipality gets the partner's log (its cosignature of the other history).
coop log export --dir "$work/partner3" >"$work/partner3.bundle" 2>"$work/err" || fail "setup" "log export: $(cat "$work/err")"
step coop log import "$work/partner3.bundle" --dir "$work/muni3"
if [ "$(cosigned muni3 partner3 coop3)" = "$original_head" ]; then
  ok "fork/partner-log-at-municipality: the municipality now holds the partner's cosignature of the original's checkpoint"
else
  fail "fork/partner-log-at-municipality" "'coop log --log PARTNER3' on muni3: latest cosignature '$(cosigned muni3 partner3 coop3)', original '$original_head'"
fi
fork_found() { coop forks --dir "$work/muni3" -O json >"$work/forks.json" 2>&1; [ $? = 1 ]; }
if [ $forks_before = 0 ] && wait_until 45 fork_found; then
  if why=$(pycheck "$work/forks.json" '
assert isinstance(d, list) and len(d) >= 1, "evidence %r" % d
e = d[0]
assert e["log_id"] == args[0], "fork of %s" % e["log_id"]
roots = sorted([e["first"]["root"], e["second"]["root"]])
assert roots == sorted([args[1], args[2]]), "roots %r, expected original %s and clone %s" % (roots, args[1], args[2])
' "${KEY[coop3]}" "${original_head#* }" "${clone_head#* }"); then
    ok "fork/evidence: 'coop forks' on the municipality exits 1 with both checkpoints of the coop's log"
  else
    fail "fork/evidence" "$why"
  fi
else
  fail "fork/evidence" "forks exit before the import $forks_before ($(head -c 100 "$work/forks-before.out")), after: $(head -c 300 "$work/forks.json")"
fi
if wait_until 20 grep -q "FORK" "$work/muni3.log"; then
  ok "fork/daemon-log: the municipality's daemon says: $(grep -m1 -o 'FORK.*' "$work/muni3.log" | cut -c1-90)"
else
  fail "fork/daemon-log" "no FORK in muni3.log: $(tail -n 3 "$work/muni3.log" | tr '\n' ' ')"
fi

# =================================================================================================
# 5 (end). The byte-flip loop
# =================================================================================================
group "5. every single-byte change of a receipt"
if [ -z "$flip_pid" ]; then
  fail "receipt/every-byte" "no receipt to change"
elif ! wait_until 420 eval "! kill -0 $flip_pid 2>/dev/null"; then
  fail "receipt/every-byte" "not finished after 420 s more: $(head -n 1 "$work/flip.out")"
else
  wait "$flip_pid" 2>/dev/null
  flip_pid=""
  summary_line=$(head -n 1 "$work/flip.out")
  if grep -q "; accepted 0; crashed 0; untranslated 0$" <<<"$summary_line"; then
    ok "receipt/every-byte: none accepted, every Dutch rejection names its rule in Dutch: $summary_line"
  else
    fail "receipt/every-byte" "$(tr '\n' ' ' <"$work/flip.out" | cut -c1-900)"
  fi
fi

# =================================================================================================
# Every daemon stops cleanly
# =================================================================================================
bad=""
for name in "${!PID[@]}"; do
  stop_node "$name"
  [ "$STATUS" = 0 ] || bad="$bad $name(exit $STATUS: $(tail -n 3 "$work/$name.log" | tr '\n' ' ' | cut -c1-300))"
done
if [ -z "$bad" ]; then ok "daemons/stop: every daemon exits 0 on SIGTERM"; else fail "daemons/stop" "$bad"; fi

clock
note "took $(((NOW - script_started) / 1000)) s"
echo "audit-loop: $passed passed, $failed failed"
[ "$failed" = 0 ]
