#!/usr/bin/env bash
# What a second municipality learns about the first one's residents from the
# coop's log it holds (issue 14, "what the municipality learns").  Run by hand:
#
#   bench/privacy.sh [BREDA_MEMBERS] [TILBURG_MEMBERS]     (default 12 and 3)
#
# Builds a coop with residents of Breda and Tilburg, three months of records
# (a different number per member and month) and closes, gives Tilburg the
# coop's log (as sync does), and then reads ONLY Tilburg's database, without
# any key of Breda's: what can it count about Breda's residents?  Prints
# each inference with the true value beside it.  Nothing here is decrypted.
set -euo pipefail
breda_n=${1:-12}
tilburg_n=${2:-3}
coop_bin=$(realpath "${COOP_BIN:-build/cli/coop}")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
coop() { "$coop_bin" "$@"; }
on() { COOP_NOW_MS=$(($(date -u -d "$1 12:00" +%s) * 1000)); export COOP_NOW_MS; }
key() { coop id --dir "$1" -O json | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])'; }
rules() {
  echo "{\"municipality\": \"$1\", \"effective_from\": \"2026-01\", \"regime\": \"PW2015\",
 \"norm\": 140150, \"coop_pct\": 1000, \"distribution\": \"STATUTORY\", \"muni_pct\": 0,
 \"loss_rule\": \"FLOOR_ZERO\", \"min_age_nrk\": 27, \"pct_n\": 2500, \"cap_n\": 28500,
 \"n_months\": 6, \"pct_r\": 1250, \"cap_r\": 17766, \"r_months\": 30, \"pct_y\": 1500,
 \"cap_y\": 18019, \"pct_34a\": 1500, \"months_34a\": 12, \"k_month\": 22000, \"k_year\": 220000}"
}
on 2026-01-02
for m in breda tilburg; do
  coop init --role municipality --name "Gemeente ${m^}" --dir "$dir/$m" >/dev/null
  rules "${m^}" | coop rules publish - --dir "$dir/$m" >/dev/null
done
coop init --role coop --name "Werkt" --dir "$dir/coop" >/dev/null
for m in breda tilburg; do
  coop peer add --dir "$dir/coop" --key "$(key "$dir/$m")" --role municipality --name "$m" >/dev/null
  coop log export --dir "$dir/$m" >"$dir/$m.bundle" && coop log import --dir "$dir/coop" "$dir/$m.bundle" >/dev/null
done
coop period open 2026-01 --dir "$dir/coop" >/dev/null
truth=$dir/truth
: >"$truth"
add_members() { # MUNI COUNT
  for i in $(seq 1 "$2"); do
    id=$(coop member add --dir "$dir/coop" --name "Lid $1 $i" --municipality "$1" \
      --client-ref "${1:0:2}-$i" --birth 1980-01)
    echo "$1 $id" >>"$truth"
  done
}
add_members breda "$breda_n"
add_members tilburg "$tilburg_n"
for month in 01 02 03; do
  n=0
  while read -r muni id; do
    n=$((n + 1))
    records=$(((n * 7 + ${month#0} * 3) % 5))
    for r in $(seq 0 "$records"); do
      coop record revenue --member "$id" --amount "$((100 + n * 13 + r)).00" \
        --date "2026-$month-$((10 + r))" --dir "$dir/coop" >/dev/null
    done
  done <"$truth"
  on "2026-$((10#$month + 1))-02"
  coop period close "2026-$month" --dir "$dir/coop" >/dev/null
done
coop log export --dir "$dir/coop" >"$dir/coop.bundle"
coop log import --dir "$dir/tilburg" "$dir/coop.bundle" >/dev/null
python3 - "$dir/tilburg/coop.db" "$(key "$dir/coop")" "$(key "$dir/tilburg")" "$(key "$dir/breda")" "$truth" <<'PY'
import collections, sqlite3, sys
db_path, coop_key, tilburg_key, breda_key, truth_path = sys.argv[1:6]
db = sqlite3.connect(db_path)
F = 2 ** 48
coop_no = next(no for no, lid in db.execute("SELECT log_no, log_id FROM logs") if lid.hex() == coop_key)
rows = db.execute("SELECT entry_key - ? * ?, header, length(payload) FROM entries"
                  " WHERE entry_key >= ? * ? AND entry_key < (? + 1) * ? ORDER BY entry_key",
                  (coop_no, F, coop_no, F, coop_no, F)).fetchall()
grants = db.execute("SELECT audience_id, reader FROM key_grants WHERE log_no = ?", (coop_no,)).fetchall()
readers = collections.defaultdict(set)
for audience, reader in grants:
    readers[audience].add(reader.hex())
truth = [line.split() for line in open(truth_path)]
true_breda = sum(1 for m, _ in truth if m == "breda")
# 1. Who reads which audience is public (the grant's reader key): the
#    audiences Breda's key reads are Breda's residents.
breda_audiences = {a for a, r in readers.items() if breda_key in r}
print("residents of Breda counted from key grants: %d (true: %d)" % (len(breda_audiences), true_breda))
# 2. Member ids: the audience id's first 3 bytes are the member id.
ids = sorted("m-" + a[:3].hex() for a in breda_audiences)
true_ids = sorted(i for m, i in truth if m == "breda")
print("Breda's member ids read from audience ids: %s (%s)" %
      (len(set(ids) & set(true_ids)), "all match" if ids == true_ids else "differ"))
# 3. Records per resident per month, from header kind and timestamp.
kinds = collections.Counter()
per_member = collections.Counter()
sizes = collections.defaultdict(collections.Counter)
for index, header, size in rows:
    kind = int.from_bytes(header[2:4], "little")
    audience = header[56:72]
    if audience in breda_audiences:
        kinds[kind] += 1
        if kind == 18:
            per_member[audience] += 1
        sizes[kind][size] += 1
print("Breda residents' entries by kind (17 member, 18 record, 19 statement): %s" % dict(kinds))
print("records per Breda resident over 3 months: min %d, max %d (each countable per month by timestamp)"
      % (min(per_member.values()), max(per_member.values())))
for kind, counter in sorted(sizes.items()):
    print("kind %d payload sizes seen: %s" % (kind, dict(sorted(counter.items()))))
PY
