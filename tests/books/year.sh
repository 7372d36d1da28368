#!/usr/bin/env bash
# The year end: the coop's annual accounts (`coop report year`) and the XAF
# 3.2 audit file (`coop export -O xaf`), against the books and independent
# tools.
#
#   tests/books/year.sh build/cli/coop      (or COOP_BIN=...)
#
# 1. Builds the books fixture (tests/books/fixture.sh: two municipalities,
#    corrections, January and February closed), then moves the clock to
#    May: Bram leaves from April, more records, March and April close.
# 2. The annual accounts of 2026 reconcile, and their figures equal the
#    books': every account (year and year end) equals `coop bal`, the
#    balance sheet sums to zero, each development budget is opening +
#    added - spent = its account, the municipalities' dues sum to their
#    accounts, the statements' splits equal the booked profit splits (from
#    `coop reg`), and Bram shows as left from April.  txt, csv, html and
#    English answer too.
# 3. The XAF validates against the published XSD (tests/data/xaf, with
#    xmllint); parsed back, its transaction lines per account equal `coop
#    bal -p 2026` to the cent, opening balance plus lines equal the year-end
#    balances, its totals and line count are its lines', one transaction
#    per money record, members are relations with their client refs.
# 3b. A second coop whose books begin in November 2025: the accounts and
#    audit files of 2025 and 2026, 2026 opening with 2025's balances, its
#    result (on 3900 in the XAF), the development budget and what is owed.
# 4. hledger's balances of `coop export -O hledger -p 2026` equal the
#    annual accounts (skipped without hledger).
# 4b. A member who moves in May: what she pays then counts for the new
#    municipality, and everything still reconciles.
# 5. Bad input: a year out of range or malformed, a year not begun, a year
#    without books, -O xaf without --year, and more: each refused with its
#    message and exit code.
# 6. One cent edited into a booked split in the database: the report says
#    the accounts do not reconcile (exit 1); after coop rebuild they do.
# Prints `year: N passed, M failed`; exit 77 (skip) without xmllint or python3.
set -u
coop=${1:-${COOP_BIN:?usage: year.sh COOP_BINARY}}
coop=$(realpath "$coop")
here=$(dirname "$(realpath "$0")")
xsd="$here/../data/xaf/XmlAuditfileFinancieel3.2.xsd"
for tool in xmllint python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "year: skipped: $tool is not installed (scripts/deps.sh test)"
    exit 77
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export COOP_HOME="$work/node"
# pass, fail, check; $passed and $failed.
. "$here/check.sh"
# refused NAME STATUS MESSAGE COMMAND...: exits STATUS and says MESSAGE on stderr.
refused() {
  local name=$1 status=$2 message=$3 output code
  shift 3
  output=$("$@" 2>&1 >/dev/null)
  code=$?
  if [ "$code" = "$status" ] && grep -qF -- "$message" <<<"$output"; then
    pass "$name"
  else
    fail "$name" "exit $code (expected $status): $output"
  fi
}

if ! output=$(COOP_BIN="$coop" COOP_NOW_MS=1775000000000 "$here/fixture.sh" "$work" 2>&1); then
  fail "fixture builds" "$output"
  echo "year: $passed passed, $failed failed"
  exit 1
fi
mapfile -t members < <(cut -d' ' -f1 "$work/members")
anna=${members[0]} bram=${members[1]} dewi=${members[3]}

# ---- May 2026: Bram left from April, March and April close ---------------------
export COOP_NOW_MS=1778846400000 # 2026-05-15
if output=$({
  set -e
  "$coop" member set "$bram" --from 2026-04 --left
  "$coop" record revenue --member "$anna" --amount 812.40 --date 2026-04-07 --ref inv-04-anna
  "$coop" record revenue --member "$dewi" --amount 1210 --date 2026-04-09 --ref inv-04-dewi
  "$coop" record cost --member "$dewi" --amount 64.95 --date 2026-04-11 --ref cost-04-dewi
  "$coop" record coop-cost --amount 850 --date 2026-04-01 --ref rent-04 --note "Rent workshop"
  "$coop" record remittance --member "$bram" --amount 250 --date 2026-04-10 --ref rem-03-bram
  "$coop" period close 2026-03
  "$coop" period close 2026-04
} 2>&1); then
  pass "fixture year builds (Bram left from April; March and April closed)"
else
  fail "fixture year builds" "$output"
fi

# ---- the annual accounts against the books ------------------------------------------
"$coop" bal -O json >"$work/bal-all.json"
"$coop" bal -p 2026 -O json >"$work/bal-2026.json"
"$coop" reg -p 2026 -O csv >"$work/reg-2026.csv"
check "coop report year 2026 -O json reconciles (exit 0)" \
  sh -c '"$1" report year 2026 -O json >"$2"' sh "$coop" "$work/report.json"

cat >"$work/accounts.py" <<'PYTHON'
"""accounts.py REPORT BAL_YEAR BAL_ALL REG_CSV BRAM MUNICIPALITIES MONTHS [REG_ALL]: the
annual accounts against the books, in integer cents.  BRAM: the member who
left from April ("-": none); MONTHS: the statements each other member has."""
import csv, json, sys

report = json.load(open(sys.argv[1]), parse_float=str)
bal_year = {r['account']: r['amount_cents'] for r in json.load(open(sys.argv[2]))}
bal_all = {r['account']: r['amount_cents'] for r in json.load(open(sys.argv[3]))}
register = list(csv.DictReader(open(sys.argv[4], newline='', encoding='utf-8')))
bram, municipalities, months = sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
problems = []
def expect(what, got, want):
    if got != want:
        problems.append(f'{what}: {got}, expected {want}')

expect('reconciles', report['reconciles'], True)
expect('every check', set(report['checks'].values()), {True})
accounts = {a['account']: a for a in report['accounts']}
expect('accounts (year end)', {n: a['closing_cents'] for n, a in accounts.items()}, bal_all)
expect('accounts (year)', {n: a['year_cents'] for n, a in accounts.items()
                           if n in bal_year}, bal_year)
chart = {line['code']: line for line in report['chart']}
expect('the balance sheet and results sum to zero',
       sum(line['closing_cents'] for line in report['chart']), 0)
for code, line in chart.items():
    by_account = sum(a['closing_cents'] for a in report['accounts'] if a['code'] == code)
    expect(f'chart line {code}', line['closing_cents'], by_account)
pnl = [l for l in report['chart'] if l['type'] in ('income', 'expense')]
expect('year result', report['year_result_cents'], sum(l['year_cents'] for l in pnl))

def member_account(member, suffix):
    return next((a['closing_cents'] for n, a in accounts.items()
                 if n.startswith(f'liabilities:members:{member}:') and n.endswith(suffix)), 0)

# A split belongs to the year of the statement it books, which its note
# names ("profit split 2025-12 (reissued statement: the difference)"): a
# reissue booked in January may be December's.  REG_ALL (optional, argv 8):
# the register of every year, to find those.
splits_register = (list(csv.DictReader(open(sys.argv[8], newline='', encoding='utf-8')))
                   if len(sys.argv) > 8 else register)

def split_year(row):
    return int(row['note'].split('profit split ', 1)[1][:4])

def booked(member, account_prefix, account_suffix=''):
    cents = 0
    for row in splits_register:
        if (row['type'] == 'profit-split' and row['member'] == member
                and split_year(row) == report['year']
                and row['account'].startswith(account_prefix)
                and row['account'].endswith(account_suffix)):
            whole, _, fraction = row['amount'].lstrip('-').partition('.')
            value = int(whole) * 100 + int(fraction.ljust(2, '0'))
            cents -= -value if row['amount'].startswith('-') else value
    return cents

for member in report['members']:
    m = member['member_id']
    budget = member['development_budget']
    expect(f'{m} budget', budget['opening_cents'] + budget['added_cents']
           - budget['spent_cents'], budget['closing_cents'])
    expect(f'{m} budget account', budget['closing_cents'],
           -member_account(m, ':development-budget'))
    expect(f'{m} due account', member['due_closing_cents'],
           -member_account(m, ':municipality'))
    splits = member['profit_splits']
    expect(f'{m} booked budget split (coop reg)', splits['booked_budget_cents'],
           booked(m, f'liabilities:members:{m}:development-budget'))
    expect(f'{m} booked municipality split (coop reg)', splits['booked_municipality_cents'],
           booked(m, f'liabilities:members:{m}:municipality'))
    expect(f'{m} booked coop share (coop reg)', splits['booked_coop_cents'],
           booked(m, 'income:coop:share'))
    for part in ('coop', 'municipality', 'budget'):
        expect(f'{m} {part} split stated = booked', splits[f'stated_{part}_cents'],
               splits[f'booked_{part}_cents'])
    expect(f'{m} left', member.get('left_from'), '2026-04' if m == bram else None)
    if m != bram:
        expect(f'{m} statements', splits['statement_months'], months)

dues = report['municipalities']
expect('municipalities', len(dues), municipalities)
for d in dues:
    expect(f'{d["municipality"]} dues', d['opening_cents'] + d['due_cents'] - d['paid_cents'],
           d['closing_cents'])
expect('dues sum to the municipality accounts', sum(d['closing_cents'] for d in dues),
       -sum(a['closing_cents'] for a in report['accounts'] if a['code'] == 2000))
if bram != '-':
    expect('the fixture paid every municipality', all(d['paid_cents'] > 0 for d in dues), True)
if problems:
    raise SystemExit('\n'.join(problems))
print(f'{len(accounts)} accounts, {len(report["members"])} members agree')
PYTHON
check "the annual accounts equal the books (bal, reg, budgets, dues, splits, who left)" \
  python3 "$work/accounts.py" "$work/report.json" "$work/bal-2026.json" "$work/bal-all.json" \
  "$work/reg-2026.csv" "$bram" 2 4

check "txt: Dutch, with the balance sheet and the checks" \
  sh -c '"$1" report year 2026 | grep -q "^Balans" && "$1" report year 2026 | grep -q "vertrokken per april 2026" && ! "$1" report year 2026 | grep -q "KLOPT NIET"' sh "$coop"
check "--lang en: English" \
  sh -c '"$1" report year 2026 --lang en | grep -q "^Balance sheet"' sh "$coop"
check "html: a page with tables, names escaped" \
  sh -c '"$1" report year 2026 -O html | grep -q "<table>" && "$1" report year 2026 -O html | grep -q "</html>"' sh "$coop"
"$coop" report year 2026 -O csv >"$work/report.csv"
check "csv: every check ok, budgets as in the json" python3 - "$work/report.csv" "$work/report.json" <<'PYTHON'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
report = json.load(open(sys.argv[2]))
checks = [r for r in rows if r['section'] == 'checks']
assert len(checks) == 5 and all(r['amount'] == 'ok' for r in checks), checks
closing = sum(int(r['amount_cents']) for r in rows
              if r['section'] == 'development_budgets' and r['column'] == 'eind')
want = sum(m['development_budget']['closing_cents'] for m in report['members'])
assert closing == want, (closing, want)
PYTHON

# ---- the XAF audit file ---------------------------------------------------------------
check "coop export -O xaf --year 2026" \
  sh -c '"$1" export -O xaf --year 2026 >"$2"' sh "$coop" "$work/coop-2026.xaf"
check "the XAF validates against the XSD (xmllint)" \
  xmllint --noout --schema "$xsd" "$work/coop-2026.xaf"

cat >"$work/xaf.py" <<'PYTHON'
"""xaf.py XAF BAL_YEAR BAL_ALL REG_CSV MEMBERS: the audit file parsed back."""
import csv, json, sys
import xml.etree.ElementTree as ET

NS = {'x': 'http://www.auditfiles.nl/XAF/3.2'}
root = ET.parse(sys.argv[1]).getroot()
bal_year = {r['account']: r['amount_cents'] for r in json.load(open(sys.argv[2]))}
bal_all = {r['account']: r['amount_cents'] for r in json.load(open(sys.argv[3]))}
register = list(csv.DictReader(open(sys.argv[4], newline='', encoding='utf-8')))
members = {line.split()[0]: line for line in open(sys.argv[5])}
problems = []
def expect(what, got, want):
    if got != want:
        problems.append(f'{what}: {got}, expected {want}')

def cents(text):
    whole, _, fraction = text.partition('.')
    assert whole.isdigit() and len(fraction) <= 2, text
    return int(whole) * 100 + int(fraction.ljust(2, '0'))

def signed(element):
    value = cents(element.find('x:amnt', NS).text)
    kind = element.find('x:amntTp', NS).text
    assert kind in ('D', 'C'), kind
    return value if kind == 'D' else -value

company = root.find('x:company', NS)
names = {a.find('x:accID', NS).text: a.find('x:accDesc', NS).text
         for a in company.iterfind('x:generalLedger/x:ledgerAccount', NS)}
kinds = {a.find('x:accDesc', NS).text: a.find('x:accTp', NS).text
         for a in company.iterfind('x:generalLedger/x:ledgerAccount', NS)}
for name, kind in kinds.items():
    want = 'P' if name.split(':')[0] in ('income', 'expenses') else 'B'
    expect(f'account type of {name}', kind, want)

lines = list(company.iterfind('x:transactions/x:journal/x:transaction/x:trLine', NS))
year = {}
for line in lines:
    name = names[line.find('x:accID', NS).text]
    year[name] = year.get(name, 0) + signed(line)
expect('lines per account = coop bal -p 2026', {n: c for n, c in year.items() if c},
       {n: c for n, c in bal_year.items() if c})

transactions = company.find('x:transactions', NS)
expect('linesCount', int(transactions.find('x:linesCount', NS).text), len(lines))
expect('totalDebit', cents(transactions.find('x:totalDebit', NS).text),
       sum(signed(l) for l in lines if signed(l) > 0))
expect('totalCredit', cents(transactions.find('x:totalCredit', NS).text),
       -sum(signed(l) for l in lines if signed(l) < 0))
entries = {row['index'] for row in register if not row['account'].startswith('(')}
numbers = [t.find('x:nr', NS).text
           for t in company.iterfind('x:transactions/x:journal/x:transaction', NS)]
expect('one transaction per money record', sorted(numbers), sorted(entries))
memo = [t for j in company.iterfind('x:transactions/x:journal', NS)
        if j.find('x:jrnID', NS).text == 'MEMO' for t in j.iterfind('x:transaction', NS)]
corrections = {row['index'] for row in register
               if row['type'] in ('correction', 'profit-split') and not row['account'].startswith('(')}
expect('profit splits and corrections in the memorial', len(memo), len(corrections))

opening = {}
ob = company.find('x:openingBalance', NS)
for line in ob.iterfind('x:obLine', NS):
    name = names[line.find('x:accID', NS).text]
    opening[name] = opening.get(name, 0) + signed(line)
expect('opening lines sum to zero', sum(opening.values()), 0)
expect('opening linesCount', int(ob.find('x:linesCount', NS).text), len(opening))
closing = dict(opening)
for name, value in year.items():
    closing[name] = closing.get(name, 0) + value
balance_sheet = {n: c for n, c in closing.items()
                 if c and kinds[n] == 'B' and n != 'equity:result-earlier-years'}
expect('opening + lines = year-end balances',
       balance_sheet, {n: c for n, c in bal_all.items() if c and kinds.get(n) == 'B'})

relations = {r.find('x:custSupID', NS).text: r
             for r in company.iterfind('x:customersSuppliers/x:customerSupplier', NS)}
expect('every member a relation', set(relations), set(members))
for member, line in members.items():
    expect(f'{member} name', relations[member].find('x:custSupName', NS).text,
           line.split(' ', 2)[2].strip())
refs = [r.find('x:relationshipID', NS).text for r in relations.values()]
expect('client refs, never a BSN', all(not (r.isdigit() and len(r) == 9) for r in refs), True)
expect('twelve periods', len(list(company.iterfind('x:periods/x:period', NS))), 12)
if problems:
    raise SystemExit('\n'.join(problems))
print(f'{len(lines)} lines over {len(year)} accounts agree with coop bal')
PYTHON
check "the XAF parsed back equals coop bal (year, opening + year, totals, relations)" \
  python3 "$work/xaf.py" "$work/coop-2026.xaf" "$work/bal-2026.json" "$work/bal-all.json" \
  "$work/reg-2026.csv" "$work/members"

# ---- a second year: opening balances and the result of the year before ------------------
# A coop of its own whose books begin in November 2025 (Tilburg's rule set
# is in force from July 2025), closed into 2026, with a late fact of
# December that reissues December in January.
older="$work/older"
if output=$({
  set -e
  export COOP_HOME="$older" COOP_NOW_MS=1768900000000 # 2026-01-20
  "$coop" init --role coop --name "Oude Coop" >/dev/null
  "$coop" log import "$work/tilburg.bundle" >/dev/null
  tilburg=$("$coop" id --dir "$work/tilburg" -O json | sed -n 's/^ *"public_key": "\([0-9a-f]*\)".*/\1/p')
  fenna=$("$coop" member add --name "Fenna de Boer" --municipality "$tilburg" --client-ref TB-90 --birth 1988-06)
  "$coop" record opening --amount 3000 --date 2025-11-01 --ref opening-2025 >/dev/null
  for month in 11 12; do
    "$coop" record revenue --member "$fenna" --amount 2400 --date "2025-$month-10" --ref "inv-$month" >/dev/null
    "$coop" record cost --member "$fenna" --amount 180.35 --date "2025-$month-12" --ref "cost-$month" >/dev/null
    "$coop" record coop-cost --amount 310 --date "2025-$month-02" --ref "rent-$month" >/dev/null
  done
  "$coop" period close 2025-11 >/dev/null
  "$coop" period close 2025-12 >/dev/null
  "$coop" record remittance --member "$fenna" --amount 400 --date 2026-01-08 --ref rem-2025 >/dev/null
  "$coop" record spend --member "$fenna" --amount 50 --date 2026-01-09 --ref course >/dev/null
  "$coop" record revenue --member "$fenna" --amount 1999.99 --date 2026-01-15 --ref inv-01 >/dev/null
  # A late fact of December: January's close reissues December and books
  # the split's difference in January, for December (both years reconcile).
  "$coop" record revenue --member "$fenna" --amount 120 --date 2026-01-16 --for-month 2025-12 --ref late-12 >/dev/null
  export COOP_NOW_MS=1770700000000 # 2026-02-10
  "$coop" period close 2026-01 >/dev/null
  echo "$fenna Tilburg Fenna de Boer" >"$older.members"
} 2>&1); then
  pass "a coop whose books begin in November 2025"
else
  fail "a coop whose books begin in November 2025" "$output"
fi
older_check() { # YEAR MONTHS: the accounts and the audit file of YEAR
  local year=$1 months=$2
  COOP_HOME="$older" COOP_NOW_MS=1770700000000 "$coop" bal -p "$year" -O json >"$older-bal-$year.json"
  python3 - "$older" "$year" "$coop" <<'PYTHON' >"$older-bal-end-$year.json"
import json, os, subprocess, sys
# coop bal has no "until": the year end is all time minus the later years.
home, year, coop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
env = dict(os.environ, COOP_HOME=home, COOP_NOW_MS='1770700000000')
def bal(*args):
    out = subprocess.run([coop, 'bal', '-O', 'json', *args], env=env, check=True,
                         capture_output=True, text=True).stdout
    return {r['account']: r['amount_cents'] for r in json.loads(out)}
total = bal()
for later in range(year + 1, 2027):
    for name, cents in bal('-p', str(later)).items():
        total[name] = total.get(name, 0) - cents
print(json.dumps([{'account': n, 'amount_cents': c} for n, c in total.items() if c]))
PYTHON
  COOP_HOME="$older" COOP_NOW_MS=1770700000000 "$coop" reg -p "$year" -O csv >"$older-reg-$year.csv"
  COOP_HOME="$older" COOP_NOW_MS=1770700000000 "$coop" reg -O csv >"$older-reg-all.csv"
  check "$year: the annual accounts reconcile" \
    sh -c 'COOP_HOME="$2" COOP_NOW_MS=1770700000000 "$1" report year "$3" -O json >"$4"' \
    sh "$coop" "$older" "$year" "$older-report-$year.json"
  check "$year: the annual accounts equal the books" \
    python3 "$work/accounts.py" "$older-report-$year.json" "$older-bal-$year.json" \
    "$older-bal-end-$year.json" "$older-reg-$year.csv" - 1 "$months" "$older-reg-all.csv"
  check "$year: the XAF validates" sh -c 'COOP_HOME="$2" COOP_NOW_MS=1770700000000 "$1" export -O xaf --year "$3" >"$4" && xmllint --noout --schema "$5" "$4"' \
    sh "$coop" "$older" "$year" "$older-$year.xaf" "$xsd"
  check "$year: the XAF parsed back equals coop bal" \
    python3 "$work/xaf.py" "$older-$year.xaf" "$older-bal-$year.json" \
    "$older-bal-end-$year.json" "$older-reg-$year.csv" "$older.members"
}
older_check 2025 2
older_check 2026 1
check "2026 opens with 2025's balances and result" python3 - "$older-report-2026.json" "$older-report-2025.json" "$older-2026.xaf" <<'PYTHON'
import json, sys
now, before = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert before['year_result_cents'] != 0 and now['prior_result_cents'] == before['year_result_cents']
for line, old in zip(now['chart'], before['chart']):
    if line['type'] in ('asset', 'liability', 'equity'):
        assert line['opening_cents'] == old['closing_cents'], (line, old)
fenna, old = now['members'][0], before['members'][0]
budget = fenna['development_budget']
assert budget['opening_cents'] == old['development_budget']['closing_cents'] > 0, budget
assert budget['spent_cents'] == 5000, budget
dues = now['municipalities'][0]
assert dues['opening_cents'] == before['municipalities'][0]['closing_cents'] > 0, dues
assert dues['paid_cents'] == 40000, dues
assert '<accID>3900</accID>' in open(sys.argv[3]).read()
PYTHON

# ---- hledger against the annual accounts ----------------------------------------------
if command -v hledger >/dev/null; then
  "$coop" export -O hledger -p 2026 >"$work/2026.journal"
  hledger -f "$work/2026.journal" bal --flat -O json >"$work/hledger-2026.json"
  check "hledger's balances of the 2026 export equal the annual accounts" \
    python3 - "$work/hledger-2026.json" "$work/report.json" <<'PYTHON'
import json, sys
hledger = json.load(open(sys.argv[1]), parse_float=str)
report = json.load(open(sys.argv[2]))
balances = {}
for name, _display, _indent, amounts in hledger[0]:
    for amount in amounts:
        assert amount['acommodity'] == 'EUR'
        mantissa = int(amount['aquantity']['decimalMantissa'])
        places = int(amount['aquantity']['decimalPlaces'])
        assert places <= 2 or mantissa % 10 ** (places - 2) == 0
        value = mantissa // 10 ** (places - 2) if places > 2 else mantissa * 10 ** (2 - places)
        balances[name] = balances.get(name, 0) + value
ours = {a['account']: a['year_cents'] for a in report['accounts'] if a['year_cents']}
theirs = {n: c for n, c in balances.items() if c}
if ours != theirs:
    raise SystemExit(f'annual accounts {ours}\nhledger {theirs}')
result = sum(c for n, c in theirs.items() if n.split(':')[0] in ('income', 'expenses'))
assert result == report['year_result_cents'], (result, report['year_result_cents'])
PYTHON
else
  echo "skip hledger is not installed: the hledger comparison"
fi

# ---- a move: what she owes counts for the municipality of its month ---------------------
breda=$("$coop" id --dir "$work/breda" -O json | sed -n 's/^ *"public_key": "\([0-9a-f]*\)".*/\1/p')
if output=$({
  set -e
  "$coop" member set "$dewi" --municipality "$breda" --from 2026-05 --client-ref BR-2001
  "$coop" record remittance --member "$dewi" --amount 33.33 --date 2026-05-02 --ref rem-dewi-05
  "$coop" report year 2026 -O json >"$work/report-moved.json"
} 2>&1); then
  pass "Dewi moves to Breda in May and pays 33.33 there"
else
  fail "Dewi moves to Breda in May" "$output"
fi
check "after the move: Breda was paid 33.33 more, Tilburg the same, all reconciles" \
  python3 - "$work/report.json" "$work/report-moved.json" "$dewi" <<'PYTHON'
import json, sys
before, after = (json.load(open(path)) for path in sys.argv[1:3])
dewi = sys.argv[3]
assert after['reconciles'], after['checks']
def dues(report):
    return {d['municipality'].split(' (')[0]: d for d in report['municipalities']}
b, a = dues(before), dues(after)
assert a['Gemeente Breda']['paid_cents'] - b['Gemeente Breda']['paid_cents'] == 3333, (a, b)
assert a['Gemeente Tilburg'] == b['Gemeente Tilburg'], (a, b)
member = next(m for m in after['members'] if m['member_id'] == dewi)
assert member['municipality'].startswith('Gemeente Breda'), member
PYTHON

# ---- bad input ------------------------------------------------------------------------
refused "a year before the books" 1 "no books for 2025: the books begin on 2026-01-01" \
  "$coop" report year 2025
refused "a year not begun" 2 "year 2027 has not begun (today is 2026-05-15): expected a year from 1900 to 2026" \
  "$coop" report year 2027
refused "a year out of range" 2 "year 1850 is out of range (1900 to 9999)" \
  "$coop" report year 1850
refused "a malformed year" 2 "invalid year '26' (expected YYYY)" "$coop" report year 26
refused "report without a year" 2 "report year needs the year, YYYY" "$coop" report year
refused "an unknown report" 2 "unknown report 'month' (expected: year)" \
  "$coop" report month 2026
refused "an unknown language" 2 "unknown language 'de'" "$coop" report year 2026 --lang de
refused "xaf without --year" 2 "-O xaf needs --year YYYY" "$coop" export -O xaf
refused "xaf with -p" 2 "-O xaf takes --year YYYY, not -p" "$coop" export -O xaf -p 2026
refused "--year without xaf" 2 "--year is for -O xaf" "$coop" export -O csv --year 2026
refused "xaf of a year without books" 1 "no books for 2019" \
  "$coop" export -O xaf --year 2019
refused "xaf of a malformed year" 2 "invalid year '2o26'" "$coop" export -O xaf --year 2o26
check "report --help" "$coop" report --help
check "nothing written by any of it: coop verify" "$coop" verify

# ---- the checks can fail: one cent edited into a booked split ------------------------
if command -v sqlite3 >/dev/null; then
  # The posting and its account's month total (what whole-year balances
  # read, books schema 6), edited alike.
  changed=$(sqlite3 "$COOP_HOME/coop.db" "UPDATE books_postings SET amount_cents = amount_cents + 1
    WHERE account LIKE '%:development-budget' AND entry_index =
      (SELECT entry_index FROM books_records WHERE type = 11 ORDER BY entry_index LIMIT 1);
    SELECT changes();
    UPDATE books_account_months SET amount_cents = amount_cents + 1
    WHERE opening = 0 AND (account, month) IN (SELECT account, date / 100 FROM books_postings
      WHERE account LIKE '%:development-budget' AND entry_index =
      (SELECT entry_index FROM books_records WHERE type = 11 ORDER BY entry_index LIMIT 1));" | head -1)
  refused "a split edited in the database: the accounts do not reconcile" 1 \
    "the accounts of 2026 do not reconcile (see the checks)" "$coop" report year 2026 -O json
  "$coop" report year 2026 -O json >"$work/report-edited.json" 2>/dev/null
  check "the edit shows: unbalanced, the splits off ($changed posting edited)" \
    python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["checks"]; sys.exit(not (not c["balanced"] and not c["splits_reconcile"] and c["accounts_agree"] and not json.load(open(sys.argv[1]))["reconciles"]))' \
    "$work/report-edited.json"
  "$coop" rebuild >/dev/null 2>&1
  check "after coop rebuild the accounts reconcile again" "$coop" report year 2026 -O json
else
  echo "skip sqlite3 is not installed: the edited-database check"
fi

echo "year: $passed passed, $failed failed"
[ "$failed" = 0 ]
