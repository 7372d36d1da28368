#!/usr/bin/env bash
# Closing a year (`coop period close YYYY`), with real processes:
#
#   tests/node/year_close.sh COOP_BIN
#
# A coop (books from January 2026; Anna in Breda, Bo and Cas in Tilburg,
# Cas with a loss in one month) records and closes every month of 2026.
# Then, in January 2027:
#   - the year is refused while December is open, while a statement of it is
#     due for a reissue (a late fact of November), for a year without books,
#     a year out of turn and on a municipality's node: each with its message
#     and nothing written;
#   - after the reissue it closes: year-close records dated 2027-01-01 move
#     every profit and loss account to equity:result-earlier-years; the
#     annual accounts of 2026 are unchanged (and say closed); those of 2027
#     open with the profit and loss at zero and the result on 3900; `coop
#     bal` (all time) has only 2027's profit and loss; `bal -p 2026` is what
#     it was; the XAF of 2027 validates and declares 3900 once;
#   - nothing reaches into 2026 afterwards: a late fact, a correction (but
#     with --in-open-month), a retroactive status, a reissue, a second close;
#   - the log says "closed the year 2026"; verify passes; rebuild gives the
#     same books; the municipality's audit and verify pass with the new
#     entry kind; erasing a member after the close keeps every balance.
#
# Each check prints "ok   NAME" or "FAIL NAME: why", then one line
# "node-year-close: N passed, M failed"; exit 1 on any failure.
set -u
COOP=${1:?usage: year_close.sh COOP_BIN}
. "$(dirname "$0")/lib.sh" year-close
here=$(dirname "$(realpath "$0")")
xsd="$here/../data/xaf/XmlAuditfileFinancieel3.2.xsd"

# refused NAME STATUS MESSAGE COMMAND...: exits STATUS, says MESSAGE, and the
# coop's log does not grow.
refused() {
  local name=$1 status=$2 message=$3 output code before
  shift 3
  before=$(size_of "$coop")
  output=$("$@" 2>&1 >/dev/null)
  code=$?
  if [ "$code" != "$status" ] || ! grep -qF -- "$message" <<<"$output"; then
    fail "$name" "exit $code (expected $status): $output"
  elif [ "$(size_of "$coop")" != "$before" ]; then
    fail "$name" "the log grew from $before to $(size_of "$coop")"
  else
    ok "$name"
  fi
}
bal() { coop bal --dir "$coop" -O json "$@"; }

# ---- 2026, month by month ---------------------------------------------------------------

breda_tilburg
coop member add --dir "$coop" --name "Cas Bakker" --municipality tilburg --client-ref TB-9 \
  --birth 1979-03 >"$work/cas" || { echo "FAIL setup: Cas"; exit 1; }
cas=$(cat "$work/cas")
coop record opening --dir "$coop" --amount 1000 --date 2026-01-02 --ref opening >/dev/null ||
  { echo "FAIL setup: opening"; exit 1; }
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
  month=2026-$m
  on "$month-20"
  {
    coop record revenue --dir "$coop" --member "$anna" --amount 900 --date "$month-10" --ref "a-$m" &&
      coop record cost --dir "$coop" --member "$anna" --amount 120 --date "$month-12" --ref "ac-$m" &&
      coop record revenue --dir "$coop" --member "$bo" --amount 700 --date "$month-11" --ref "b-$m" &&
      coop record allowance --dir "$coop" --member "$bo" --amount 95 --date "$month-13" --ref "bv-$m" &&
      coop record coop-cost --dir "$coop" --amount 40 --date "$month-03" --ref "rent-$m" &&
      if [ "$m" = 05 ]; then # a loss: costs above revenue
        coop record revenue --dir "$coop" --member "$cas" --amount 100 --date "$month-14" --ref c-05 &&
          coop record cost --dir "$coop" --member "$cas" --amount 300 --date "$month-15" --ref cc-05
      fi
  } >/dev/null || { echo "FAIL setup: records of $month"; exit 1; }
  [ "$m" = 12 ] && break # December closes in January, below
  on "$(date -u -d "$month-01 +1 month" +%Y-%m)-02"
  coop period close "$month" --dir "$coop" >/dev/null || { echo "FAIL setup: close $month"; exit 1; }
done
on 2027-01-02
refused "refused while December is open" 1 "2026 cannot close while 2026-12 is open" \
  coop period close 2026 --dir "$coop"
coop period close 2026-12 --dir "$coop" >/dev/null || { echo "FAIL setup: close 2026-12"; exit 1; }

# ---- refusals before the close ---------------------------------------------------------

on 2027-01-10
coop record revenue --dir "$coop" --member "$bo" --amount 10 --date 2027-01-05 \
  --for-month 2026-11 --ref late-b-11 >/dev/null || fail "a late fact of November" "refused"
refused "refused while November is due for a reissue" 1 \
  "the statement of $bo for 2026-11 is due for a reissue" coop period close 2026 --dir "$coop"
refused "a year without books" 1 "no books for 2025: the books begin in 2026-01" \
  coop period close 2025 --dir "$coop"
refused "a year out of turn" 1 "2027 cannot close while 2026 is open" \
  coop period close 2027 --dir "$coop"
refused "a malformed year" 2 "invalid year '2o26'" coop period close 2o26 --dir "$coop"
refused "a year out of range" 2 "year 1850 is out of range" coop period close 1850 --dir "$coop"
refused "on a municipality's node" 1 "only a coop node closes its books" \
  coop period close 2026 --dir "$breda"
coop statement reissue --member "$bo" -p 2026-11 --dir "$coop" >/dev/null ||
  fail "November reissued" "refused"

coop report year 2026 --dir "$coop" -O json >"$work/report-2026-before.json" ||
  fail "the accounts of 2026 reconcile before the close" "exit $?"
bal -p 2026 >"$work/bal-2026-before.json"

# ---- the close --------------------------------------------------------------------------

if coop period close 2026 --dir "$coop" >"$work/close.out" 2>&1; then
  ok "2026 closes: $(cat "$work/close.out")"
else
  fail "2026 closes" "$(cat "$work/close.out")"
fi
grep -q "by 4 year-close record(s) dated 2027-01-01" "$work/close.out" &&
  ok "four year-close records: Anna, Bo, Cas and the coop" ||
  fail "four year-close records" "$(cat "$work/close.out")"

coop report year 2026 --dir "$coop" -O json >"$work/report-2026.json" ||
  fail "the accounts of 2026 reconcile after the close" "exit $?"
coop report year 2027 --dir "$coop" -O json >"$work/report-2027.json" ||
  fail "the accounts of 2027 reconcile" "exit $?"
bal >"$work/bal-all.json"
bal -p 2026 >"$work/bal-2026.json"
bal -p 2027 >"$work/bal-2027.json"
if python3 - "$work" <<'PYTHON'; then
import json, sys
w = sys.argv[1]
load = lambda name: json.load(open(f'{w}/{name}.json'))
before, after, now = load('report-2026-before'), load('report-2026'), load('report-2027')
problems = []
def expect(what, got, want):
    if got != want:
        problems.append(f'{what}: {got!r}, expected {want!r}')
# 2026 itself: the same figures, now closed.
expect('2026 closed', (before['closed'], after['closed']), (False, True))
for key in ('chart', 'accounts', 'members', 'municipalities', 'year_result_cents', 'checks'):
    expect(f'2026 {key} unchanged', after[key], before[key])
expect('bal -p 2026 unchanged', load('bal-2026'), load('bal-2026-before'))
result = before['year_result_cents']
expect('2026 made a profit', result < 0, True)
# 2027 opens with profit and loss at zero and the result on 3900.
chart = {line['code']: line for line in now['chart']}
for code, line in chart.items():
    if line['type'] in ('income', 'expense'):
        expect(f'{code} opens at zero', line['opening_cents'], 0)
expect('3900 opens with 2026 result', chart[3900]['opening_cents'], result)
expect('no result of earlier years apart', now['prior_result_cents'], 0)
expect('2027 reconciles', now['reconciles'], True)
for code in chart:
    if code != 3900 and chart[code]['type'] not in ('income', 'expense'):
        old = next(l for l in after['chart'] if l['code'] == code)
        expect(f'{code} opens with 2026 closing', chart[code]['opening_cents'], old['closing_cents'])
# coop bal over all time: profit and loss of 2027 only; bal -p 2027 leaves the close out.
every, year = ({r['account']: r['amount_cents'] for r in load(n)} for n in ('bal-all', 'bal-2027'))
pnl = lambda b: {a: c for a, c in b.items() if a.split(':')[0] in ('income', 'expenses') and c}
expect('all-time profit and loss is 2027s', pnl(every), pnl(year))
expect('equity:result-earlier-years', every.get('equity:result-earlier-years'), result)
expect('no 3900 movement in 2027', year.get('equity:result-earlier-years', 0), 0)
expect('the books balance', sum(every.values()), 0)
if problems:
    raise SystemExit('\n'.join(problems))
PYTHON
  ok "2026 unchanged and closed; 2027 opens with the result on 3900; coop bal agrees"
else
  fail "the accounts around the close" "see above"
fi

coop export --dir "$coop" -O xaf --year 2027 >"$work/2027.xaf" &&
  xmllint --noout --schema "$xsd" "$work/2027.xaf" 2>"$work/xmllint.out" &&
  ok "the XAF of 2027 validates" || fail "the XAF of 2027 validates" "$(cat "$work/xmllint.out")"
if python3 - "$work/2027.xaf" "$work/report-2026.json" <<'PYTHON'; then
import json, sys, xml.etree.ElementTree as ET
NS = {'x': 'http://www.auditfiles.nl/XAF/3.2'}
root = ET.parse(sys.argv[1]).getroot()
result = json.load(open(sys.argv[2]))['year_result_cents']
declared = [a for a in root.iterfind('.//x:ledgerAccount', NS) if a.find('x:accID', NS).text == '3900']
assert len(declared) == 1, f'3900 declared {len(declared)} times'
lines = [l for l in root.iterfind('.//x:obLine', NS) if l.find('x:accID', NS).text == '3900']
assert len(lines) == 1, f'{len(lines)} opening lines on 3900'
cents = round(float(lines[0].find('x:amnt', NS).text) * 100)
signed = cents if lines[0].find('x:amntTp', NS).text == 'D' else -cents
assert signed == result, (signed, result)
assert not any('year-close' in (t.findtext('x:desc', '', NS)) for t in root.iterfind('.//x:transaction', NS))
PYTHON
  ok "the XAF of 2027: 3900 declared once, opening with the result, no year-close transaction"
else
  fail "the XAF of 2027" "see above"
fi

# ---- nothing reaches into 2026 afterwards --------------------------------------------------

a_nov=$(coop reg --dir "$coop" -O csv | awk -F, '$5 == "a-11" {print $1; exit}')
refused "a late fact of 2026" 1 "--for-month 2026-12: 2026 is a closed year" \
  coop record revenue --dir "$coop" --member "$anna" --amount 5 --date 2027-01-06 --for-month 2026-12
refused "a correction counting in 2026" 1 \
  "entry $a_nov counts in 2026-11, and 2026 is a closed year" \
  coop correct "$a_nov" --reason "wrong client" --date 2027-01-06 --dir "$coop"
refused "a retroactive status into 2026" 1 "reaches into 2026, a closed year" \
  coop member set "$bo" --n-approved yes --from 2026-06 --retroactive --dir "$coop"
refused "a reissue of 2026" 1 "2026 is a closed year, its statements are final" \
  coop statement reissue --member "$bo" -p 2026-12 --dir "$coop"
refused "a second close" 1 "2026 is already closed" coop period close 2026 --dir "$coop"
if coop correct "$a_nov" --reason "wrong client" --date 2027-01-06 --in-open-month --dir "$coop" \
  >"$work/correct.out" 2>&1 && grep -q "counts in 2027-01" "$work/correct.out"; then
  ok "--in-open-month: the correction counts in 2027-01"
else
  fail "--in-open-month" "$(cat "$work/correct.out")"
fi
coop member set "$bo" --n-approved yes --from 2027-01 --dir "$coop" >/dev/null &&
  ok "a status from 2027 is taken" || fail "a status from 2027" "refused"
on 2027-02-02
coop period close 2027-01 --dir "$coop" >/dev/null && ok "January 2027 closes" ||
  fail "January 2027 closes" "refused"
coop report year 2027 --dir "$coop" -O json >/dev/null && ok "2027 still reconciles" ||
  fail "2027 still reconciles" "exit $?"

# ---- the log, verify, rebuild, the municipality -------------------------------------------

coop log --dir "$coop" | grep -q "closed the year 2026" && ok "coop log: closed the year 2026" ||
  fail "coop log" "no year close"
coop verify --dir "$coop" >/dev/null && ok "coop verify" || fail "coop verify" "failed"
bal >"$work/bal-all-before-rebuild.json"
coop report year 2027 --dir "$coop" -O json >"$work/report-2027-before-rebuild.json"
coop rebuild --dir "$coop" >/dev/null
bal >"$work/bal-all-rebuilt.json"
coop report year 2027 --dir "$coop" -O json >"$work/report-2027-rebuilt.json"
cmp -s "$work/bal-all-before-rebuild.json" "$work/bal-all-rebuilt.json" &&
  cmp -s "$work/report-2027-before-rebuild.json" "$work/report-2027-rebuilt.json" &&
  ok "rebuild: the same balances and accounts" || fail "rebuild" "differs"
if audit "$tilburg" && coop verify --dir "$tilburg" >/dev/null &&
  grep -q " 0 disputed now" "$work/audit.out"; then
  ok "Tilburg audits the coop's log with its year close"
else
  fail "Tilburg's audit" "$(cat "$work/audit.out")"
fi

bal >"$work/bal-before-erase.json"
coop member erase "$cas" --reason "verzoek" --before-retention --dir "$coop" >/dev/null 2>&1 ||
  fail "Cas erased" "refused"
bal >"$work/bal-after-erase.json"
cmp -s "$work/bal-before-erase.json" "$work/bal-after-erase.json" &&
  ok "erasing Cas after the close keeps every balance" ||
  fail "erasing Cas after the close" "$(diff "$work/bal-before-erase.json" "$work/bal-after-erase.json" | head)"
coop rebuild --dir "$coop" >/dev/null && bal >"$work/bal-erased-rebuilt.json" &&
  cmp -s "$work/bal-after-erase.json" "$work/bal-erased-rebuilt.json" &&
  ok "and a rebuild after it too" || fail "rebuild after the erasure" "differs"
coop period --help | grep -q "close YYYY" && ok "period --help names close YYYY" ||
  fail "period --help" "no close YYYY"

echo "node-year-close: $passed passed, $failed failed"
[ "$failed" = 0 ]
