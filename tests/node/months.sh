#!/usr/bin/env bash
# Real months, with real processes (every step a `coop` command; logs
# travel between the coop and the municipality as files):
#
#   tests/node/months.sh COOP_BIN
#
# 1. A retroactive n approval from January, made in April: refused without
#    --retroactive (nothing changes); with it, the municipality's report shows
#    January as "reissue due" while the original statement keeps its verdict
#    (an audit before and after the fact gives it the same one); April's
#    close reissues January to March; every reissue is acknowledged, no
#    dispute is left, and the figures equal those of a coop that had the
#    fact from January on.
# 2. A correction of a February record booked in May counts in February:
#    May's close reissues February and every later month whose carried state
#    changes; all acknowledged.
# 3. A late fact of a closed month: `coop record --for-month`; refusals
#    (a closed date, --for-month of an open month) change nothing.
#
# Each check prints "ok   NAME" or "FAIL NAME: why", then one line
# "node-months: N passed, M failed"; exit 1 on any failure.
set -u
COOP=${1:?usage: months.sh COOP_BIN}
. "$(dirname "$0")/lib.sh" months

# ---- Setup: a municipality, and a coop that knows it ------------------------------------------

on 2026-01-05
coop init --role municipality --name "Gemeente Breda" --dir "$work/muni" >/dev/null
rules Breda 1000 | coop rules publish - --dir "$work/muni" >/dev/null
muni_key=$(coop id --dir "$work/muni" -O json | json 'd["public_key"]')

# new_coop DIR: a coop that knows the municipality, books from January,
# members Anna and Bo (their ids in DIR/anna, DIR/bo).
new_coop() {
  coop init --role coop --name "Breda Werkt" --dir "$1" >/dev/null &&
    coop peer add --dir "$1" --key "$muni_key" --role municipality --name breda >/dev/null &&
    coop log export --dir "$work/muni" >"$work/muni.bundle" 2>/dev/null &&
    coop log import --dir "$1" "$work/muni.bundle" >/dev/null &&
    coop period open 2026-01 --dir "$1" >/dev/null &&
    coop member add --dir "$1" --name "Anna de Vries" --municipality breda --client-ref BR-1001 \
      --birth 1990-04 >"$1/anna" &&
    coop member add --dir "$1" --name "Bo Jansen" --municipality breda --client-ref BR-1002 \
      --birth 1985-07 >"$1/bo"
}
# month_of DIR MONTH DAY-OF-CLOSE: the month's records, then its close.
month_of() {
  local dir=$1 month=$2 anna bo
  anna=$(cat "$dir/anna") bo=$(cat "$dir/bo")
  coop record revenue --dir "$dir" --member "$anna" --amount 900 --date "$month-10" \
    --ref "a-$month" >/dev/null &&
    coop record cost --dir "$dir" --member "$anna" --amount 120 --date "$month-12" \
      --ref "ac-$month" >/dev/null &&
    coop record revenue --dir "$dir" --member "$bo" --amount 1500 --date "$month-11" \
      --ref "b-$month" >/dev/null
}
# audit DIR: the coop's log to the municipality, its audit, its log back.
audit() {
  coop log export --dir "$1" >"$work/coop.bundle" 2>/dev/null &&
    coop log import --dir "$work/muni" "$work/coop.bundle" >/dev/null &&
    coop audit run --dir "$work/muni" >"$work/audit.out" &&
    coop log export --dir "$work/muni" >"$work/muni.bundle" 2>/dev/null &&
    coop log import --dir "$1" "$work/muni.bundle" >/dev/null
}
report() { # MONTH [MEMBER]: "status" of the member's row (Anna's by default)
  coop audit report --dir "$work/muni" -p "$1" -O json |
    json "[r['status'] for r in d if r['client_ref'] == '${2:-BR-1001}'][0]"
}

coop_dir=$work/coop
new_coop "$coop_dir" || { echo "FAIL setup: coop"; exit 1; }
anna=$(cat "$coop_dir/anna")
for month in 2026-01 2026-02 2026-03; do
  on "$month-20"
  month_of "$coop_dir" "$month" || { echo "FAIL setup: records of $month"; exit 1; }
  on "$(date -u -d "$month-01 +1 month" +%Y-%m)-02"
  coop period close "$month" --dir "$coop_dir" >/dev/null || { echo "FAIL setup: close $month"; exit 1; }
done
audit "$coop_dir" || { echo "FAIL setup: audit"; exit 1; }
january=$(coop statement --dir "$coop_dir" --member "$anna" -p 2026-01 -O json | json 'd["entry_index"]')

# ---- 1. A retroactive n approval --------------------------------------------------------------

on 2026-04-10
before_size=$(size_of "$coop_dir")
before_bal=$(coop bal --dir "$coop_dir" -O json)
coop member set "$anna" --n-approved yes --from 2026-01 --dir "$coop_dir" >"$work/out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "2026-01 to 2026-03" "$work/out" && grep -q -- "--retroactive" "$work/out" &&
  [ "$(size_of "$coop_dir")" = "$before_size" ] &&
  [ "$(coop bal --dir "$coop_dir" -O json)" = "$before_bal" ] && coop verify --dir "$coop_dir" >/dev/null; then
  ok "retroactive: without --retroactive a fact from a closed month is refused naming the months, and nothing changes ($(head -c 120 "$work/out"))"
else
  fail "retroactive: refusal" "exit $rc: $(cat "$work/out")"
fi

if coop member set "$anna" --n-approved yes --from 2026-01 --retroactive --dir "$coop_dir" >"$work/out" 2>&1 &&
  audit "$coop_dir" && [ "$(report 2026-01)" = "reissue due" ] && [ "$(report 2026-03)" = "reissue due" ] &&
  [ "$(report 2026-02 BR-1002)" = "acknowledged" ] && grep -q " 0 disputed" "$work/audit.out"; then
  ok "retroactive: recorded with --retroactive; January-March of Anna are 'reissue due' in the municipality's report, Bo's months stay acknowledged, nothing disputed"
else
  fail "retroactive: report" "$(cat "$work/out") / $(cat "$work/audit.out") / jan $(report 2026-01)"
fi

# The original January statement keeps its verdict after the fact arrived.
verdict=$(coop statement --dir "$work/muni" --member "$anna" -p 2026-01 -O json 2>/dev/null | json 'd.get("verdict",{}).get("status")')
coop audit report --dir "$work/muni" -p 2026-01 -O json >"$work/report.json"
if python3 - "$work/report.json" "$january" <<'PY'; then
import json, sys
rows = json.load(open(sys.argv[1]))
anna = [r for r in rows if r["client_ref"] == "BR-1001"][0]
sys.exit(0 if anna["statement_index"] == int(sys.argv[2]) and anna["status"] == "reissue due" and "reissue_cause" in anna else 1)
PY
  ok "retroactive: the audit after the fact still judges January's statement (entry $january) as it stood: not disputed, reissue due from entry $(python3 -c "import json;print([r for r in json.load(open('$work/report.json')) if r['client_ref']=='BR-1001'][0]['reissue_cause'])")"
else
  fail "retroactive: same verdict" "$(cat "$work/report.json") (statement verdict: $verdict)"
fi

on 2026-04-20
month_of "$coop_dir" 2026-04
on 2026-05-02
coop period close 2026-04 --dir "$coop_dir" >"$work/close.out" 2>&1
if [ $? = 0 ] && [ "$(grep -c "^reissued the statement of $anna for 2026-0[123]" "$work/close.out")" = 3 ] &&
  audit "$coop_dir" && grep -q " 0 disputed" "$work/audit.out" &&
  [ "$(report 2026-01)" = acknowledged ] && [ "$(report 2026-02)" = acknowledged ] &&
  [ "$(report 2026-03)" = acknowledged ] && [ "$(report 2026-04)" = acknowledged ] &&
  [ -z "$(coop disputes --dir "$coop_dir" 2>/dev/null | grep -v '^no ')" ]; then
  ok "retroactive: April's close reissued January-March first ($(grep -c '^reissued' "$work/close.out") statements), the municipality acknowledged every one, no dispute open"
else
  fail "retroactive: cascade" "$(cat "$work/close.out") / $(cat "$work/audit.out") / $(report 2026-01) $(report 2026-02) $(report 2026-03)"
fi

# A coop that had the fact from January on computes the same figures.
fresh=$work/fresh
on 2026-01-05
new_coop "$fresh" && coop member set "$(cat "$fresh/anna")" --n-approved yes --from 2026-01 --dir "$fresh" >/dev/null
for month in 2026-01 2026-02 2026-03 2026-04; do
  on "$month-20"
  month_of "$fresh" "$month"
  on "$(date -u -d "$month-01 +1 month" +%Y-%m)-02"
  coop period close "$month" --dir "$fresh" >/dev/null
done
same=yes
for month in 2026-01 2026-02 2026-03 2026-04; do
  a=$(coop statement --dir "$coop_dir" --member "$anna" -p $month -O json | json 'json.dumps([d["statement"], d["inputs"]], sort_keys=True)')
  b=$(coop statement --dir "$fresh" --member "$(cat "$fresh/anna")" -p $month -O json | json 'json.dumps([d["statement"], d["inputs"]], sort_keys=True)')
  [ "$a" = "$b" ] || { same="$month: $a vs $b"; break; }
done
if [ "$same" = yes ]; then
  ok "retroactive: the reissued January-April equal a fresh computation with the fact in place from January (inputs and every figure)"
else
  fail "retroactive: fresh computation" "$same"
fi

# ---- 2. A correction of February booked in May ------------------------------------------------

on 2026-05-12
feb_entry=$(coop reg --dir "$coop_dir" --member "$anna" -O json | json "[r['index'] for r in d if r.get('ref') == 'a-2026-02'][0]" 2>/dev/null)
coop correct "$feb_entry" --reason "invoice belonged to another month" --dir "$coop_dir" >"$work/out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "2026-02" "$work/out"; then
  ok "correction: 'coop correct' of February's revenue, booked in May, says it counts in February ($(head -1 "$work/out"))"
else
  fail "correction: booked" "exit $rc: $(cat "$work/out")"
fi
on 2026-05-20
month_of "$coop_dir" 2026-05
on 2026-06-02
coop period close 2026-05 --dir "$coop_dir" >"$work/close.out" 2>&1
rc=$?
feb_revenue=$(coop statement --dir "$coop_dir" --member "$anna" -p 2026-02 -O json | json 'd["inputs"]["revenue"]')
if [ $rc = 0 ] && grep -q "^reissued the statement of $anna for 2026-02" "$work/close.out" &&
  [ "$feb_revenue" = 0 ] && audit "$coop_dir" && grep -q " 0 disputed" "$work/audit.out" &&
  [ "$(report 2026-02)" = acknowledged ] && [ "$(report 2026-05)" = acknowledged ]; then
  ok "correction: May's close reissued February (revenue now 0) and the later months it carries into ($(grep -c '^reissued' "$work/close.out") statements); all acknowledged"
else
  fail "correction: cascade" "exit $rc: $(cat "$work/close.out") / revenue $feb_revenue / $(cat "$work/audit.out")"
fi

# ---- 3. A late fact of a closed month, and refusals -------------------------------------------

on 2026-06-10
before_size=$(size_of "$coop_dir")
coop record revenue --dir "$coop_dir" --member "$anna" --amount 50 --date 2026-03-15 >"$work/out" 2>&1
rc1=$?
coop record revenue --dir "$coop_dir" --member "$anna" --amount 50 --date 2026-06-10 --for-month 2026-06 >>"$work/out" 2>&1
rc2=$?
if [ $rc1 = 1 ] && [ $rc2 != 0 ] && grep -q -- "--for-month 2026-03" "$work/out" &&
  [ "$(size_of "$coop_dir")" = "$before_size" ] && coop verify --dir "$coop_dir" >/dev/null; then
  ok "for-month: a date in a closed month and --for-month of an open month are refused, naming the way (--for-month), nothing written"
else
  fail "for-month: refusals" "exit $rc1/$rc2: $(cat "$work/out")"
fi
coop record revenue --dir "$coop_dir" --member "$anna" --amount 50 --date 2026-06-10 --for-month 2026-03 \
  --ref late-march >"$work/out" 2>&1 &&
  audit "$coop_dir" && status=$(report 2026-03)
on 2026-07-02
coop period close 2026-06 --dir "$coop_dir" >"$work/close.out" 2>&1
march_revenue=$(coop statement --dir "$coop_dir" --member "$anna" -p 2026-03 -O json | json 'd["inputs"]["revenue"]')
if [ "${status:-}" = "reissue due" ] && grep -q "^reissued the statement of $anna for 2026-03" "$work/close.out" &&
  [ "$march_revenue" = 95000 ] && audit "$coop_dir" && grep -q " 0 disputed" "$work/audit.out" &&
  [ "$(report 2026-03)" = acknowledged ]; then
  ok "for-month: a revenue dated in June for March makes March 'reissue due'; June's close reissues it (revenue 950.00), acknowledged"
else
  fail "for-month: reissue" "status ${status:-?}, revenue $march_revenue: $(cat "$work/out") $(cat "$work/close.out")"
fi
# The hours limit counts in the month a record belongs to.
on 2026-07-05
coop record hours --dir "$coop_dir" --member "$anna" --hours 700 --date 2026-07-05 --for-month 2026-03 \
  --ref h1 >"$work/out" 2>&1 &&
  coop record hours --dir "$coop_dir" --member "$anna" --hours 100 --date 2026-07-05 >>"$work/out" 2>&1
coop record hours --dir "$coop_dir" --member "$anna" --hours 50 --date 2026-07-06 --for-month 2026-03 \
  >>"$work/out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "hours of $anna in 2026-03 would come to 750" "$work/out"; then
  ok "for-month: hours for March booked in July count toward March's 744 (July's own are apart)"
else
  fail "for-month: hours limit" "exit $rc: $(cat "$work/out")"
fi
coop verify --dir "$coop_dir" >/dev/null && ok "verify: the coop's log and books verify after it all" ||
  fail "verify" "$(coop verify --dir "$coop_dir" 2>&1 | tail -2)"

echo "node-months: $passed passed, $failed failed"
[ "$failed" = 0 ]
