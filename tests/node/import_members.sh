#!/usr/bin/env bash
# Batch enrolment and the books schema 5 (issue 16):
#   tests/node/import_members.sh build/cli/coop
# - `coop import --members` enrols a CSV of members in one transaction: the
#   same members, facts and entries as `coop member add` + `member set`;
# - every bad row is reported with its line, and nothing is written (the log
#   does not grow), for the file's own faults and for the checks of
#   `member add` (a client ref twice in the file, one already there, a BSN);
# - a database of books schema 4 (postings with a rowid and a member index)
#   is migrated on open and gives byte-identical `coop bal`, `bal --member`,
#   `reg` and passes `coop verify`.
COOP=$(realpath "${1:?usage: import_members.sh COOP}")
. "$(dirname "$0")/lib.sh" import-members

breda_tilburg
cd "$work" || exit 1

# ---- a good batch --------------------------------------------------------
cat >members.csv <<'CSV'
name,client_ref,municipality,birth,status
Cor Smit,BR-2001,breda,1970-03,n-approved
"Dirk, de Wit",TB-2002,tilburg,,
Eva Bos,BR-2003,breda,1999-12,medical-limit+single-parent
CSV
size_before=$(size_of "$coop")
if coop import --members members.csv --dir "$coop" >enrolled.out 2>enrolled.err; then
  ok "a good file is enrolled"
else
  fail "a good file is enrolled" "$(cat enrolled.err)"
fi
if [ "$(tail -1 enrolled.out)" = "enrolled 3 members" ] && [ "$(wc -l <enrolled.out)" = 4 ]; then
  ok "it names the three new members"
else
  fail "it names the three new members" "$(cat enrolled.out)"
fi
cor=$(sed -n 1p enrolled.out | cut -d' ' -f1)
dirk=$(sed -n 2p enrolled.out | cut -d' ' -f1)
eva=$(sed -n 3p enrolled.out | cut -d' ' -f1)
# What one `member add` + `member set` writes per member, for comparison:
# audience grants, the enrolment, the birth fact, each status fact.
coop member add --dir "$coop" --name "Fenna Kok" --municipality breda --client-ref BR-2004 \
  --birth 1970-03 >fenna || fail "member add" "refused"
coop member set "$(cat fenna)" --n-approved yes --from 2026-01 --dir "$coop" >/dev/null
show() { coop member show "$1" --dir "$coop" -O json | json "$2"; }
if [ "$(show "$cor" 'd["status"]')" = "$(show "$(cat fenna)" 'd["status"]')" ]; then
  ok "the batch's facts are those of member add + member set"
else
  fail "the batch's facts are those of member add + member set" \
    "$(show "$cor" 'd["status"]') vs $(show "$(cat fenna)" 'd["status"]')"
fi
expect_show() { # MEMBER PYTHON-EXPRESSION EXPECTED LABEL
  local got
  got=$(show "$1" "$2")
  if [ "$got" = "$3" ]; then ok "$4"; else fail "$4" "got '$got', expected '$3'"; fi
}
expect_show "$dirk" 'd["name"]' "Dirk, de Wit" "a quoted name keeps its comma"
expect_show "$dirk" 'd["municipality"]' "$tilburg_key" "a peer name gives the municipality's key"
expect_show "$eva" 'd["status"]["medical_limit"], d["status"]["single_parent"], d["status"]["n_approved"]' \
  "True True False" "two status words, each a fact"
# Each member: two grants (coop, municipality) and the enrolment; a birth
# fact for Cor, Eva and Fenna; n approved for Cor and Fenna, two for Eva.
size_after=$(size_of "$coop")
if [ $((size_after - size_before)) = $((4 * 3 + 3 + 4)) ]; then
  ok "the batch appended what one-by-one enrolments append"
else
  fail "the batch appended what one-by-one enrolments append" "$size_before -> $size_after"
fi

# ---- bad files: every bad row, nothing written ----------------------------
expect_refused() { # FILE LABEL EXPECTED-ERRORS...
  local file=$1 label=$2 size
  shift 2
  size=$(size_of "$coop")
  if coop import --members "$file" --dir "$coop" >refused.out 2>refused.err; then
    fail "$label" "accepted"
    return
  fi
  printf '%s\n' "$@" >expected.err
  if ! diff -u expected.err refused.err >diff.out; then
    fail "$label" "$(cat diff.out)"
  elif [ "$(size_of "$coop")" != "$size" ] || [ -s refused.out ]; then
    fail "$label" "something was written"
  else
    ok "$label"
  fi
}
cat >bad.csv <<'CSV'
name,client_ref,municipality,birth,status
Gijs,BR-3001,breda,,
,BR-3002,breda,,
Hans,BR-3003,nowhere,,
Ina,BR-3004,breda,1990-13,
Jan,BR-3005,breda,,happy
Kees,BR-3006,breda
CSV
expect_refused bad.csv "every bad row of a file, nothing enrolled" \
  "coop: error: bad.csv:3: missing name" \
  "coop: error: bad.csv:4: unknown municipality 'nowhere': give its node key (64 hex digits, as 'coop id' prints) or the name of a [peer] in node.conf" \
  "coop: error: bad.csv:5: birth '1990-13' is not a month (expected YYYY-MM)" \
  "coop: error: bad.csv:6: unknown status 'happy' (known: n-approved, medical-limit, single-parent; separate them with spaces or '+')" \
  "coop: error: bad.csv:7: 3 fields, but the header has 5" \
  "coop: error: bad.csv: 5 bad rows; nothing enrolled"
cat >refs.csv <<'CSV'
name,client_ref,municipality
Lot,BR-4001,breda
Mies,BR-4001,breda
Noor,BR-2001,breda
Otto,111222333,breda
Piet,BR-4002,breda
CSV
out=$(coop import --members refs.csv --dir "$coop" 2>&1)
status=$?
lines=$(echo "$out" | sed -n 's/^coop: error: refs.csv:\([0-9]*\): .*/\1/p' | tr '\n' ' ')
if [ "$status" = 1 ] && [ "$lines" = "3 4 5 " ] && echo "$out" | grep -q "looks like a BSN" &&
  echo "$out" | grep "refs.csv:3:" | grep -q "enrolled earlier in this same batch" &&
  echo "$out" | grep "refs.csv:4:" | grep -q "BR-2001.*$cor" &&
  echo "$out" | grep -q "refs.csv: nothing enrolled" &&
  ! coop member list --dir "$coop" | grep -q "BR-4001"; then
  ok "member add's checks, every refused row named, nothing enrolled"
else
  fail "member add's checks, every refused row named, nothing enrolled" "$out"
fi
printf 'name,municipality\nQ,breda\n' >nocol.csv
expect_refused nocol.csv "a missing column" \
  "coop: error: nocol.csv:1: missing column 'client_ref' (the first row must name the columns: name,client_ref,municipality,birth,status)" \
  "coop: error: nocol.csv: nothing enrolled"
if coop import --members --future members.csv --dir "$coop" 2>/dev/null; then
  fail "--future with --members" "accepted"
else
  [ $? = 2 ] && ok "--future with --members is a usage error" || fail "--future with --members" "not exit 2"
fi

# ---- books schema 4 migrates (to 7) with the same figures --------------------------
on 2026-01-20
printf 'type,member,amount,date,ref\nrevenue,%s,1200.50,2026-01-10,r-1\ncost,%s,80.25,2026-01-11,c-1\nrevenue,%s,99.99,2026-01-12,r-2\ncoop-cost,,45.00,2026-01-12,k-1\nhours,%s,12.5,2026-01-13,h-1\n' \
  "$cor" "$cor" "$dirk" "$cor" >records.csv
coop import records.csv --dir "$coop" >/dev/null || fail "records" "import refused"
reports() {
  coop bal --dir "$coop" && coop bal --member "$cor" --dir "$coop" &&
    coop bal -p 2026-01 --dir "$coop" && coop reg --dir "$coop" && coop reg -O csv --dir "$coop"
}
reports >reports.5 || fail "reports" "failed on schema 5"
# The tables and indexes of schema 4, as its migrations made them.
sqlite3 "$coop/coop.db" <<'SQL'
BEGIN;
DROP INDEX books_members_client_ref;
DROP TABLE books_account_months;
DROP TABLE books_member_months;
CREATE INDEX books_records_member ON books_records  (member_id, date, type, memo_type, for_period, quantity);
ALTER TABLE books_postings RENAME TO books_postings_v5;
CREATE TABLE books_postings (  entry_index INTEGER NOT NULL,  position INTEGER NOT NULL,  date INTEGER NOT NULL,  account TEXT NOT NULL,  account_code INTEGER NOT NULL,  member_id TEXT,  amount_cents INTEGER NOT NULL,  PRIMARY KEY (entry_index, position));
INSERT INTO books_postings SELECT * FROM books_postings_v5;
DROP TABLE books_postings_v5;
CREATE INDEX books_postings_account ON books_postings (account, date, amount_cents);
CREATE INDEX books_postings_member ON books_postings  (member_id, date, account, amount_cents);
PRAGMA user_version = 4;
COMMIT;
SQL
if [ "$(sqlite3 "$coop/coop.db" "PRAGMA user_version")" = 4 ]; then
  reports >reports.4 || fail "reports" "failed on a schema 4 database"
  version=$(sqlite3 "$coop/coop.db" "PRAGMA user_version")
  kind=$(sqlite3 "$coop/coop.db" "SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_schema WHERE name = 'books_postings'")
  # Schema 6: the month totals computed from the postings (8 postings on 5
  # account-months: the bank, two revenues, a cost, the coop cost), no account index.
  months=$(sqlite3 "$coop/coop.db" "SELECT count(*) || ' ' || sum(postings) || ' ' || sum(amount_cents) FROM books_account_months")
  index=$(sqlite3 "$coop/coop.db" "SELECT count(*) FROM sqlite_schema WHERE name = 'books_postings_account'")
  # Schema 7: Cor's and Dirk's January records listed (3 and 1), no member index.
  lists=$(sqlite3 "$coop/coop.db" "SELECT count(*) || ' ' || sum(json_array_length(entries)) FROM books_member_months")
  index=$index$(sqlite3 "$coop/coop.db" "SELECT count(*) FROM sqlite_schema WHERE name = 'books_records_member'")
  if [ "$version" = 7 ] && [ "$kind" = 1 ] && [ "$index" = 00 ] && [ "$months" = "5 8 0" ] &&
    [ "$lists" = "2 4" ]; then
    ok "a schema 4 database is migrated on open"
  else
    fail "a schema 4 database is migrated on open" "user_version $version, without rowid $kind, month totals $months, account and member indexes $index, lists $lists"
  fi
  if cmp -s reports.4 reports.5 && [ "$(grep -c . reports.5)" -gt 10 ]; then
    ok "bal, bal --member, bal -p and reg are byte-identical after the migration"
  else
    fail "reports after the migration" "$(diff reports.5 reports.4 | head)"
  fi
  if coop verify --dir "$coop" >/dev/null 2>verify.err; then
    ok "verify passes on the migrated books"
  else
    fail "verify on the migrated books" "$(cat verify.err)"
  fi
else
  fail "schema 4" "could not make a schema 4 database"
fi
# The member balance goes through the records now: check a real figure.
if grep -q "1,200.50\|1200.50" reports.5; then
  ok "Cor's revenue is in the reports"
else
  fail "Cor's revenue is in the reports" "$(head -20 reports.5)"
fi

echo "node-import-members: $passed passed, $failed failed"
[ "$failed" = 0 ]
