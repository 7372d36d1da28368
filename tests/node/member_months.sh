#!/usr/bin/env bash
# Books schema 7 (issue 16, imp5): a member's records are found through
# books_member_months (one row per member and month of the records' dates,
# listing their entry indexes), not a member index on the records.
#
# - after an import and single records (one attributed to an earlier month
#   with --for-month), every member record is listed once, in its date's
#   month, in entry order;
# - a database turned back into schema 6 (the lists dropped, the member
#   index back) is migrated on open: the same lists, byte-identical `coop
#   bal`, `bal --member`, `bal -p`, `reg --member` and `member show`, and
#   `coop verify` (which replays the log and compares every derived table,
#   the lists too) passes;
# - an erasure takes her records out of the lists, and verify agrees.
COOP=$(realpath "${1:?usage: member_months.sh COOP}")
. "$(dirname "$0")/lib.sh" member-months

breda_tilburg
cd "$work" || exit 1
db=$coop/coop.db

on 2026-03-20
cat >records.csv <<CSV
type,member,amount,hours,date,ref,note
revenue,$anna,1200.50,,2026-01-10,r-1,
hours,$anna,,12.5,2026-01-11,h-1,
cost,$bo,80.25,,2026-01-12,c-1,
coop-cost,,45.00,,2026-01-12,k-1,
revenue,$bo,99.99,,2026-02-02,r-2,
hours,$anna,,8,2026-02-03,h-2,
revenue,$anna,310.00,,2026-03-04,r-3,
CSV
coop import records.csv --dir "$coop" >/dev/null || fail "records" "import refused"
# January closed, so that a record dated in February can count in it.
coop period close 2026-01 --dir "$coop" >close.out 2>&1 || fail "January close" "$(cat close.out)"
coop record revenue --member "$anna" --amount 20.00 --date 2026-02-05 --for-month 2026-01 \
  --ref f-1 --dir "$coop" >/dev/null || fail "records" "the attributed record was refused"
coop record cost --member "$bo" --amount 5.00 --date 2026-03-06 --ref c-2 --dir "$coop" >/dev/null ||
  fail "records" "a single record was refused"

lists() { sqlite3 "$db" "SELECT member_id, month, part, entries FROM books_member_months ORDER BY 1, 2, 3"; }
# What the lists should be: every member record, in its date's month and
# part of it (days 1 – 8, 9 – 16, 17 – 24, 25 – 31), in entry order.
expected_lists() {
  sqlite3 "$db" "SELECT member_id, m, p, '[' || group_concat(entry_index) || ']' FROM
    (SELECT member_id, date / 100 AS m, (date % 100 - 1) / 8 AS p, entry_index FROM books_records
     WHERE member_id IS NOT NULL ORDER BY member_id, m, p, entry_index)
    GROUP BY member_id, m, p ORDER BY 1, 2, 3"
}
lists >lists.7
expected_lists >lists.expected
# Anna: Jan 9 – 16 (r-1, h-1), Jan 25 – 31 (the close's profit split of
# her January), Feb 1 – 8 (h-2, f-1 dated in February), Mar 1 – 8 (r-3);
# Bo: Jan 9 – 16, Feb 1 – 8, Mar 1 – 8.
if cmp -s lists.7 lists.expected && [ "$(wc -l <lists.7)" = 7 ] &&
  [ "$(grep -c "^$anna|202602|0|\[[0-9]*,[0-9]*\]$" lists.7)" = 1 ] &&
  [ "$(grep -c "^$anna|202601|1|\[[0-9]*,[0-9]*\]$" lists.7)" = 1 ]; then
  ok "every member record is listed once, in its date's month"
else
  fail "the lists" "$(diff lists.expected lists.7; cat lists.7)"
fi
if [ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_schema WHERE name = 'books_records_member'")" = 0 ]; then
  ok "the records have no member index"
else
  fail "the records have no member index" "books_records_member is there"
fi

reports() {
  coop bal --dir "$coop" && coop bal --member "$anna" --dir "$coop" &&
    coop bal --member "$bo" -p 2026-02 --dir "$coop" && coop bal -p 2026-01 --dir "$coop" &&
    coop reg --member "$anna" -O csv --dir "$coop" && coop reg --member "$bo" --dir "$coop" &&
    coop member show "$anna" --dir "$coop"
}
reports >reports.7 || fail "reports" "failed on schema 7"
# Real figures, not only exit codes: Anna's revenue (1200.50 + 310.00 +
# 20.00) and her hours in her register.
if grep -q -- "-1530.50 *income:members:$anna:revenue" reports.7 &&
  grep -q "h-2" reports.7 && grep -q "f-1" reports.7; then
  ok "bal --member and reg --member find her records"
else
  fail "bal --member and reg --member find her records" "$(head -30 reports.7)"
fi

# ---- books schema 6 migrates (to 7) with the same lists and figures ------
sqlite3 "$db" <<'SQL'
BEGIN;
DROP TABLE books_member_months;
CREATE INDEX books_records_member ON books_records  (member_id, date, type, memo_type, for_period, quantity);
PRAGMA user_version = 6;
COMMIT;
SQL
if [ "$(sqlite3 "$db" "PRAGMA user_version")" = 6 ]; then
  reports >reports.6 || fail "reports" "failed on a schema 6 database"
  version=$(sqlite3 "$db" "PRAGMA user_version")
  index=$(sqlite3 "$db" "SELECT count(*) FROM sqlite_schema WHERE name = 'books_records_member'")
  lists >lists.migrated
  if [ "$version" = 7 ] && [ "$index" = 0 ] && cmp -s lists.7 lists.migrated; then
    ok "a schema 6 database is migrated on open: the same lists, no member index"
  else
    fail "a schema 6 database is migrated on open" \
      "user_version $version, member index $index; $(diff lists.7 lists.migrated | head)"
  fi
  if cmp -s reports.6 reports.7 && [ "$(grep -c . reports.7)" -gt 20 ]; then
    ok "bal, bal --member, bal -p, reg --member and member show are byte-identical after it"
  else
    fail "reports after the migration" "$(diff reports.7 reports.6 | head)"
  fi
  if coop verify --dir "$coop" >/dev/null 2>verify.err; then
    ok "verify passes on the migrated books"
  else
    fail "verify on the migrated books" "$(cat verify.err)"
  fi
else
  fail "schema 6" "could not make a schema 6 database"
fi

# ---- a list edited behind coop's back is found by verify -----------------
sqlite3 "$db" "UPDATE books_member_months SET entries = '[1]' WHERE member_id = '$bo' AND month = 202602"
if ! coop verify --dir "$coop" >/dev/null 2>verify.err && grep -q "books_member_months" verify.err; then
  ok "verify names an edited list"
else
  fail "verify names an edited list" "$(cat verify.err)"
fi
coop rebuild --dir "$coop" >/dev/null || fail "rebuild" "refused"
lists >lists.rebuilt
cmp -s lists.7 lists.rebuilt && ok "a rebuild lists the records again" ||
  fail "a rebuild lists the records again" "$(diff lists.7 lists.rebuilt)"

# ---- an erasure takes her records out of the lists -----------------------
if coop member erase "$bo" --reason "verzoek art. 17 AVG" --before-retention --dir "$coop" >erase.out 2>erase.err; then
  rows=$(sqlite3 "$db" "SELECT count(*) FROM books_member_months m, json_each(m.entries) e
    JOIN books_records r ON r.entry_index = e.value WHERE m.member_id = '$bo' AND r.type <> 12")
  dangling=$(sqlite3 "$db" "SELECT count(*) FROM books_member_months m, json_each(m.entries) e
    WHERE NOT EXISTS (SELECT 1 FROM books_records r WHERE r.entry_index = e.value)")
  if [ "$rows" = 0 ] && [ "$dangling" = 0 ] && coop verify --dir "$coop" >/dev/null 2>verify.err; then
    ok "an erasure leaves only her erased-member records listed, and verify agrees"
  else
    fail "an erasure and the lists" "her other records listed: $rows, dangling: $dangling; $(cat verify.err)"
  fi
else
  fail "erase" "$(cat erase.err)"
fi

echo "node-member-months: $passed passed, $failed failed"
[ "$failed" = 0 ]
