#!/usr/bin/env bash
# The books cross-check: coop's own balances against two independent
# accounting programs, and every kind of bad input against the books.
#
#   COOP_BIN=build/cli/coop tests/books/crosscheck.sh
#
# 1. Builds a realistic node (tests/books/fixture.sh).
# 2. Exports it for hledger and for ledger; `hledger check -s` and
#    `ledger --pedantic` must accept the journals (accounts, commodity and
#    tags all declared, every transaction balanced), and both programs'
#    balances must equal `coop bal -O json` account by account, in integer
#    cents (decimals are parsed as text, never as floats) — for all time and
#    for one month.  The CSV export must sum to the same balances.
# 3. `coop rebuild` must leave `coop bal`, `coop reg` and the export
#    byte-identical.
# 4. Every bad input (through `coop record` and through `coop import`) must
#    be refused with its message and change nothing: `coop verify` passes,
#    the balances and the log size are as before.
# Prints `crosscheck: N passed, M failed`; exits 1 on any failure, 77 (skip)
# when hledger, ledger or python3 is missing.
set -u
coop=${COOP_BIN:?set COOP_BIN to the coop binary}
coop=$(realpath "$coop")
here=$(dirname "$(realpath "$0")")
for tool in hledger ledger python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "crosscheck: skipped: $tool is not installed (scripts/deps.sh test)"
    exit 77
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export COOP_NOW_MS=1775000000000 # 2026-03-31
export COOP_HOME="$work/node"
# pass, fail, check; $passed and $failed.
. "$here/check.sh"

if ! output=$(COOP_BIN="$coop" "$here/fixture.sh" "$work" 2>&1); then
  fail "fixture builds" "$output"
  echo "crosscheck: $passed passed, $failed failed"
  exit 1
fi
pass "fixture builds"
mapfile -t members < <(cut -d' ' -f1 "$work/members")
anna=${members[0]}

# ---- exact comparisons, in python: amounts as integers of cents ------------

cat >"$work/compare.py" <<'PYTHON'
"""compare.py KIND A B: balances from two sources must agree exactly.

Each source becomes {account: cents} without zero balances (hledger and
ledger leave empty accounts out).  Amounts are parsed from text; JSON is read
with parse_float=str so no float ever holds money."""
import csv, json, re, sys

AMOUNT = re.compile(r'^(-?)(\d+)(?:\.(\d{1,2}))? EUR$')

def cents_of_text(text):
    text = text.strip()
    if text in ('0', ''):
        return 0
    match = AMOUNT.match(text)
    if not match:
        raise SystemExit(f'not an exact EUR amount: {text!r}')
    sign, whole, fraction = match.groups()
    value = int(whole) * 100 + int((fraction or '0').ljust(2, '0'))
    return -value if sign else value

def coop_json(path):
    rows = json.load(open(path), parse_float=str)
    return {row['account']: int(row['amount_cents']) for row in rows}

def hledger_json(path):
    report = json.load(open(path), parse_float=str)
    balances = {}
    for name, _display, _indent, amounts in report[0]:
        for amount in amounts:
            if amount['acommodity'] != 'EUR':
                raise SystemExit(f'unexpected commodity in {name}: {amount["acommodity"]}')
            mantissa = int(amount['aquantity']['decimalMantissa'])
            places = int(amount['aquantity']['decimalPlaces'])
            if places > 2:
                if mantissa % 10 ** (places - 2):
                    raise SystemExit(f'{name}: more than cents: {mantissa}e-{places}')
                cents = mantissa // 10 ** (places - 2)
            else:
                cents = mantissa * 10 ** (2 - places)
            balances[name] = balances.get(name, 0) + cents
    return balances

def ledger_text(path):
    balances = {}
    for line in open(path, encoding='utf-8'):
        if line.strip():
            name, amount = line.rstrip('\n').split('\t')
            balances[name] = balances.get(name, 0) + cents_of_text(amount)
    return balances

def export_csv(path):
    balances = {}
    with open(path, newline='', encoding='utf-8') as handle:
        for row in csv.DictReader(handle):
            balances[row['account']] = (balances.get(row['account'], 0)
                                        + cents_of_text(row['amount'] + ' EUR'))
    return balances

READERS = {'coop': coop_json, 'hledger': hledger_json, 'ledger': ledger_text,
           'csv': export_csv}

def nonzero(balances):
    return {name: cents for name, cents in balances.items() if cents}

kind_a, path_a, kind_b, path_b = sys.argv[1:5]
a = nonzero(READERS[kind_a](path_a))
b = nonzero(READERS[kind_b](path_b))
if not a:
    raise SystemExit(f'{kind_a}: no balances at all')
if a != b:
    for name in sorted(set(a) | set(b)):
        if a.get(name) != b.get(name):
            print(f'{name}: {kind_a} {a.get(name)} cents, {kind_b} {b.get(name)} cents')
    raise SystemExit(1)
print(f'{len(a)} accounts agree, total {sum(a.values())} cents')
PYTHON

compare() { python3 "$work/compare.py" "$@"; }

# ---- the journals and the tools ---------------------------------------------

"$coop" bal -O json >"$work/bal.json" || fail "coop bal -O json"
"$coop" export -O hledger >"$work/books.journal" || fail "coop export -O hledger"
"$coop" export -O ledger >"$work/books.ledger" || fail "coop export -O ledger"
"$coop" export -O csv >"$work/books.csv" || fail "coop export -O csv"

check "coop verify passes on the fixture" "$coop" verify
check "hledger check -s accepts the hledger export" hledger -f "$work/books.journal" check -s
check "hledger check -s accepts the ledger export" hledger -f "$work/books.ledger" check -s
check "hledger check ordereddates" hledger -f "$work/books.journal" check ordereddates
check "ledger --pedantic accepts the ledger export" \
  ledger --pedantic -f "$work/books.ledger" bal
check "ledger --pedantic accepts the hledger export" \
  ledger --pedantic -f "$work/books.journal" bal

hledger_balances() { # JOURNAL OUT [hledger options]
  local journal=$1 out=$2
  shift 2
  hledger -f "$journal" bal --flat -O json "$@" >"$out"
}
ledger_balances() { # JOURNAL OUT [ledger options]
  local journal=$1 out=$2
  shift 2
  ledger --pedantic -f "$journal" bal --flat --no-total --empty \
    --format '%(account)\t%(display_total)\n' "$@" >"$out"
}
hledger_balances "$work/books.journal" "$work/hledger.json"
check "hledger balances equal coop bal" compare coop "$work/bal.json" hledger "$work/hledger.json"
ledger_balances "$work/books.ledger" "$work/ledger.txt"
check "ledger balances equal coop bal" compare coop "$work/bal.json" ledger "$work/ledger.txt"
check "the CSV export sums to coop bal" compare coop "$work/bal.json" csv "$work/books.csv"

# Every record entry is one transaction; every memo one comment.
count_entries() {
  python3 - "$1" "$2" <<'PYTHON'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
journal = open(sys.argv[2], encoding='utf-8').read()
money = {row['index'] for row in rows if not row['account'].startswith('(')}
memos = {row['index'] for row in rows if row['account'].startswith('(')}
tagged = {line.split(':', 1)[1].strip() for line in journal.splitlines()
          if line.startswith('    ; entry: ')}
memo_lines = [line for line in journal.splitlines() if line.startswith('; memo')]
if tagged != money or len(memo_lines) != len(memos):
    raise SystemExit(f'{len(tagged)} transactions for {len(money)} money records, '
                     f'{len(memo_lines)} memo comments for {len(memos)} memos')
print(f'{len(money)} transactions, {len(memos)} memos')
PYTHON
}
"$coop" reg -O csv >"$work/reg.csv"
check "one transaction per record entry, one comment per memo" \
  count_entries "$work/reg.csv" "$work/books.journal"

# One month: balances over February only.
"$coop" bal -p 2026-02 -O json >"$work/bal-feb.json"
"$coop" export -O hledger -p 2026-02 >"$work/feb.journal"
"$coop" export -O ledger -p 2026-02 >"$work/feb.ledger"
check "hledger check -s accepts the February export" hledger -f "$work/feb.journal" check -s
hledger_balances "$work/feb.journal" "$work/hledger-feb.json"
check "hledger balances for February equal coop bal -p 2026-02" \
  compare coop "$work/bal-feb.json" hledger "$work/hledger-feb.json"
ledger_balances "$work/feb.ledger" "$work/ledger-feb.txt"
check "ledger balances for February equal coop bal -p 2026-02" \
  compare coop "$work/bal-feb.json" ledger "$work/ledger-feb.txt"
# And the tools' own period filter on the full journal agrees as well.
hledger_balances "$work/books.journal" "$work/hledger-feb2.json" -p 2026-02
check "hledger -p 2026-02 on the full journal equals coop bal -p 2026-02" \
  compare coop "$work/bal-feb.json" hledger "$work/hledger-feb2.json"
ledger_balances "$work/books.ledger" "$work/ledger-feb2.txt" -b 2026-02-01 -e 2026-03-01
check "ledger -b/-e February on the full journal equals coop bal -p 2026-02" \
  compare coop "$work/bal-feb.json" ledger "$work/ledger-feb2.txt"
# One member.
"$coop" bal --member "$anna" -O json >"$work/bal-anna.json"
hledger_balances "$work/books.journal" "$work/hledger-anna.json" "tag:member=$anna"
check "hledger tag:member equals coop bal --member" \
  compare coop "$work/bal-anna.json" hledger "$work/hledger-anna.json"

# ---- rebuild: the derived tables are a pure function of the log -------------

same_output() { # NAME FILE COMMAND...: the command succeeds and prints FILE exactly
  local name=$1 before=$2 output
  shift 2
  if ! output=$("$@" 2>&1 >"$work/after"); then
    fail "$name" "$output"
  elif cmp -s "$before" "$work/after"; then
    pass "$name"
  else
    fail "$name" "$(diff "$before" "$work/after" | head -20)"
  fi
}
if "$coop" reg -O json >"$work/reg.json" 2>"$work/reg.err"; then
  pass "coop reg -O json works"
else
  fail "coop reg -O json works" "$(cat "$work/reg.err")"
fi
check "coop rebuild" "$coop" rebuild
same_output "bal -O json identical after rebuild" "$work/bal.json" "$coop" bal -O json
same_output "reg -O json identical after rebuild" "$work/reg.json" "$coop" reg -O json
same_output "reg -O csv identical after rebuild" "$work/reg.csv" "$coop" reg -O csv
same_output "export identical after rebuild" "$work/books.journal" "$coop" export -O hledger

# ---- bad input changes nothing ----------------------------------------------

log_size() { "$coop" checkpoint -O json | sed -n 's/^ *"size": \([0-9]*\).*/\1/p'; }
"$coop" bal -O json >"$work/before.json"
size_before=$(log_size)

# unchanged NAME: verify passes, balances and log size as before.
unchanged() {
  local problems=""
  "$coop" verify >/dev/null 2>&1 || problems+="coop verify fails; "
  "$coop" bal -O json | cmp -s - "$work/before.json" || problems+="balances changed; "
  [ "$(log_size)" = "$size_before" ] || problems+="log size $(log_size), was $size_before; "
  if [ -z "$problems" ]; then return 0; fi
  echo "$problems"
  return 1
}

# refused NAME EXPECTED COMMAND...: fails with EXPECTED on stderr and changes
# nothing.  Each line of EXPECTED must be found (grep -F).
newline=$'\n'
refused() {
  local name=$1 expected=$2 status=0 problems
  shift 2
  "$@" >"$work/out" 2>"$work/err" || status=$?
  if [ "$status" = 0 ]; then
    fail "$name: refused" "it succeeded: $(cat "$work/out")"
  elif ! all_found "$expected" "$work/err"; then
    fail "$name: says why" "expected '$expected' in: $(cat "$work/err")"
  elif ! problems=$(unchanged); then
    fail "$name: changes nothing" "$problems"
  else
    pass "$name"
  fi
}

# all_found LINES FILE: every line of LINES is somewhere in FILE.
all_found() {
  local line
  while IFS= read -r line; do
    grep -qF -- "$line" "$2" || return 1
  done <<<"$1"
}

# one_row_csv FILE ROW: a CSV with the header and one row.
one_row_csv() { printf 'type,member,amount,date,ref,note\n%s\n' "$2" >"$1"; }

bad_record() { # NAME EXPECTED ARGS...: through coop record and through coop import
  local name=$1 expected=$2
  shift 2
  refused "record: $name" "$expected" "$coop" record "$@"
}
bad_row() { # NAME EXPECTED ROW
  one_row_csv "$work/bad.csv" "$3"
  refused "import: $1" "bad.csv:2: $2" "$coop" import "$work/bad.csv"
}

bad_record "unknown member" "unknown member 'm-000000'" \
  revenue --member m-000000 --amount 10 --date 2026-03-01
bad_row "unknown member" "unknown member 'm-000000'" "revenue,m-000000,10,2026-03-01,,"
for amount in 1.234 -5 1e3 ""; do
  case $amount in
    1.234) why="more than two decimals" ;;
    -5) why="a sign makes no sense here" ;;
    1e3) why="not an amount" ;;
    "") why="not an amount" ;;
  esac
  bad_record "amount '$amount'" "--amount '$amount': $why" \
    revenue --member "$anna" --amount "$amount" --date 2026-03-01
  if [ -z "$amount" ]; then why="missing amount"; else why="amount '$amount': $why"; fi
  bad_row "amount '$amount'" "$why" "revenue,$anna,$amount,2026-03-01,,"
done
bad_record "amount 0" "must be more than zero" revenue --member "$anna" --amount 0 --date 2026-03-01
bad_row "hours 1,255" "amount '1,255': more than two decimals" "hours,$anna,\"1,255\",2026-03-01,,"
bad_record "closed period" "period 2026-01 is closed" \
  revenue --member "$anna" --amount 10 --date 2026-01-31
bad_row "closed period" "period 2026-01 is closed" "revenue,$anna,10,2026-01-31,,"
bad_record "overspent development budget" \
  "development budget of $anna is$newline; cannot spend 99999.00" \
  spend --member "$anna" --amount 99999 --date 2026-03-01
bad_row "overspent development budget" \
  "development budget of $anna is$newline; cannot spend 99999.00" \
  "spend,$anna,99999,2026-03-01,,"
bad_record "duplicate ref, different amount" "ref 'inv-02-1-a' already holds entry" \
  revenue --member "$anna" --amount 10 --date 2026-02-05 --ref inv-02-1-a
bad_row "duplicate ref, different amount" "ref 'inv-02-1-a' already holds entry" \
  "revenue,$anna,10,2026-02-05,inv-02-1-a,"
bad_row "duplicate ref, other member" \
  "ref 'inv-02-1-a' already holds entry$newline; another member; amount 657.50, now 224.25" \
  "revenue,${members[1]},224.25,2026-02-05,inv-02-1-a,"
for date in 2026-02-30 2026-13-01 26-01-01 2026-1-01 ""; do
  bad_record "date '$date'" "invalid date '$date'" revenue --member "$anna" --amount 10 --date "$date"
  [ -z "$date" ] && continue
  bad_row "date '$date'" "invalid date '$date'" "revenue,$anna,10,$date,,"
done
bad_row "missing date" "missing date" "revenue,$anna,10,,,"
bad_record "coop-cost with a member" "no --member" \
  coop-cost --member "$anna" --amount 10 --date 2026-03-01
bad_row "coop-cost with a member" "a coop-cost record is the coop's own: leave member empty" "coop-cost,$anna,10,2026-03-01,,"
bad_row "revenue without a member" "a revenue record needs a member" "revenue,,10,2026-03-01,,"
bad_row "unknown type" "unknown record type 'revnue'" "revnue,$anna,10,2026-03-01,,"
bad_row "a correction" "type 'correction' cannot be imported" "correction,$anna,10,2026-03-01,,"
bad_row "control character in a note" "invalid note" "revenue,$anna,10,2026-03-01,,$(printf 'a\001b')"
bad_row "ref too long" "invalid ref" "revenue,$anna,10,2026-03-01,$(printf 'r%.0s' {1..65}),"

# A file with many bad rows: every one is reported with its line, and the
# good rows around them are not recorded either.
cat >"$work/many.csv" <<CSV
type,member,amount,date,ref,note
revenue,$anna,10,2026-03-01,good-1,fine
revenue,m-000000,10,2026-03-01,,
revenue,$anna,1.234,2026-03-01,,
revenue,$anna,10,2026-02-30,,
revenue,$anna,10,2026-03-01,good-1,"same ref
as line 2"
revenue,$anna,"10,5",2026-03-01,,"a quoted, fine note"
revenue,$anna,10,2026-01-15,,
revenue,$anna,10
revenue,$anna,10,2026-03-01,"x"y,
revenue,$anna,10,2026-03-01,good-2,fine
CSV
"$coop" import "$work/many.csv" >"$work/out" 2>"$work/err"
status=$?
lines=$(grep -o 'many.csv:[0-9]*:' "$work/err" | cut -d: -f2 | tr '\n' ' ')
if [ "$status" = 1 ] && [ "$lines" = "3 4 5 6 9 10 11 " ] && grep -q "7 bad rows; nothing imported" "$work/err" &&
   problems=$(unchanged); then
  pass "import: every bad row reported with its line, nothing recorded"
else
  fail "import: every bad row reported with its line, nothing recorded" \
    "exit $status, lines '$lines': $(cat "$work/err") ${problems:-}"
fi

# All or nothing when the books refuse a row only they can judge: the good
# rows before it are not recorded, and the message names the line.
cat >"$work/late.csv" <<CSV
type,member,amount,date,ref,note
revenue,$anna,10,2026-03-01,late-1,
revenue,$anna,20,2026-03-02,late-2,
spend,$anna,99999,2026-03-03,late-3,
CSV
refused "import: all or nothing when the books refuse line 4" \
  "late.csv:4: development budget" "$coop" import "$work/late.csv"

# A file bigger than the bound, and garbage.
printf 'type,member,amount,date,ref,note\nrevenue,%s,10,2026-03-01,,\000\n' "$anna" >"$work/nul.csv"
refused "import: NUL byte" "nul.csv:2: NUL byte" "$coop" import "$work/nul.csv"
printf 'type,member,amount,date,ref,note,colour\n' >"$work/columns.csv"
refused "import: unknown column" "unknown column 'colour'" "$coop" import "$work/columns.csv"
: >"$work/empty.csv"
refused "import: empty file" "empty file" "$coop" import "$work/empty.csv"
refused "import: missing file" "cannot open" "$coop" import "$work/nowhere.csv"

# ---- idempotent re-import -----------------------------------------------------

check "re-importing the fixture's CSV records nothing new" bash -c \
  "'$coop' import '$work/months.csv' | grep -qx 'imported 0 records (.* already there)'"
if problems=$(unchanged); then pass "re-import changes nothing"; else fail "re-import changes nothing" "$problems"; fi
check "re-importing from standard input records nothing new" bash -c \
  "'$coop' import - <'$work/remit.csv' | grep -qx 'imported 0 records (10 already there)'"

echo "crosscheck: $passed passed, $failed failed"
[ "$failed" = 0 ]
