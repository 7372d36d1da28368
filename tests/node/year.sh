#!/usr/bin/env bash
# The member's year statement (jaaropgave, `coop statement --year`) and the
# municipality's year overview (`coop audit report --year`), with real
# processes (logs travel between nodes as files, as `coop sync` would carry
# them):
#
#   tests/node/year.sh COOP_BIN
#
# A fixture year: 2026 with two municipalities (Breda, Tilburg); Anna
# (Breda, with her own node) moves to Tilburg from March, a January record
# of hers is corrected in March (January and February reissued), she
# spends from her development budget; Bo lives in Tilburg; Cas (Breda)
# leaves the coop from April.  January to April closed, May on open.
#
# Checks: each member's year totals equal the sums of the monthly
# statements in force (`coop statement -p` of each closed month); the
# reissues and their verdicts; the open months named, --final refusing
# them; the month Cas left; Anna's own node and each municipality's node
# see the same figures for the months they can read; the audit overview's
# totals equal the sums of the monthly reports; bad input refused with a
# message naming it.
#
# Each check prints "ok   NAME" or "FAIL NAME: why", then one line
# "node-year: N passed, M failed"; exit 1 on any failure.
set -u
COOP=${1:?usage: year.sh COOP_BIN}
. "$(dirname "$0")/lib.sh" year

# ---- The fixture year ------------------------------------------------------------------------

breda_tilburg
coop member add --dir "$coop" --name "Cas <Bakker>" --municipality breda --client-ref BR-1003 \
  --birth 2001-02 >"$work/cas" || { echo "FAIL setup: Cas"; exit 1; }
cas=$(cat "$work/cas")
earn() { # MONTH
  coop record revenue --dir "$coop" --member "$anna" --amount 900 --date "$1-10" --ref "a-$1" >/dev/null &&
    coop record cost --dir "$coop" --member "$anna" --amount 120 --date "$1-12" --ref "ac-$1" >/dev/null &&
    coop record revenue --dir "$coop" --member "$bo" --amount 700 --date "$1-11" --ref "b-$1" >/dev/null &&
    coop record allowance --dir "$coop" --member "$bo" --amount 95 --date "$1-13" --ref "bv-$1" >/dev/null
}
close() { on "$(date -u -d "$1-01 +1 month" +%Y-%m)-02" && coop period close "$1" --dir "$coop" >"$work/close.out"; }
for month in 2026-01 2026-02; do
  on "$month-20"
  earn "$month" && coop record revenue --dir "$coop" --member "$cas" --amount 400 --date "$month-15" \
    --ref "c-$month" >/dev/null && close "$month" || { echo "FAIL setup: $month"; exit 1; }
done
audit "$breda" && audit "$tilburg" || { echo "FAIL setup: audit"; exit 1; }

on 2026-03-03
# Anna moves to Tilburg from March; her January revenue was wrong: corrected
# in March and booked again; she spends from her budget; Cas leaves from April.
jan_revenue=$(coop reg --dir "$coop" -O csv | awk -F, '$5 == "a-2026-01" && !found {print $1; found = 1}')
{
  coop member set "$anna" --municipality tilburg --from 2026-03 --client-ref TB-88 --dir "$coop" >/dev/null &&
    coop member set "$anna" --n-approved yes --from 2026-03 --dir "$coop" >/dev/null &&
    coop correct "$jan_revenue" --reason "wrong amount" --date 2026-03-02 --dir "$coop" >/dev/null &&
    coop record revenue --dir "$coop" --member "$anna" --amount 1150 --date 2026-03-02 \
      --for-month 2026-01 --ref a-2026-01-fixed >/dev/null &&
    coop record spend --dir "$coop" --member "$anna" --amount 50 --date 2026-03-04 --ref course >/dev/null &&
    coop record revenue --dir "$coop" --member "$cas" --amount 300 --date 2026-03-15 --ref c-2026-03 >/dev/null &&
    coop member set "$cas" --left --from 2026-04 --dir "$coop" >/dev/null
} || { echo "FAIL setup: March"; exit 1; }
on 2026-03-20
earn 2026-03 && close 2026-03 || { echo "FAIL setup: March close $(cat "$work/close.out")"; exit 1; }
reissued=$(grep -c "^reissued the statement of $anna" "$work/close.out")
on 2026-04-20
earn 2026-04 && close 2026-04 || { echo "FAIL setup: April close"; exit 1; }
on 2026-05-10
audit "$breda" && audit "$tilburg" || { echo "FAIL setup: second audit"; exit 1; }
carry "$coop" "$anna_node" && carry "$breda" "$anna_node" && carry "$tilburg" "$anna_node" ||
  { echo "FAIL setup: Anna's node"; exit 1; }

# ---- The year's totals are the sums of the monthly statements in force ---------------------

# sums MEMBER DIR: the sums of `coop statement -p` over January-April, and
# the months that have one, as one line of "field=value".
sums() {
  local member=$1 dir=$2 month
  for month in 2026-01 2026-02 2026-03 2026-04; do
    coop statement --dir "$dir" ${member:+--member "$member"} -p "$month" -O json 2>/dev/null || echo null
  done | python3 -c "
import json, sys
dec = json.JSONDecoder(); text = sys.stdin.read().strip(); at = 0; found = []
while at < len(text):
    obj, at = dec.raw_decode(text, at)
    while at < len(text) and text[at].isspace(): at += 1
    found.append(obj)
t = {k: 0 for k in ('revenue', 'costs', 'coop_share', 'counted_income', 'offset', 'to_municipality', 'to_budget', 'disregard', 'benefit', 'profit')}
months = []
for s in found:
    if not s: continue
    months.append(s['statement']['period'])
    t['revenue'] += s['inputs']['revenue']; t['costs'] += s['inputs']['costs']
    for k in ('coop_share', 'counted_income', 'offset', 'to_municipality', 'to_budget', 'disregard', 'benefit', 'profit'):
        t[k] += s['statement'][k]
print(' '.join('%s=%d' % kv for kv in sorted(t.items())), 'months=' + ','.join(months))"
}
# totals MEMBER DIR: the same fields from the year statement.
totals() {
  coop statement --dir "$2" ${1:+--member "$1"} --year 2026 -O json | python3 -c "
import json, sys
d = json.load(sys.stdin); t = d['totals']
keys = ('revenue', 'costs', 'coop_share', 'counted_income', 'offset', 'to_municipality', 'to_budget', 'disregard', 'benefit', 'profit')
print(' '.join('%s=%d' % (k, t[k]) for k in sorted(keys)), 'months=' + ','.join(m['period'] for m in d['months'] if m['state'] == 'stated'))"
}
for who in anna bo cas; do
  member=${!who}
  expected=$(sums "$member" "$coop") got=$(totals "$member" "$coop")
  if [ -n "$got" ] && [ "$got" = "$expected" ] && ! echo "$got" | grep -q "revenue=0 "; then
    ok "$who: the year's totals are the sums of the monthly statements in force ($got)"
  else
    fail "$who: year totals" "year '$got' months '$expected'"
  fi
done

year_json() { coop statement --dir "$coop" --member "$1" --year 2026 -O json; }
jan=$(year_json "$anna" | json '" ".join("%s %s %s %s" % (m["reissues"], [(r["entry_index"] == m["replaces"], r["verdict"]) for r in m["replaced"]], m["verdict"]["status"], m["entry_index"]) for m in d["months"][:2]).replace(" ", "")')
jan_monthly=$(coop statement --dir "$coop" --member "$anna" -p 2026-01 -O json | json 'd["entry_index"]')
feb_monthly=$(coop statement --dir "$coop" --member "$anna" -p 2026-02 -O json | json 'd["entry_index"]')
if [ "$reissued" = 1 ] && [ "$jan" = "1[(True,'acknowledged')]acknowledged${jan_monthly}0[]acknowledged$feb_monthly" ]; then
  ok "January: the reissue is the statement in force (entry $jan_monthly), acknowledged, replacing one Breda had acknowledged; February never reissued"
else
  fail "reissue" "reissued $reissued, january '$jan', monthly entry $jan_monthly"
fi

budget=$(year_json "$anna" | json '"%d %d %d %d" % (d["budget"]["start"], d["budget"]["end"], d["totals"]["to_budget"], d["totals"]["budget_spent"])')
read -r start end given spent <<<"$budget"
if [ "$start" = 0 ] && [ "$spent" = 5000 ] && [ "$end" = $((given - 5000)) ] && [ "$given" -gt 0 ]; then
  ok "her development budget: given $given, spent $spent, left $end at the end of what is closed"
else
  fail "budget" "$budget"
fi

rule_sets=$(year_json "$anna" | json '" ".join(r["log_id"][:8] + ":" + r["from"] + ":" + r["to"] for r in d["rule_sets"])')
if [ "$rule_sets" = "${breda_key:0:8}:2026-01:2026-02 ${tilburg_key:0:8}:2026-03:2026-04" ]; then
  ok "the rule sets used: Breda's January-February, Tilburg's March-April"
else
  fail "rule sets" "'$rule_sets'"
fi

# ---- Open months, --final, the month Cas left ------------------------------------------------

open=$(year_json "$anna" | json '" ".join(d["open_months"]) + " " + str(d["final"])')
coop statement --dir "$coop" --member "$anna" --year 2026 >"$work/text" 2>&1
if [ "$open" = "2026-05 2026-06 2026-07 2026-08 2026-09 2026-10 2026-11 2026-12 False" ] &&
  grep -q "^NOG OPEN (niet afgesloten): 2026-05, 2026-06" "$work/text" &&
  grep -q "^mei *nog open" "$work/text" && grep -q "^Jaaropgave 2026 — Anna de Vries ($anna), klantnummer TB-88" "$work/text"; then
  ok "open months: May to December named as open, the year not final (Dutch text)"
else
  fail "open months" "'$open' / $(head -30 "$work/text")"
fi
coop statement --dir "$coop" --member "$anna" --year 2026 --final >"$work/out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "open months 2026-05, 2026-06" "$work/out" && [ "$(wc -l <"$work/out")" = 1 ]; then
  ok "--final refuses a year with open months, naming them ($(cat "$work/out"))"
else
  fail "--final" "exit $rc: $(cat "$work/out")"
fi
cas_states=$(year_json "$cas" | json '" ".join(m["state"] for m in d["months"][:5])')
if [ "$cas_states" = "stated stated stated left open" ]; then
  ok "Cas left from April: January-March stated, April 'left', May open"
else
  fail "Cas's year" "'$cas_states'"
fi

# ---- Her own node, each municipality's node -----------------------------------------------------

own=$(totals "" "$anna_node") at_coop=$(totals "$anna" "$coop")
if [ "$own" = "$at_coop" ]; then
  ok "her own node (no --member) shows the same year as the coop's"
else
  fail "her own node" "own '$own' coop '$at_coop'"
fi
breda_sums=$(sums "$anna" "$breda") breda_year=$(totals "$anna" "$breda")
tilburg_sums=$(sums "$anna" "$tilburg") tilburg_year=$(totals "$anna" "$tilburg")
if [ "$breda_year" = "$breda_sums" ] && [ "$tilburg_year" = "$tilburg_sums" ] &&
  echo "$breda_year" | grep -q "months=2026-01,2026-02$" && echo "$tilburg_year" | grep -q "months=2026-03,2026-04$"; then
  ok "Breda's node reads her January-February, Tilburg's her March-April, each summing its statements"
else
  fail "municipalities' view" "breda '$breda_year' vs '$breda_sums'; tilburg '$tilburg_year' vs '$tilburg_sums'"
fi

# ---- Printable HTML ------------------------------------------------------------------------------

coop statement --dir "$coop" --member "$cas" --year 2026 -O html >"$work/html"
if grep -q "@page{size:A4" "$work/html" && grep -q "<h1>Jaaropgave 2026</h1>" "$work/html" &&
  grep -q "Cas &lt;Bakker&gt;" "$work/html" && ! grep -q "Cas <Bakker>" "$work/html" &&
  coop statement --dir "$coop" --member "$cas" --year 2026 --lang en | grep -q "^Year statement 2026"; then
  ok "-O html: printable (A4), names escaped; --lang en in English"
else
  fail "html" "$(head -c 600 "$work/html")"
fi

# ---- The municipality's year overview --------------------------------------------------------------

# Breda: the sum of its monthly reports' amounts against the overview's.
monthly_due=0
for month in 2026-01 2026-02 2026-03 2026-04; do
  due=$(coop audit report --dir "$breda" -p "$month" -O json |
    json 'sum(r.get("to_municipality", 0) for r in d)')
  monthly_due=$((monthly_due + due))
done
overview=$(coop audit report --dir "$breda" --year 2026 -O json)
year_due=$(echo "$overview" | json 'd["totals"]["to_municipality"]')
resident_due=$(echo "$overview" | json 'sum(r["totals"]["to_municipality"] for r in d["residents"])')
rows=$(echo "$overview" | json '" ".join(r["client_ref"] + ":" + ",".join(m["period"][5:] + m["status"][0] for m in r["months"]) for r in sorted(d["residents"], key=lambda r: r["client_ref"]))')
if [ "$year_due" = "$monthly_due" ] && [ "$resident_due" = "$monthly_due" ] && [ "$monthly_due" -gt 0 ] &&
  [ "$rows" = "BR-1001:01a,02a BR-1003:01a,02a,03a" ]; then
  ok "Breda's overview: Anna January-February, Cas January-March; to the municipality $year_due = the monthly reports' sum"
else
  fail "Breda's overview" "year $year_due residents $resident_due monthly $monthly_due rows '$rows'"
fi
coop audit report --dir "$breda" --year 2026 -O csv >"$work/csv"
if [ "$(head -1 "$work/csv")" = "client_ref,member,name,coop,month,statement,counted_income,offset,benefit,to_municipality,status,dispute_reason" ] &&
  [ "$(grep -c ',total,' "$work/csv")" = 3 ] && tail -1 "$work/csv" | grep -q '2 residents' &&
  coop audit report --dir "$tilburg" --year 2026 | grep -q "^TB-88 .* 2026-03 "; then
  ok "overview csv: a total row per resident and one for all; Tilburg's text lists Anna's March"
else
  fail "overview csv/text" "$(cat "$work/csv")"
fi

# ---- Bad input: refused, naming what -----------------------------------------------------------

refused() { # NAME EXIT TEXT ARGS...
  local name=$1 want=$2 text=$3
  shift 3
  coop "$@" >"$work/out" 2>&1
  local rc=$?
  if [ $rc = "$want" ] && grep -q -- "$text" "$work/out"; then
    ok "refused: $name ($(head -1 "$work/out"))"
  else
    fail "refused: $name" "exit $rc: $(cat "$work/out")"
  fi
}
refused "a year in the future" 2 "year 2027 has not begun (today is .*): expected a year from 1900 to 2026" statement --dir "$coop" --member "$anna" --year 2027
refused "not a year" 2 "invalid year '26'" statement --dir "$coop" --member "$anna" --year 26
refused "a year before she was a member" 1 "has no statement or income in 2025" statement --dir "$coop" --member "$anna" --year 2025
refused "a member who does not exist" 1 "no member 'nobody'" statement --dir "$coop" --member nobody --year 2026
refused "--year with -p" 2 "without -p" statement --dir "$coop" --member "$anna" --year 2026 -p 2026-01
refused "--final without --year" 2 "--final goes with --year" statement --dir "$coop" --member "$anna" -p 2026-01 --final
refused "the overview on a coop node" 2 "a municipality's view" audit report --dir "$coop" --year 2026
refused "the overview of a future year" 2 "year 2031 has not begun (today is .*): expected a year from 1900 to 2026" audit report --dir "$breda" --year 2031
refused "the overview with -p and --year" 2 "not both" audit report --dir "$breda" --year 2026 -p 2026-01

echo "node-year: $passed passed, $failed failed"
[ "$failed" = 0 ]
