#!/usr/bin/env bash
# A member's month holds at most as many records as its statement can cite
# (1000, LEDGER_STATEMENT_SOURCES_MAX): the one after is refused when it is
# recorded, not found at the close, where it would strand the month:
#   tests/node/month_full.sh build/cli/coop
# - an import whose rows take Anna's January past 1000 is refused, naming
#   the line, the member and the month, and writes nothing;
# - 1000 rows are taken; one more by `coop record` is refused, also one
#   while February and Bo's January are fine;
# - January closes, its statement citing all 1000; a record dated in
#   February that counts in January (--for-month) is refused;
# - a correction of one of them, counting in January, is refused with the
#   way out in the message; with --in-open-month it counts in February,
#   which closes too.
COOP=$(realpath "${1:?usage: month_full.sh COOP}")
. "$(dirname "$0")/lib.sh" month-full

breda_tilburg
cd "$work" || exit 1
on 2026-02-10

rows() { # FROM TO: Anna's January revenue rows with refs r-FROM..r-TO
  awk -v from="$1" -v to="$2" -v anna="$anna" 'BEGIN {
    for (i = from; i <= to; i++)
      printf "revenue,%s,1.00,,2026-01-%02d,r-%d,\n", anna, 1 + i % 28, i }' /dev/null
}
{ echo "type,member,amount,hours,date,ref,note"; rows 1 1001; } >over.csv
{ echo "type,member,amount,hours,date,ref,note"; rows 1 1000; } >full.csv

size=$(size_of "$coop")
coop import over.csv --dir "$coop" >over.out 2>over.err
status=$?
expected="coop: error: over.csv:1002: member $anna already has 1000 records counting in 2026-01, the most one month's statement can cite: record a day's or a week's work as one record (a total) instead
coop: error: over.csv: nothing imported"
if [ "$status" = 1 ] && [ "$(cat over.err)" = "$expected" ] && [ "$(size_of "$coop")" = "$size" ]; then
  ok "an import past 1000 records in her month is refused, naming line, member and month"
else
  fail "an import past 1000 records in her month is refused" \
    "exit $status, log $size -> $(size_of "$coop"): $(diff <(echo "$expected") over.err | head -6)"
fi

if [ "$(coop import full.csv --dir "$coop" 2>&1)" = "imported 1000 records (0 already there)" ]; then
  ok "1000 records in her month are taken"
else
  fail "1000 records in her month are taken" "$(coop import full.csv --dir "$coop" 2>&1)"
fi

refused() { # LABEL COMMAND...: refused with the month-full message, log unchanged
  local label=$1 size
  shift
  size=$(size_of "$coop")
  if "$@" >refused.out 2>refused.err; then
    fail "$label" "taken: $(cat refused.out)"
  elif ! grep -q "already has 1000 records counting in 2026-01" refused.err ||
    [ "$(size_of "$coop")" != "$size" ]; then
    fail "$label" "$(cat refused.err)"
  else
    ok "$label"
  fi
}
refused "one record more by hand is refused" \
  coop record revenue --member "$anna" --amount 2 --date 2026-01-30 --ref one-more --dir "$coop"
if coop record revenue --member "$anna" --amount 3 --date 2026-02-02 --ref feb --dir "$coop" >/dev/null &&
  coop record revenue --member "$bo" --amount 4 --date 2026-01-20 --ref bo-jan --dir "$coop" >/dev/null; then
  ok "her February and Bo's January still take records"
else
  fail "her February and Bo's January still take records" "refused"
fi

if coop period close 2026-01 --dir "$coop" >close.out 2>close.err; then
  ok "January closes with her 1000 records"
else
  fail "January closes with her 1000 records" "$(cat close.err)"
fi
sources=$(coop statement --member "$anna" -p 2026-01 -O json --dir "$coop" | json 'len(d["sources"])')
if [ "$sources" = 1000 ]; then
  ok "her January statement cites 1000 records"
else
  fail "her January statement cites 1000 records" "$sources"
fi

refused "a February record counting in closed January (--for-month) is refused" \
  coop record cost --member "$anna" --amount 2 --date 2026-02-03 --for-month 2026-01 --dir "$coop"
first=$(coop reg --member "$anna" -O json --dir "$coop" | json 'min(r["index"] for r in d)')
refused "a correction counting in her full January is refused" \
  coop correct "$first" --reason "dubbel geboekt" --date 2026-02-05 --dir "$coop"
if grep -q -- "add --in-open-month to count the reversal in 2026-02" refused.err; then
  ok "the refusal names the way out"
else
  fail "the refusal names the way out" "$(cat refused.err)"
fi
on 2026-03-02
if coop correct "$first" --reason "dubbel geboekt" --date 2026-02-05 --in-open-month \
  --dir "$coop" >/dev/null 2>correct.err &&
  coop period close 2026-02 --dir "$coop" >/dev/null 2>close.err; then
  ok "counted in February instead, and February closes"
else
  fail "counted in February instead, and February closes" "$(cat correct.err close.err)"
fi

echo "node-month-full: $passed passed, $failed failed"
[ "$failed" = 0 ]
