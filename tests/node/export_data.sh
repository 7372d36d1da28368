#!/usr/bin/env bash
# A member's own copy of her data (`coop member export-data`), with real
# processes: a coop with two members of one municipality, Anna (who has her
# own node) and Bo, records with distinctive refs, notes and amounts, two
# closed months, the municipality's verdicts (logs carried as files, as
# `coop sync` would).
#
#   tests/node/export_data.sh COOP_BIN
#
# Checks, on the coop node (by ID, client ref) and on Anna's own node (no
# ID): the export holds everything of hers - her name before and after a
# change, her client ref, her birth fact, her municipality, each of her
# records with its ref, note and amount, every statement with its figures
# and the municipality's verdict, the nodes that hold her key - and nothing
# of Bo's: his name, client ref, refs, notes and amounts appear nowhere in
# the JSON or the text.  Figures are checked against the statement Anna's
# `coop member view` shows.  Bad input: an unknown member (exit 1), a bad -O
# (exit 2), a node that holds no member's key without an ID (exit 1).
#
# Each check prints "ok   NAME" or "FAIL NAME: why", then one line
# "node-export-data: N passed, M failed"; exit 1 on any failure.
set -u
COOP=${1:?usage: export_data.sh COOP_BIN}
unset COOP_HOME
export LC_ALL=C

work=$(mktemp -d "${TMPDIR:-/tmp}/coop-node-export.XXXXXX") || exit 1
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected '$3', got '$2'"; fi; }
coop() { "$COOP" "$@"; }
on() { COOP_NOW_MS=$(($(date -u -d "$1 12:00" +%s) * 1000)); export COOP_NOW_MS; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
key_of() { coop id --dir "$1" -O json | json 'd["public_key"]'; }
carry() { coop log export --dir "$1" >"$work/carry.bundle" 2>/dev/null &&
  coop log import --dir "$2" "$work/carry.bundle" >/dev/null; }

on 2026-01-05
coop_home=$work/coop muni=$work/muni anna_node=$work/anna-node
{
  coop init --role municipality --name "Gemeente Breda" --dir "$muni" >/dev/null &&
    echo '{"municipality": "Breda", "effective_from": "2026-01", "regime": "PW2015",
 "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0,
 "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500,
 "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500,
 "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' |
    coop rules publish - --dir "$muni" >/dev/null &&
    coop init --role member --name "Anna" --dir "$anna_node" >/dev/null &&
    coop init --role coop --name "Breda Werkt" --dir "$coop_home" >/dev/null &&
    coop peer add --dir "$coop_home" --key "$(key_of "$muni")" --role municipality --name breda >/dev/null &&
    coop peer add --dir "$muni" --key "$(key_of "$coop_home")" --role coop --name werkt >/dev/null &&
    coop peer add --dir "$anna_node" --key "$(key_of "$coop_home")" --role coop --name werkt >/dev/null &&
    coop peer add --dir "$anna_node" --key "$(key_of "$muni")" --role municipality --name breda >/dev/null &&
    carry "$muni" "$coop_home" &&
    coop period open 2026-01 --dir "$coop_home" >/dev/null &&
    coop member add --dir "$coop_home" --name "Anna de Vries" --municipality breda --client-ref BR-1001 \
      --birth 1990-04 --member-key "$(key_of "$anna_node")" >"$work/anna" &&
    coop member add --dir "$coop_home" --name "Bo Jansen" --municipality breda --client-ref BR-7007 \
      --birth 1985-07 >"$work/bo"
} || { echo "FAIL setup"; exit 1; }
anna=$(cat "$work/anna") bo=$(cat "$work/bo")
for month in 2026-01 2026-02; do
  on "$month-20"
  coop record revenue --dir "$coop_home" --member "$anna" --amount 912,34 --date "$month-10" \
    --ref "anna-omzet-$month" --note "tuinwerk" >/dev/null &&
    coop record cost --dir "$coop_home" --member "$anna" --amount 45,67 --date "$month-12" \
      --ref "anna-kosten-$month" >/dev/null &&
    coop record revenue --dir "$coop_home" --member "$bo" --amount 777,77 --date "$month-11" \
      --ref "bo-omzet-$month" --note "schilderwerk" >/dev/null || { echo "FAIL setup: records"; exit 1; }
  on "$(date -u -d "$month-01 +1 month" +%Y-%m)-02"
  coop period close "$month" --dir "$coop_home" >/dev/null || { echo "FAIL setup: close $month"; exit 1; }
done
coop member set "$anna" --name "Anna Bakker" --dir "$coop_home" >/dev/null || echo "FAIL setup: rename"
carry "$coop_home" "$muni" && coop audit run --dir "$muni" >/dev/null && carry "$muni" "$coop_home" &&
  carry "$coop_home" "$anna_node" && carry "$muni" "$anna_node" || { echo "FAIL setup: audit"; exit 1; }

# ---- On the coop node ---------------------------------------------------------------------------
coop member export-data "$anna" -O json --dir "$coop_home" >"$work/anna.json"
check "export-data -O json: exit 0" "$?" 0
coop member export-data BR-1001 --dir "$coop_home" >"$work/anna.txt"
check "export-data by client ref, text: exit 0" "$?" 0

# Bo's data: none of it in Anna's copy, in either form.
for form in json txt; do
  leaked=
  for word in "Bo Jansen" BR-7007 bo-omzet schilderwerk "777,77" 77777 "$bo"; do
    grep -q -- "$word" "$work/anna.$form" && leaked="$leaked '$word'"
  done
  if [ -z "$leaked" ]; then ok "export ($form): nothing of Bo's (name, ref, records, amount, id)"
  else fail "export ($form): nothing of Bo's" "found$leaked"; fi
done

# Everything of Anna's.
q() { json "$1" <"$work/anna.json"; }
check "json: one coop, Anna's id" "$(q 'len(d["coops"]), d["coops"][0]["member_id"]')" "1 $anna"
check "json: her details with their history" \
  "$(q '[x["name"] for x in d["coops"][0]["details"]]')" "['Anna de Vries', 'Anna Bakker']"
check "json: her client ref" "$(q 'd["coops"][0]["details"][-1]["client_ref"]')" "BR-1001"
check "json: her birth month fact" \
  "$(q '[(f["field"], f["value"]) for f in d["coops"][0]["status_facts"]]')" "[('birth', 199004)]"
check "json: her municipality" \
  "$(q 'd["coops"][0]["residences"][0]["municipality"]["name"].split(" (")[0]')" "Gemeente Breda"
check "json: her records (and the profit splits booked for her), amounts in cents" \
  "$(q '[(r["type"], r["ref"], r["amount"]) for r in d["coops"][0]["records"]]')" \
  "[('revenue', 'anna-omzet-2026-01', 91234), ('cost', 'anna-kosten-2026-01', 4567), ('profit-split', '', 86667), ('revenue', 'anna-omzet-2026-02', 91234), ('cost', 'anna-kosten-2026-02', 4567), ('profit-split', '', 86667)]"
check "json: the record's note" "$(q 'd["coops"][0]["records"][0]["note"]')" "tuinwerk"
check "json: two statements, in force, acknowledged" \
  "$(q '[(s["month"], s["in_force"], s["verdict"]["status"]) for s in d["coops"][0]["statements"]]')" \
  "[('2026-01', True, 'acknowledged'), ('2026-02', True, 'acknowledged')]"
view_share=$(coop member view "$anna" -O json --dir "$coop_home" | json '[m["coop_share"] for m in d]')
check "json: statement figures match 'member view' (coop share per month)" \
  "$(q '[s["figures"]["coop_share"] for s in d["coops"][0]["statements"]]')" "$view_share"
check "json: the statement's inputs (revenue, costs in cents; her age)" \
  "$(q '[(s["inputs"]["revenue"], s["inputs"]["costs"], s["inputs"]["age_years"]) for s in d["coops"][0]["statements"]]')" \
  "[(91234, 4567, 35), (91234, 4567, 35)]"
check "json: profit of January in cents (91234 - 4567)" \
  "$(q 'd["coops"][0]["statements"][0]["figures"]["profit"]')" 86667
holders=$(q '" ".join(sorted(h["reader"]["key"] for h in d["coops"][0]["key_holders"]))')
expected=$(printf '%s\n' "$(key_of "$coop_home")" "$(key_of "$muni")" "$(key_of "$anna_node")" | sort | tr '\n' ' ' | sed 's/ $//')
check "json: key holders are the coop, Breda and Anna's node" "$holders" "$expected"
check "json: her own node is marked among them" \
  "$(q '[h["reader"]["key"] for h in d["coops"][0]["key_holders"] if h["her_own_node"]]')" \
  "['$(key_of "$anna_node")']"
grep -q "Boekingen (records)" "$work/anna.txt" && grep -q "anna-omzet-2026-02" "$work/anna.txt" &&
  grep -q "912,34" "$work/anna.txt" && grep -q "Anna Bakker" "$work/anna.txt" &&
  grep -q "januari 2026" "$work/anna.txt" && ok "text: Dutch headings, her records, amounts, names" ||
  fail "text: Dutch headings, her records" "$(head -30 "$work/anna.txt")"
# Her facts in words, not codes (was: "birth = 199004 vanaf april 1990").
grep -q "^  entry [0-9]* *geboren in april 1990, vanaf april 1990$" "$work/anna.txt" &&
  ! grep -q "birth = " "$work/anna.txt" && ok "text: her birth month in Dutch words" ||
  fail "text: her birth month in Dutch words" "$(grep -A2 'Status' "$work/anna.txt")"

# ---- On Anna's own node: no ID needed, the same data -------------------------------------------
coop member export-data -O json --dir "$anna_node" >"$work/own.json"
check "own node: export-data without ID: exit 0" "$?" 0
same=$(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["coops"]; b = json.load(open(sys.argv[2]))["coops"]
keys = ["details", "status_facts", "records", "statements"]
strip = lambda c: {k: c[k] for k in keys}
print(strip(a[0]) == strip(b[0]))' "$work/anna.json" "$work/own.json")
check "own node: details, facts, records and statements equal the coop's" "$same" True
grep -q -- "Bo Jansen\|BR-7007\|bo-omzet\|77777" "$work/own.json" &&
  fail "own node: nothing of Bo's" "$(grep -o 'Bo Jansen\|BR-7007\|bo-omzet\|77777' "$work/own.json" | head -3)" ||
  ok "own node: nothing of Bo's"

# ---- Bad input ------------------------------------------------------------------------------
coop member export-data m-ffffff --dir "$coop_home" >/dev/null 2>"$work/err"
check "unknown member: exit 1" "$?" 1
grep -q "m-ffffff" "$work/err" && ok "unknown member: named in the error" || fail "unknown member named" "$(cat "$work/err")"
coop member export-data "$anna" -O csv --dir "$coop_home" >/dev/null 2>&1
check "bad -O: exit 2" "$?" 2
coop member export-data --dir "$muni" >/dev/null 2>"$work/err"
check "no ID on a node whose key no member has: exit 1" "$?" 1

echo "node-export-data: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
