#!/usr/bin/env bash
# The README's first command: install what is missing, build, and walk a
# municipality, a coop and its members through a month, in a temporary
# directory that is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh build
export PATH="$PWD/build/cli:$PATH"
rules=$PWD/docs/examples/breda-2026.json
# COOP_DEMO_DIR=DIR keeps the nodes afterwards, to look around in them.
if [ -n "${COOP_DEMO_DIR:-}" ]; then
  work=$COOP_DEMO_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
cd "$work"
# The story happens in March 2026 and is closed on 2 April.
export COOP_NOW_MS=1775131200000

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

say "1. The municipality of Breda sets up its node and publishes its 2026 offset rules."
run coop init --role municipality --name "Gemeente Breda" --dir breda
run coop rules publish "$rules" --dir breda
municipality=$(coop id -O json --dir breda | json '["public_key"]')

say "2. The cooperative sets up its node and takes in Breda's log (as a file: no network yet)."
run coop init --role coop --name "Breda Werkt" --dir coop
coop log export --dir breda > breda.bundle 2>/dev/null
run coop log import breda.bundle --dir coop

say "3. It enrols three members.  Their data is sealed: only the coop, Breda and the member can read it."
anna=$(coop member add --dir coop --name "Anna" --municipality "$municipality" --client-ref BR-1001 --birth 1990-05)
coop member set "$anna" --n-approved yes --from 2026-01 --dir coop >/dev/null
bram=$(coop member add --dir coop --name "Bram" --municipality "$municipality" --client-ref BR-1002 --birth 1985-09)
coop member set "$bram" --medical-limit yes --from 2026-01 --dir coop >/dev/null
cem=$(coop member add --dir coop --name "Cem" --municipality "$municipality" --client-ref BR-1003 --birth 2001-02)
echo "Anna $anna (disregard n approved), Bram $bram (medically limited hours), Cem $cem (24 years old)"

say "4. A month of work is recorded."
run coop record opening --amount 5000 --date 2026-03-01 --dir coop --ref opening-2026
run coop record revenue --member "$anna" --amount 800 --date 2026-03-10 --ref inv-031 --dir coop
run coop record cost --member "$anna" --amount 200 --date 2026-03-12 --ref bill-007 --dir coop
run coop record revenue --member "$bram" --amount 600 --date 2026-03-14 --ref inv-032 --dir coop
run coop record cost --member "$bram" --amount 100 --date 2026-03-15 --ref bill-008 --dir coop
run coop record allowance --member "$bram" --amount 250 --date 2026-03-28 --ref vol-03 --dir coop
run coop record revenue --member "$cem" --amount 150 --date 2026-03-20 --ref inv-033 --dir coop
run coop record cost --member "$cem" --amount 400 --date 2026-03-21 --ref bill-009 --dir coop
run coop record allowance --member "$cem" --amount 100 --date 2026-03-28 --ref vol-04 --dir coop
echo "A retry of the same invoice is recognised, not booked twice:"
run coop record revenue --member "$anna" --amount 800 --date 2026-03-10 --ref inv-031 --dir coop

say "5. March is closed: every member's statement is computed by Breda's published rules and the profit is split."
run coop period close 2026-03 --dir coop
run coop bal --dir coop

say "6. Anna's statement, as she and Breda read it."
run coop statement --member "$anna" -p 2026-03 --dir coop
echo
for member in "$bram" "$cem"; do
  coop statement --member "$member" -p 2026-03 --dir coop -O json |
    python3 -c "import json,sys; s=json.load(sys.stdin)['statement']; print('$member: offset', s['offset'], 'cents, benefit', s['benefit'], 'cents, disregard', s['disregard_kind'])"
done

say "7. Breda takes in the coop's log and checks every entry and signature."
coop log export --dir coop > coop.bundle 2>/dev/null
run coop log import coop.bundle --dir breda
run coop verify -v --dir breda

say "8. Anna gets a proof that her statement is in the coop's signed log, and anyone can check it offline."
index=$(coop statement --member "$anna" -p 2026-03 --dir coop -O json | json '["entry_index"]')
coop proof inclusion "$index" --dir coop > anna-statement-proof.json
run coop proof verify anna-statement-proof.json

say "9. A forged copy (one hash changed) is rejected, and so is an edited database."
python3 - anna-statement-proof.json forged.json <<'PY'
import json, sys
proof = json.load(open(sys.argv[1]))
first = proof["proof"][0]
proof["proof"][0] = ("1" if first[0] == "0" else "0") + first[1:]
json.dump(proof, open(sys.argv[2], "w"))
PY
echo "\$ coop proof verify forged.json"
if coop proof verify forged.json; then echo "forgery NOT caught" >&2; exit 1; fi
cp -r coop tampered
python3 - tampered/coop.db <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE entries SET payload = CAST(x'00' || substr(payload, 2) AS BLOB) WHERE log_no = 1 AND idx = 20")
db.commit()
PY
echo "\$ coop verify --dir tampered"
if coop verify --dir tampered; then echo "tampering NOT caught" >&2; exit 1; fi

say "Done: the same rules on both sides, every figure provable, every change caught."
