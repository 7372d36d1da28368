# The harness the shell tests of tests/node/ share, sourced after COOP is
# set:  . "$(dirname "$0")/lib.sh" NAME
# A work directory ($work, removed at exit unless KEEP is set), ok/fail
# counters, the clock, JSON field reading, and the steps most scenarios
# take: a rule set, a log carried between nodes as a file (what a sync
# does), a municipality's audit.
unset COOP_HOME
export LC_ALL=C
work=$(mktemp -d "${TMPDIR:-/tmp}/coop-node-$1.XXXXXX") || exit 1
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
coop() { "$COOP" "$@"; }
# on DATE: the clock for the commands that follow (UTC noon of that day).
on() { COOP_NOW_MS=$(($(date -u -d "$1 12:00" +%s) * 1000)); export COOP_NOW_MS; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
size_of() { coop checkpoint --dir "$1" | sed -n 's/^size: *//p'; }

rules() { # NAME COOP_PCT: a rule set from 2026-01
  echo "{\"municipality\": \"$1\", \"effective_from\": \"2026-01\", \"regime\": \"PW2015\",
 \"norm\": 140150, \"coop_pct\": $2, \"distribution\": \"STATUTORY\", \"muni_pct\": 0,
 \"loss_rule\": \"FLOOR_ZERO\", \"min_age_nrk\": 27, \"pct_n\": 2500, \"cap_n\": 28500,
 \"n_months\": 6, \"pct_r\": 1250, \"cap_r\": 17766, \"r_months\": 30, \"pct_y\": 1500,
 \"cap_y\": 18019, \"pct_34a\": 1500, \"months_34a\": 12, \"k_month\": 22000, \"k_year\": 220000}"
}

# carry FROM TO: FROM's log into TO (what a sync does).
carry() { coop log export --dir "$1" >"$work/carry.bundle" 2>/dev/null &&
  coop log import --dir "$2" "$work/carry.bundle" >/dev/null; }
# audit MUNI: the coop's log ($coop) there, its audit, its verdicts back.
audit() { carry "$coop" "$1" && coop audit run --dir "$1" >"$work/audit.out" && carry "$1" "$coop"; }

key_of() { coop id --dir "$1" -O json | json 'd["public_key"]'; }

# sql DIR QUERY: one value from a node's database (python's sqlite3, read only).
sql() { python3 - "$1/coop.db" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(db.execute(sys.argv[2]).fetchone()[0])
PY
}
# free_port: a loopback TCP port nothing listens on now.
free_port() { python3 -c '
import random, socket
while True:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", random.randint(20000, 32000))); print(s.getsockname()[1]); break
    except OSError:
        s.close()'; }

# The scenario move.sh and year.sh start from, on 2026-01-05: Breda
# (coop_pct 10%) and Tilburg (20%) with their rule sets, Anna's own member
# node, and a coop ($coop) that knows both municipalities, its books from
# January 2026, with Anna (Breda, n approved, enrolled with her node's key)
# and Bo (Tilburg).  Sets coop breda tilburg anna_node, their *_key, anna
# and bo; exits on failure.
breda_tilburg() {
  on 2026-01-05
  coop=$work/coop breda=$work/breda tilburg=$work/tilburg anna_node=$work/anna-node
  coop init --role municipality --name "Gemeente Breda" --dir "$breda" >/dev/null &&
    coop init --role municipality --name "Gemeente Tilburg" --dir "$tilburg" >/dev/null &&
    coop init --role member --name "Anna" --dir "$anna_node" >/dev/null &&
    rules Breda 1000 | coop rules publish - --dir "$breda" >/dev/null &&
    rules Tilburg 2000 | coop rules publish - --dir "$tilburg" >/dev/null ||
    { echo "FAIL setup: municipalities"; exit 1; }
  breda_key=$(key_of "$breda") tilburg_key=$(key_of "$tilburg") anna_key=$(key_of "$anna_node")
  {
    coop init --role coop --name "Breda Werkt" --dir "$coop" >/dev/null &&
      coop peer add --dir "$coop" --key "$breda_key" --role municipality --name breda >/dev/null &&
      coop peer add --dir "$coop" --key "$tilburg_key" --role municipality --name tilburg >/dev/null &&
      carry "$breda" "$coop" && carry "$tilburg" "$coop" &&
      coop period open 2026-01 --dir "$coop" >/dev/null &&
      coop member add --dir "$coop" --name "Anna de Vries" --municipality breda --client-ref BR-1001 \
        --birth 1990-04 --member-key "$anna_key" >"$work/anna" &&
      coop member set "$(cat "$work/anna")" --n-approved yes --from 2026-01 --dir "$coop" >/dev/null &&
      coop member add --dir "$coop" --name "Bo Jansen" --municipality tilburg --client-ref TB-7 \
        --birth 1985-07 >"$work/bo"
  } || { echo "FAIL setup: the coop"; exit 1; }
  anna=$(cat "$work/anna") bo=$(cat "$work/bo")
}
