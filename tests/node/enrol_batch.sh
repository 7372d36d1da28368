#!/usr/bin/env bash
# A large batch enrolment (issue 16), all or nothing:
#   tests/node/enrol_batch.sh build/cli/coop
# - a file of 1,500 members whose last row is refused (its client ref is
#   the second row's) is refused whole: that row named by its line, and
#   nothing written - not the log, not a key grant, not a checkpoint,
#   although the batch's first members were already appended (the session
#   appends every 1,000 entries) inside the transaction;
# - the same file without that row enrols all 1,500 with the entries one
#   `member add` + `member set` writes each, in that order (two grants, to
#   the coop and her municipality, then sealed to that audience the
#   enrolment, the birth month, n approved for every other one), and the
#   books rebuilt from the log alone (every entry opened with a key from
#   its grant) give the same members, and `coop verify` passes.
COOP=$(realpath "${1:?usage: enrol_batch.sh COOP}")
. "$(dirname "$0")/lib.sh" enrol-batch

breda_tilburg
cd "$work" || exit 1
members=1500
awk -v n="$members" 'BEGIN {
  print "name,client_ref,municipality,birth,status"
  for (i = 1; i <= n; i++)
    printf "Lid %d,EB-%d,%s,%d-%02d,%s\n", i, i, i % 2 ? "breda" : "tilburg",
      1960 + i % 40, 1 + i % 12, i % 2 ? "n-approved" : ""
}' >good.csv
{ cat good.csv; echo "Laatste,EB-2,tilburg,1980-01,"; } >late.csv
count() { sqlite3 "$coop/coop.db" "SELECT count(*) FROM $1"; }
state() { echo "$(size_of "$coop") $(count key_grants) $(count checkpoints) $(count books_members)"; }

before=$(state)
out=$(coop import --members late.csv --dir "$coop" 2>&1)
status=$?
if [ "$status" = 1 ] &&
  [ "$(echo "$out" | grep -c '^coop: error: late.csv:[0-9]*: ')" = 1 ] &&
  echo "$out" | grep "^coop: error: late.csv:$((members + 2)): " | grep -q "EB-2" &&
  echo "$out" | grep "late.csv:$((members + 2)):" | grep -q "enrolled earlier in this same batch" &&
  echo "$out" | grep -q "^coop: error: late.csv: nothing enrolled"; then
  ok "a refusal in the last row names its line and refuses the file"
else
  fail "a refusal in the last row names its line and refuses the file" "exit $status: $out"
fi
after=$(state)
if [ "$after" = "$before" ]; then
  ok "nothing written: log size, key grants, checkpoints and members as before ($before)"
else
  fail "nothing written" "before $before, after $after"
fi

if coop import --members good.csv --dir "$coop" >good.out 2>good.err &&
  [ "$(tail -1 good.out)" = "enrolled $members members" ]; then
  ok "the file without that row is enrolled"
else
  fail "the file without that row is enrolled" "$(tail -3 good.err good.out)"
fi
read -r size0 grants0 _ members0 <<<"$before"
read -r size1 grants1 _ members1 <<<"$(state)"
if [ $((size1 - size0)) = $((4 * members + members / 2)) ] &&
  [ $((grants1 - grants0)) = $((2 * members)) ] && [ $((members1 - members0)) = "$members" ]; then
  ok "per member two grants, the enrolment, the birth month and n approved for half"
else
  fail "the batch's entries" "log $size0 -> $size1, grants $grants0 -> $grants1, members $members0 -> $members1"
fi
# The log, member by member in the file's order: a grant to the coop and
# one to her municipality for one fresh audience, then sealed to it the
# enrolment, the birth month and (odd rows) n approved.
coop log --from "$size0" --dir "$coop" -O json >batch.json
cat >order.py <<'PY'
import json, sys
coop, breda, tilburg, members = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
entries, seen, at = json.load(sys.stdin), set(), 0
for i in range(1, members + 1):
    expected = ["grant", "grant", f"enrolled 'Lid {i}' (client ref EB-{i})", "birth ="]
    expected += ["n-approved = 1"] if i % 2 else []
    mine = entries[at:at + len(expected)]
    at += len(expected)
    audience = mine[0]["payload"]["audience_id"]
    readers = [e["payload"]["reader"] for e in mine[:2] if e["kind"] == "key_grant"]
    wanted = [coop, breda if i % 2 else tilburg]
    summaries = [e["payload"]["summary"] for e in mine[2:] if e["kind"] == "member"]
    if (readers != wanted or audience in seen or mine[1]["payload"]["audience_id"] != audience
            or any(e["audience"] != audience for e in mine[2:]) or len(summaries) != len(expected) - 2
            or any(not s.startswith(w) for s, w in zip(summaries, expected[2:]))):
        sys.exit(f"member {i}: {json.dumps(mine)[:600]}")
    seen.add(audience)
if at != len(entries):
    sys.exit(f"{len(entries) - at} entries more than the members'")
PY
if python3 order.py "$(key_of "$coop")" "$breda_key" "$tilburg_key" "$members" <batch.json \
  >order.err 2>&1; then
  ok "member by member: her two grants, then her entries sealed to that audience"
else
  fail "the batch's entries in order" "$(cat order.err)"
fi
coop member list --dir "$coop" -O json >list.before
if coop rebuild --dir "$coop" >/dev/null 2>rebuild.err &&
  coop member list --dir "$coop" -O json >list.after && cmp -s list.before list.after &&
  [ "$(json 'len(d)' <list.after)" = $((members + 2)) ]; then
  ok "the books rebuilt from the log (keys from the grants) give the same $((members + 2)) members"
else
  fail "the books rebuilt from the log" "$(cat rebuild.err; diff list.before list.after | head -5)"
fi
last=$(sed -n "${members}p" good.out | cut -d' ' -f1)
if [ "$(coop member show "$last" --dir "$coop" -O json | json 'd["name"], d["client_ref"]')" = \
  "Lid $members EB-$members" ]; then
  ok "the last member reads back"
else
  fail "the last member reads back" "$(coop member show "$last" --dir "$coop" 2>&1 | head -3)"
fi
if coop verify --dir "$coop" >/dev/null 2>verify.err; then
  ok "verify passes"
else
  fail "verify" "$(cat verify.err)"
fi

echo "node-enrol-batch: $passed passed, $failed failed"
[ "$failed" = 0 ]
