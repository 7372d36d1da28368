#!/usr/bin/env bash
# The README's first command: install what is missing, build, and walk through
# what coop can do today, in a temporary directory that is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh build
export PATH="$PWD/build/cli:$PATH"
coop=coop
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export COOP_HOME=$work/coop

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "1. A cooperative creates its node: an identity key (mode 0600) and a signed log."
run "$coop" init --role coop --name "Breda Werkt"

say "2. It appends to its log.  Every append is signed: one checkpoint per batch."
run "$coop" note "Books opened for 2026."
run "$coop" note "General assembly approved the 10% coop share."
run "$coop" note "Member meeting moved to Thursday."
run "$coop" log

say "3. The latest checkpoint: log id, size, Merkle root, signature."
run "$coop" checkpoint

say "4. coop verify re-checks every entry, hash, tree node and signature (silent when good)."
run "$coop" verify -v

say "5. A proof that entry 2 is in the log, checked offline without the node."
"$coop" proof inclusion 2 > "$work/inclusion.json"
echo "\$ coop proof inclusion 2 > inclusion.json"
run "$coop" proof verify "$work/inclusion.json"

say "6. A proof that the log only grew between size 2 and size 4."
"$coop" proof consistency 2 4 > "$work/consistency.json"
echo "\$ coop proof consistency 2 4 > consistency.json"
run "$coop" proof verify "$work/consistency.json"

say "7. Someone edits the database behind coop's back.  verify names the entry."
cp -r "$COOP_HOME" "$work/tampered"
python3 - "$work/tampered/coop.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE entries SET payload = CAST('General assembly approved the 50% coop share.' AS BLOB) WHERE idx = 2")
db.commit()
PY
echo "\$ coop verify --dir tampered"
if "$coop" verify --dir "$work/tampered"; then echo "tampering NOT caught" >&2; exit 1; fi

say "8. And a proof file with one changed byte is rejected."
python3 - "$work/inclusion.json" "$work/bad.json" <<'PY'
import json, sys
proof = json.load(open(sys.argv[1]))
first = proof["proof"][0]
proof["proof"][0] = ("1" if first[0] == "0" else "0") + first[1:]
json.dump(proof, open(sys.argv[2], "w"))
PY
echo "\$ coop proof verify bad.json"
if "$coop" proof verify "$work/bad.json"; then echo "bad proof NOT rejected" >&2; exit 1; fi

say "Done: every number in this log can be proven, and every change to it is caught."
