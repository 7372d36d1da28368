#!/usr/bin/env bash
# Erasing a member (AVG art. 17) with real processes: a coop daemon on
# 127.0.0.1, a municipality and the member's own node syncing with it.
#
#   tests/node/erase.sh COOP_BIN
#
# Anna and Bo earn in January 2026; the month is closed, Breda acknowledges
# both.  Erasing Anna is refused while she is a member and while her
# retention runs (naming the day it ends), changing nothing; with
# --before-retention it passes.  Then, on all three nodes after sync: no
# payload of any of her audiences and no key grant of them is left, `coop
# verify` passes and counts the erased entries, the coop's balances are
# what they were to the cent, Bo's receipt still verifies, nothing of
# Anna's can be exported or read again; Breda erased its own verdicts on
# her.  A payload removed by a database edit without an erasure is caught
# by verify, naming the entry.  Retention: Bo leaves; `coop retention`
# lists him with the day his retention ends; with the clock past it, Breda's
# `coop retention apply` erases its own copies (the coop still holds his
# data) and the coop's erases him everywhere; the annual accounts still
# reconcile.
#
# Each check prints "ok   NAME" or "FAIL NAME: why", then one line
# "node-erase: N passed, M failed"; exit 1 on any failure.
set -u
COOP=${1:?usage: erase.sh COOP_BIN}
. "$(dirname "$0")/lib.sh" erase
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
check() { # NAME WHY COMMAND...: ok when COMMAND succeeds
  local name=$1 why=$2
  shift 2
  if "$@"; then ok "$name"; else fail "$name" "$why"; fi
}
port=$(free_port)

# ---- Setup: Breda, Anna's node and the coop; January closed and judged -----------------------

on 2026-01-05
coop=$work/coop breda=$work/breda anna=$work/anna
sync_from() { coop sync --dir "$1" --quiet >>"$work/sync.log" 2>&1; }
{
  coop init --role municipality --name "Gemeente Breda" --dir "$breda" >/dev/null &&
    coop init --role member --name "Anna" --dir "$anna" >/dev/null &&
    coop init --role coop --name "Breda Werkt" --dir "$coop" >/dev/null &&
    rules Breda 1000 | coop rules publish - --dir "$breda" >/dev/null &&
    breda_key=$(key_of "$breda") anna_key=$(key_of "$anna") coop_key=$(key_of "$coop") &&
    coop peer add --dir "$coop" --key "$breda_key" --role municipality --name breda >/dev/null &&
    coop peer add --dir "$coop" --key "$anna_key" --role member --name anna >/dev/null &&
    for node in "$breda" "$anna"; do
      coop peer add --dir "$node" --key "$coop_key" --role coop --name coop \
        --addr "127.0.0.1:$port" >/dev/null || exit 1
    done
} || { echo "FAIL setup: nodes"; exit 1; }
"$COOP" node run --dir "$coop" --listen "127.0.0.1:$port" 2>>"$work/coop.log" &
daemon=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/coop.log" 2>/dev/null && break; sleep 0.1; done
{
  sync_from "$breda" &&
    coop period open 2026-01 --dir "$coop" >/dev/null &&
    anna_id=$(coop member add --dir "$coop" --name "Anna de Vries" --municipality breda \
      --client-ref BR-1001 --birth 1990-04 --member-key "$anna_key") &&
    bo_id=$(coop member add --dir "$coop" --name "Bo Jansen" --municipality breda \
      --client-ref BR-2002 --birth 1985-07) &&
    coop record revenue --amount 612.34 --member "$anna_id" --date 2026-01-10 --dir "$coop" >/dev/null &&
    coop record cost --amount 12.34 --member "$anna_id" --date 2026-01-12 --dir "$coop" >/dev/null &&
    coop record hours --hours 40 --member "$anna_id" --date 2026-01-12 --dir "$coop" >/dev/null &&
    coop record revenue --amount 450.00 --member "$bo_id" --date 2026-01-11 --dir "$coop" >/dev/null &&
    on 2026-02-02 && coop period close 2026-01 --dir "$coop" >/dev/null &&
    sync_from "$breda" && coop audit run --dir "$breda" >/dev/null && sync_from "$breda" &&
    sync_from "$anna"
} || { echo "FAIL setup: January: $(tail -n 3 "$work/sync.log" "$work/coop.log")"; exit 1; }
anna_audience=$(sql "$coop" "SELECT hex(audience_id) FROM books_members WHERE member_id = '$anna_id'")
in_audience() { # NODE: entries of any log on NODE sealed to Anna's audience that still hold a payload
  sql "$1" "SELECT count(*) FROM entries WHERE hex(substr(header, 57, 16)) = '$anna_audience' AND payload IS NOT NULL"
}
grants_left() { sql "$1" "SELECT count(*) FROM key_grants WHERE hex(audience_id) = '$anna_audience'"; }
coop receipt export --member "$bo_id" -p 2026-01 --dir "$coop" >"$work/bo-receipt.json" 2>"$work/err" ||
  { echo "FAIL setup: Bo's receipt: $(cat "$work/err")"; exit 1; }
coop bal -O json --dir "$coop" >"$work/bal-before.json"
[ "$(in_audience "$breda")" -gt 0 ] && [ "$(in_audience "$anna")" -gt 0 ] && [ "$(grants_left "$breda")" -gt 0 ] ||
  { echo "FAIL setup: Anna's entries did not reach Breda and her node"; exit 1; }

# ---- Refusals: still a member; retention running; no reason ---------------------------------

size=$(size_of "$coop")
if coop member erase "$anna_id" --reason "verzoek art. 17 AVG" --dir "$coop" 2>"$work/err"; then
  fail "refuse/member" "erasing a current member passed"
elif grep -q "still a member" "$work/err" && grep -q -- "--before-retention" "$work/err" &&
  [ "$(size_of "$coop")" = "$size" ]; then
  ok "refuse/member: a current member is kept; the message names --before-retention; nothing appended"
else
  fail "refuse/member" "$(cat "$work/err")"
fi
coop member set "$anna_id" --left --from 2026-02 --dir "$coop" >/dev/null
size=$(size_of "$coop")
if coop member erase "Anna de Vries" --reason "verzoek art. 17 AVG" --dir "$coop" 2>"$work/err"; then
  fail "refuse/retention" "erasing during retention passed"
elif grep -q "kept until 2034-01-01" "$work/err" && [ "$(size_of "$coop")" = "$size" ]; then
  ok "refuse/retention: she left 2026-02, kept until 2034-01-01 (7 years), nothing appended"
else
  fail "refuse/retention" "$(cat "$work/err")"
fi
coop member erase "$anna_id" --dir "$coop" >/dev/null 2>"$work/err"
code=$?
check "refuse/reason: an erasure without --reason is a usage error (exit 2)" "exit $code" \
  [ $code -eq 2 ]

# ---- Erase with --before-retention -----------------------------------------------------------

if coop member erase "$anna_id" --reason "uitspraak rechter" --before-retention -O json \
  --dir "$coop" >"$work/erased.json" 2>"$work/err"; then
  ok "erase: passes with --before-retention"
else
  fail "erase" "$(cat "$work/err")"
fi
own_left=$(sql "$coop" "SELECT count(*) FROM entries WHERE entry_key < 2 * 281474976710656 AND hex(substr(header, 57, 16)) = '$anna_audience' AND payload IS NOT NULL")
check "erase/coop-payloads: the coop's log holds no payload of her audience" "$own_left left" \
  [ "$own_left" = 0 ]
check "erase/coop-grants: the coop holds no key grant of her audience" "$(grants_left "$coop") left" \
  [ "$(grants_left "$coop")" = 0 ]
check "erase/coop-members: her name and client ref are gone from the books" "still there" \
  [ "$(sql "$coop" "SELECT count(*) FROM books_members WHERE name LIKE 'Anna%' OR client_ref = 'BR-1001'")" = 0 ]
coop bal -O json --dir "$coop" >"$work/bal-after.json"
check "erase/balances: every balance is what it was, to the cent" \
  "$(diff "$work/bal-before.json" "$work/bal-after.json" | head -5)" \
  cmp -s "$work/bal-before.json" "$work/bal-after.json"
if coop verify --dir "$coop" >"$work/verify" 2>&1 && grep -q "erased" "$work/verify"; then
  ok "erase/verify: the coop's verify passes and counts the erased entries"
else
  fail "erase/verify" "$(tail -n 5 "$work/verify")"
fi
if coop receipt export --member "$anna_id" -p 2026-01 --dir "$coop" >/dev/null 2>"$work/err"; then
  fail "erase/no-receipt" "a receipt of Anna could still be made"
else
  ok "erase/no-receipt: nothing of Anna can be exported any more"
fi
if coop member erase "$anna_id" --reason again --before-retention --dir "$coop" 2>"$work/err"; then
  fail "erase/twice" "a second erasure passed"
else
  ok "erase/twice: erasing her again says she is unknown"
fi

# ---- Sync: Breda and Anna's node apply it; Breda erases its verdicts on her ------------------

sync_from "$breda" && coop audit run --dir "$breda" >/dev/null && sync_from "$breda" && sync_from "$anna"
sleep 1
sync_from "$anna"
for node in breda anna coop; do
  dir=$work/$node
  check "sync/$node-payloads: no payload of her audience in any log on $node" \
    "$(in_audience "$dir") left" [ "$(in_audience "$dir")" = 0 ]
  check "sync/$node-grants: no key grant of her audience on $node" "$(grants_left "$dir") left" \
    [ "$(grants_left "$dir")" = 0 ]
  if coop verify --dir "$dir" >"$work/verify" 2>&1; then
    ok "sync/$node-verify: coop verify passes on $node"
  else
    fail "sync/$node-verify" "$(tail -n 5 "$work/verify")"
  fi
done
erasures_at_breda=$(sql "$breda" "SELECT count(*) FROM entries WHERE substr(header, 3, 2) = x'1a00' AND entry_key < 2 * 281474976710656")
check "sync/breda-own: Breda appended an erasure of its own verdicts on her" "$erasures_at_breda" \
  [ "$erasures_at_breda" -ge 1 ]
if coop receipt verify "$work/bo-receipt.json" --municipality "$breda_key" >"$work/out" 2>&1; then
  ok "sync/bo-receipt: Bo's receipt from before the erasure still verifies"
else
  fail "sync/bo-receipt" "$(cat "$work/out")"
fi
if coop member view --dir "$anna" >"$work/out" 2>&1 && grep -q "2026-01\|januari" "$work/out"; then
  fail "sync/anna-view" "her node still shows her months: $(head -3 "$work/out")"
else
  ok "sync/anna-view: her own node can no longer read her months"
fi

# ---- A payload removed without an erasure is damage ------------------------------------------

cp -r "$coop" "$work/tampered"
python3 - "$work/tampered/coop.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
# Bo's revenue record: the last transaction entry with a payload in the coop's log (log 1).
db.execute("UPDATE entries SET payload = NULL WHERE entry_key = (SELECT max(entry_key) FROM entries"
           " WHERE entry_key < 2 * 281474976710656 AND substr(header, 3, 2) = x'1200' AND payload IS NOT NULL)")
db.commit()
PY
if coop verify --dir "$work/tampered" >"$work/verify" 2>&1; then
  fail "tamper/missing" "verify passed"
elif grep -q "no erasure" "$work/verify" && grep -q "entry" "$work/verify"; then
  ok "tamper/missing: a payload gone without an erasure fails verify, naming the entry"
else
  fail "tamper/missing" "$(tail -n 3 "$work/verify")"
fi

# ---- Retention: list and apply with a clock --------------------------------------------------

on 2026-03-02
coop member set "$bo_id" --left --from 2026-03 --dir "$coop" >/dev/null
coop retention -O json --dir "$coop" >"$work/retention.json" 2>"$work/err"
listed=$(json '" ".join("%s:%s:%s" % (r["member_id"], r["retention_until"], r["due"]) for r in d)' <"$work/retention.json")
check "retention/list: Bo is kept until 2034-01-01, not due yet" "$listed" \
  [ "$listed" = "$bo_id:2034-01-01:False" ]
size=$(size_of "$coop")
coop retention apply --dir "$coop" >"$work/out" 2>&1
check "retention/not-yet: apply before the day erases nobody" "$(cat "$work/out")" \
  [ "$(size_of "$coop")" = "$size" ]
sync_from "$breda" # Breda learns that Bo left
on 2034-01-02
bo_audience=$(sql "$coop" "SELECT hex(audience_id) FROM books_members WHERE member_id = '$bo_id'")
bo_held() { sql "$1" "SELECT count(*) FROM entries WHERE hex(substr(header, 57, 16)) = '$bo_audience' AND payload IS NOT NULL"; }
coop retention -O json --dir "$breda" >"$work/retention-breda.json" 2>"$work/err"
listed=$(json '" ".join("%s:%s:%s:%s" % (r["member_id"], r["retention_until"], r["due"], r.get("coop")) for r in d)' <"$work/retention-breda.json")
check "retention/municipality-list: Breda lists its former resident Bo as due, in Breda Werkt's log" \
  "$listed $(cat "$work/err")" [ "$listed" = "$bo_id:2034-01-01:True:Breda Werkt" ]
if coop retention apply --dir "$breda" >"$work/out" 2>&1 && [ "$(bo_held "$breda")" = 0 ] &&
  [ "$(bo_held "$coop")" -gt 0 ] && coop verify --dir "$breda" >"$work/verify" 2>&1; then
  ok "retention/municipality-apply: Breda erases its own copies of Bo's data, independently of the coop (which still holds them); Breda's verify passes"
else
  fail "retention/municipality-apply" "$(cat "$work/out") breda $(bo_held "$breda") coop $(bo_held "$coop") $(tail -n 3 "$work/verify")"
fi
if coop retention apply --dir "$coop" >"$work/out" 2>&1 && grep -q "erased $bo_id" "$work/out"; then
  ok "retention/apply: after 2034-01-01 Bo is erased"
else
  fail "retention/apply" "$(cat "$work/out")"
fi
coop bal -O json --dir "$coop" >"$work/bal-late.json"
check "retention/balances: the books still balance the same" \
  "$(diff "$work/bal-before.json" "$work/bal-late.json" | head -5)" \
  cmp -s "$work/bal-before.json" "$work/bal-late.json"
if coop report year 2026 -O json --dir "$coop" >"$work/year.json" 2>"$work/err" &&
  [ "$(json '"%s %d" % (d["reconciles"], sum(1 for m in d["members"] if m["name"].startswith("gewist lid")))' <"$work/year.json")" = "True 2" ]; then
  ok "retention/year: the annual accounts reconcile, both erased members as 'gewist lid'"
else
  fail "retention/year" "$(cat "$work/err") $(head -c 300 "$work/year.json")"
fi
if coop verify --dir "$coop" >"$work/verify" 2>&1; then
  ok "retention/verify: verify passes after both erasures"
else
  fail "retention/verify" "$(tail -n 5 "$work/verify")"
fi

echo "node-erase: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
