#!/usr/bin/env bash
# A large `coop import` (issue 16): more rows than one bulk write of the
# derived rows (32,768) and than one chunk of the second pass (4,096):
#   tests/node/import_large.sh build/cli/coop
# - a bad row near the END of the file is still reported, with every other
#   bad row, before anything is written (the log does not grow);
# - a row only the books refuse (a member's hours past a month's) at the
#   end, after the first rows' derived rows were written, takes everything
#   back;
# - the good file: every row recorded, the balances those of the file's
#   amounts (summed here with awk), the books exactly what a replay gives
#   (coop verify), and the same file again answers "already there".
COOP=$(realpath "${1:?usage: import_large.sh COOP}")
. "$(dirname "$0")/lib.sh" import-large

breda_tilburg
cd "$work" || exit 1
on 2026-12-20 # every month of 2026 open, none in the future
rows=40000

# Cas and Dirk beside Anna and Bo: a member's month holds at most 1000
# records (what its statement cites), so 40,000 rows over 2026 take four.
cas=$(coop member add --dir "$coop" --name "Cas Smit" --municipality breda --client-ref BR-1002 \
  --birth 1979-02) && dirk=$(coop member add --dir "$coop" --name "Dirk Bos" \
  --municipality tilburg --client-ref TB-8 --birth 1992-11) || { echo "FAIL setup: members"; exit 1; }

# big.csv: revenue, costs and hours for the four over 2026, each row with
# its own ref; Anna's hours come to 8 a row, 10 rows a month at most.
awk -v rows="$rows" -v anna="$anna" -v bo="$bo" -v cas="$cas" -v dirk="$dirk" 'BEGIN {
  print "type,member,amount,hours,date,ref,note"
  split(anna " " bo " " cas " " dirk, members, " ")
  for (i = 0; i < rows; i++) {
    date = sprintf("2026-%02d-%02d", 1 + int(i * 12 / rows), 1 + i % 28)
    member = members[1 + i % 4]
    if (i % 400 == 0)
      printf "hours,%s,,8,%s,h-%d,\n", anna, date, i
    else if (i % 3 == 0)
      printf "cost,%s,%d.%02d,,%s,c-%d,\n", member, 1 + i % 50, i % 100, date, i
    else
      printf "revenue,%s,\"%d,%02d\",,%s,r-%d,\"Factuur %d, werk\"\n", member, 10 + i % 900, i % 100, date, i, i
  }
}' /dev/null >big.csv
last=$((rows + 1)) # the last row's line

expect_refused() { # FILE LABEL EXPECTED-STDERR
  local size
  size=$(size_of "$coop")
  if coop import "$1" --dir "$coop" >refused.out 2>refused.err; then
    fail "$2" "imported: $(cat refused.out)"
  elif [ "$(cat refused.err)" != "$3" ]; then
    fail "$2" "$(diff <(echo "$3") refused.err | head -8)"
  elif [ "$(size_of "$coop")" != "$size" ]; then
    fail "$2" "the log grew from $size to $(size_of "$coop")"
  else
    ok "$2"
  fi
}

# Two bad rows, the second on the last line: both named, nothing written.
sed -e "3s/^revenue,[^,]*,/revenue,m-000000,/" -e "${last}s/,2026-12-[0-9]*,/,2026-12-32,/" \
  big.csv >bad-end.csv
expect_refused bad-end.csv "bad rows at the start and the end are both reported" \
  "coop: error: bad-end.csv:3: unknown member 'm-000000' (see 'coop member list')
coop: error: bad-end.csv:$last: invalid date '2026-12-32' (expected YYYY-MM-DD, a real calendar day)
coop: error: bad-end.csv: 2 bad rows; nothing imported"

# Anna's hours past a month's, on the last line: only the books can tell.
cp big.csv hours-end.csv
echo "hours,$anna,,700,2026-12-28,h-end," >>hours-end.csv
dec_hours=$(awk -F, -v anna="$anna" '$1 == "hours" && $2 == anna && $5 ~ /^2026-12/ {h += $4} END {print h}' big.csv)
expect_refused hours-end.csv "hours past a month's on the last row take every row back" \
  "coop: error: hours-end.csv:$((last + 1)): hours of $anna in 2026-12 would come to $((dec_hours + 700)).00, more than a month holds (at most 744: 24 x 31)
coop: error: hours-end.csv: nothing imported"

# The good file.
if coop import big.csv --dir "$coop" >good.out 2>good.err &&
  [ "$(cat good.out)" = "imported $rows records (0 already there)" ]; then
  ok "the good file is imported"
else
  fail "the good file is imported" "$(cat good.out good.err)"
fi
# Balances against the file: Anna's revenue (credit) and Bo's costs, in cents.
cents() { # MEMBER TYPE: the file's total of that type for the member
  python3 -c 'import csv, sys
rows = csv.DictReader(open("big.csv"))
print(sum(round(float(r["amount"].replace(",", ".")) * 100) for r in rows
          if r["type"] == sys.argv[2] and r["member"] == sys.argv[1]))' "$1" "$2"
}
bal_of() { # MEMBER ACCOUNT-SUFFIX
  coop bal --member "$1" -O json --dir "$coop" |
    json "[a['amount_cents'] for a in d if a['account'].endswith('$2')][0]"
}
anna_revenue=$(cents "$anna" revenue) bo_costs=$(cents "$bo" cost)
if [ "$(bal_of "$anna" ':revenue')" = "-$anna_revenue" ] && [ "$(bal_of "$bo" ':costs')" = "$bo_costs" ] &&
  [ "$anna_revenue" -gt 0 ] && [ "$bo_costs" -gt 0 ]; then
  ok "the balances are the file's sums ($anna_revenue and $bo_costs cents)"
else
  fail "the balances are the file's sums" \
    "revenue $(bal_of "$anna" ':revenue') vs -$anna_revenue, costs $(bal_of "$bo" ':costs') vs $bo_costs"
fi
if coop verify --dir "$coop" >/dev/null 2>verify.err; then
  ok "the books are what a replay of the log gives"
else
  fail "the books are what a replay of the log gives" "$(cat verify.err)"
fi
if [ "$(coop import big.csv --dir "$coop" 2>&1)" = "imported 0 records ($rows already there)" ]; then
  ok "the same file again is already there"
else
  fail "the same file again is already there" "$(coop import big.csv --dir "$coop" 2>&1)"
fi

echo "node-import-large: $passed passed, $failed failed"
[ "$failed" = 0 ]
