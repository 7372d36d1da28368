#!/usr/bin/env bash
# Backup and restore with real processes: a coop and a municipality on
# loopback (the municipality runs `coop node run`, the coop syncs to it).
#
#   tests/node/backup.sh COOP_BIN
#
# The coop makes an online backup while the municipality's daemon reads its
# log, appends more and syncs; then the backup is restored.  The restored
# coop refuses to append (exit 1, the message names the backup, nothing
# changed) until `coop sync` with its peers has brought back the entries the
# municipality holds of the coop's own log; then appends work, continuing
# that one history: the municipality ends with the longer log and no fork
# evidence.  Also: the backup file is mode 0600 and never overwritten, a
# backup of another node and a file that is not a backup are refused with
# nothing changed, --confirm is the operator's way out, and `coop sync
# --peer` with one peer does not count as caught up.  Last, a database put
# back by hand (cp, no backup mark): sync raises the ALARM and does not take
# the own log, and the next append is recorded as a fork.
#
# Each check prints "ok   NAME" or "FAIL NAME: why", then one line
# "node-backup: N passed, M failed"; exit 1 on any failure.
set -u
COOP=${1:?usage: backup.sh COOP_BIN}
unset COOP_HOME
export LC_ALL=C

work=$(mktemp -d "${TMPDIR:-/tmp}/coop-node-backup.XXXXXX") || exit 1
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected '$3', got '$2'"; fi; }
coop() { "$COOP" "$@"; }
size_of() { coop checkpoint --dir "$1" | sed -n 's/^size: *//p'; }
# log_field NODE LOG FIELD: a field of `coop logs` for one log on NODE ("" if absent).
log_field() {
  coop logs --dir "$1" -O json | python3 -c 'import json,sys
print("".join(str(l[sys.argv[2]]) for l in json.load(sys.stdin) if l["log_id"] == sys.argv[1]))' "$2" "$3"
}
size_at() { log_field "$1" "$2" size; }
root_at() { log_field "$1" "$2" root; }
key_of() { coop id --dir "$1" -O json | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])'; }

port=$((20000 + RANDOM % 12000))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

coop_home=$work/coop muni=$work/muni
{
  coop init --role municipality --name "Gemeente Breda" --dir "$muni" >/dev/null &&
    coop init --role coop --name "Breda Werkt" --dir "$coop_home" >/dev/null &&
    coop init --role coop --name "Andere Coop" --dir "$work/other" >/dev/null &&
    coop peer add --dir "$coop_home" --key "$(key_of "$muni")" --role municipality --name breda \
      --addr "127.0.0.1:$port" >/dev/null &&
    coop peer add --dir "$muni" --key "$(key_of "$coop_home")" --role coop --name werkt >/dev/null
} || { echo "FAIL setup"; exit 1; }
coop_key=$(key_of "$coop_home")

"$COOP" node run --dir "$muni" --listen "127.0.0.1:$port" 2>"$work/muni.log" &
daemon_pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/muni.log" && break; sleep 0.1; done

# The books too: a member before the backup, a record and a member after it.
export COOP_NOW_MS=$(($(date -u -d "2026-01-20 12:00" +%s) * 1000))
{
  coop note "eerste" --dir "$coop_home" >/dev/null &&
    coop period open 2026-01 --dir "$coop_home" >/dev/null &&
    coop member add --dir "$coop_home" --name "Anna de Vries" --municipality breda \
      --client-ref BR-1001 >"$work/anna"
} || { echo "FAIL setup: books"; exit 1; }
coop sync --dir "$coop_home" --quiet >/dev/null || fail "setup: first sync" "exit $?"

# ---- The backup: online, mode 0600, marked, never overwritten --------------------------------
coop backup "$work/b.db" --dir "$coop_home" >"$work/backup.out" 2>&1
status=$?
backup_size=$(size_of "$coop_home")
check "backup: exit 0" "$status" 0
check "backup: file mode 0600" "$(stat -c %a "$work/b.db" 2>/dev/null)" 600
grep -q "own log size $backup_size" "$work/backup.out" &&
  ok "backup: says the own log's size ($backup_size)" ||
  fail "backup: says the own log's size" "$(cat "$work/backup.out")"
coop backup "$work/b.db" --dir "$coop_home" >/dev/null 2>"$work/again.err"
status=$?
check "backup: an existing file is refused (exit 1)" "$status" 1
grep -q "already exists" "$work/again.err" && ok "backup: the refusal names the file" ||
  fail "backup: the refusal names the file" "$(cat "$work/again.err")"
coop backup "$work/other.db" --dir "$work/other" >/dev/null

# ---- Append after the backup, sync: the municipality holds more -------------------------------
coop record revenue --dir "$coop_home" --member "$(cat "$work/anna")" --amount 1234,56 \
  --date 2026-01-15 --ref na-backup >/dev/null || fail "record after the backup" "exit $?"
coop member add --dir "$coop_home" --name "Bo Jansen" --municipality breda --client-ref BR-7 \
  >/dev/null || fail "member after the backup" "exit $?"
coop sync --dir "$coop_home" --quiet >/dev/null || fail "sync after the backup" "exit $?"
books_newer=$(coop bal --dir "$coop_home" -O json; coop member list --dir "$coop_home")
newer_size=$(size_of "$coop_home")
newer_root=$(root_at "$coop_home" "$coop_key")
check "the municipality holds the newer log" "$(size_at "$muni" "$coop_key")" "$newer_size"

# ---- Restores that must be refused ----------------------------------------------------------
coop restore "$work/other.db" --dir "$coop_home" >/dev/null 2>"$work/r.err"
check "restore: another node's backup refused (exit 1)" "$?" 1
grep -q "another node" "$work/r.err" && ok "restore: says it is another node's" ||
  fail "restore: says it is another node's" "$(cat "$work/r.err")"
cp "$coop_home/coop.db" "$work/plain.db" 2>/dev/null
echo "not a database" >"$work/junk.db"
coop restore "$work/junk.db" --dir "$coop_home" >/dev/null 2>"$work/r.err"
check "restore: a file that is not a backup refused (exit 1)" "$?" 1
coop restore "$work/none.db" --dir "$coop_home" >/dev/null 2>&1
check "restore: a missing file refused (exit 1)" "$?" 1
coop restore --dir "$coop_home" >/dev/null 2>&1
check "restore: no FILE, --status or --confirm is a usage error" "$?" 2
check "restore: nothing changed by the refusals" "$(size_of "$coop_home")" "$newer_size"

# ---- Restore the old backup: appends refused -------------------------------------------------
coop restore "$work/b.db" --dir "$coop_home" >/dev/null || fail "restore" "exit $?"
check "restored: the log is the backup's again" "$(size_of "$coop_home")" "$backup_size"
coop member list --dir "$coop_home" | grep -q "Bo Jansen" &&
  fail "restored: the books are the backup's" "Bo Jansen (added after the backup) is listed" ||
  ok "restored: the books are the backup's (no member added after it)"
coop restore --status --dir "$coop_home" -O json >"$work/status.json"
check "restore --status: waiting" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["state"], d["log_size"])' "$work/status.json")" \
  "waiting $backup_size"
coop note "vierde (fork)" --dir "$coop_home" >/dev/null 2>"$work/note.err"
check "restored: an append is refused (exit 1)" "$?" 1
grep -q "restored backup" "$work/note.err" && grep -q "own log size $backup_size" "$work/note.err" &&
  ok "restored: the refusal names the backup and what to do" ||
  fail "restored: the refusal names the backup" "$(cat "$work/note.err")"
check "restored: nothing appended" "$(size_of "$coop_home")" "$backup_size"

# A sync with one peer by name is not a sync with every peer.
coop sync --peer breda --dir "$coop_home" >"$work/sync1.out" 2>&1
coop note "vierde (fork)" --dir "$coop_home" >/dev/null 2>&1
check "after 'coop sync --peer': still refused" "$?" 1
grep -q "not caught up" "$work/sync1.out" && ok "'coop sync --peer' says it is not caught up" ||
  fail "'coop sync --peer' says it is not caught up" "$(cat "$work/sync1.out")"
check "after 'coop sync --peer': the own log came back anyway" "$(size_of "$coop_home")" "$newer_size"

# ---- Sync with every peer: caught up, then one history ----------------------------------------
coop sync --dir "$coop_home" >"$work/sync.out" 2>&1
check "sync: exit 0" "$?" 0
grep -q "caught up with every peer" "$work/sync.out" && ok "sync: says the restore caught up" ||
  fail "sync: says the restore caught up" "$(cat "$work/sync.out")"
check "caught up: the own log is the newer one (same root)" "$(root_at "$coop_home" "$coop_key")" "$newer_root"
check "caught up: the books are the newer ones again (balances, members)" \
  "$(coop bal --dir "$coop_home" -O json; coop member list --dir "$coop_home")" "$books_newer"
[ -n "$newer_root" ] || fail "the newer root was read" "empty"
coop note "vierde" --dir "$coop_home" >/dev/null
check "caught up: appending works again" "$?" 0
check "caught up: the append continues the newer log" "$(size_of "$coop_home")" "$((newer_size + 1))"
coop sync --dir "$coop_home" --quiet >/dev/null
check "the municipality holds one history, the longer" "$(size_at "$muni" "$coop_key")" \
  "$((newer_size + 1))"
coop forks --dir "$muni" >/dev/null 2>&1
check "the municipality has no fork evidence" "$?" 0
coop verify --dir "$coop_home" >/dev/null 2>&1
check "the coop's database verifies" "$?" 0
grep -q "FORK" "$work/muni.log" && fail "no FORK in the municipality's log" "$(grep FORK "$work/muni.log")" ||
  ok "no FORK in the municipality's daemon log"

# ---- The operator's confirmation ------------------------------------------------------------
# Nodes that exchange logs as files catch up from a peer's bundle of their
# own log (refused on a node that is not restored), then confirm.
coop log export --log "$coop_key" --dir "$muni" >"$work/own.bundle" 2>/dev/null
coop log import "$work/own.bundle" --dir "$coop_home" >/dev/null 2>"$work/own.err"
check "not restored: a bundle of the own log is refused (exit 1)" "$?" 1
coop backup "$work/c.db" --dir "$coop_home" >/dev/null
coop note "na backup c" --dir "$coop_home" >/dev/null
coop sync --dir "$coop_home" --quiet >/dev/null
files_size=$(size_of "$coop_home")
coop restore "$work/c.db" --dir "$coop_home" >/dev/null
coop note "weigering" --dir "$coop_home" >/dev/null 2>&1
check "restored again: refused" "$?" 1
coop log export --log "$coop_key" --dir "$muni" >"$work/own.bundle" 2>/dev/null
coop log import "$work/own.bundle" --dir "$coop_home" >/dev/null 2>"$work/own.err"
check "restored: the peer's bundle of the own log is taken (exit 0)" "$?" 0
check "restored: the bundle brought the own log back" "$(size_of "$coop_home")" "$files_size"
coop restore --confirm --dir "$coop_home" >/dev/null
check "restore --confirm: exit 0" "$?" 0
coop note "na bevestiging" --dir "$coop_home" >/dev/null
check "confirmed: appending works" "$?" 0
coop sync --dir "$coop_home" --quiet >/dev/null
check "confirmed: the next sync is clean (no fork)" "$?" 0
check "restore --status after confirm" "$(coop restore --status --dir "$coop_home" -O json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" "not restored"

# ---- A backup older than an erasure: the warning, and the erasure coming back ------------------
# Anna is erased after the backup was made.  Restoring it brings her back
# until sync returns the erasure entry from the municipality, which erases
# her again; the restore says so, naming the entry, and tells the operator
# not to confirm before that.
anna=$(cat "$work/anna")
coop backup "$work/before-erasure.db" --dir "$coop_home" >/dev/null
{
  coop member set "$anna" --left --from 2026-02 --dir "$coop_home" >/dev/null &&
    coop member erase "$anna" --reason "verzoek art. 17 AVG" --before-retention -O json \
      --dir "$coop_home" >"$work/erased.json" &&
    coop sync --dir "$coop_home" --quiet >/dev/null
} || fail "erasure: setup" "erase or sync failed"
erasure_at=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["erasure_index"])' \
  "$work/erased.json" 2>/dev/null)
coop restore "$work/before-erasure.db" -O json --dir "$coop_home" >"$work/lost.json" 2>"$work/lost.err"
check "erasure: the restore passes" "$?" 0
grep -q "1 erasure(s) were signed after this backup was made (entry $erasure_at)" "$work/lost.err" &&
  grep -q "do not use 'coop restore --confirm'" "$work/lost.err" &&
  ok "erasure: the restore warns, naming entry $erasure_at and --confirm" ||
  fail "erasure: the restore warns" "$(cat "$work/lost.err")"
check "erasure: the JSON counts it" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(d["erasures_after_backup"], d["erasure_entries"])' "$work/lost.json")" "1 [$erasure_at]"
check "erasure: she is in the restored database again" \
  "$(coop member list --dir "$coop_home" | grep -c "Anna de Vries")" 1
coop sync --dir "$coop_home" --quiet >/dev/null
check "erasure: sync brings the erasure back" "$?" 0
check "erasure: she is erased again" "$(coop member list --dir "$coop_home" | grep -c "Anna de Vries")" 0
coop member show "$anna" --dir "$coop_home" >/dev/null 2>&1
check "erasure: her member record is gone" "$?" 1
coop restore "$work/b.db" --dir "$coop_home" >/dev/null 2>"$work/older.err"
grep -q "erasure(s) were signed after this backup" "$work/older.err" &&
  ok "erasure: an older backup warns too" || fail "erasure: an older backup warns too" \
  "$(cat "$work/older.err")"
coop sync --dir "$coop_home" --quiet >/dev/null
check "erasure: and catches up again" "$(coop member list --dir "$coop_home" | grep -c "Anna de Vries")" 0

# ---- A database put back by hand (cp, no mark): the own log is not taken -----------------------
# Only a restore through 'coop restore' lets sync take the node's own log
# from a peer; anything else holding more of it is a stolen key's as far as
# the node knows, and the fork its next append makes is how that shows.
before_hand=$(size_at "$muni" "$coop_key")
cp "$work/plain.db" "$coop_home/coop.db" && rm -f "$coop_home/coop.db-wal" "$coop_home/coop.db-shm"
coop sync --dir "$coop_home" >"$work/hand.out" 2>&1
grep -q "ALARM: holds our own log" "$work/hand.out" && ok "by hand: sync raises the ALARM" ||
  fail "by hand: sync raises the ALARM" "$(tail -5 "$work/hand.out")"
check "by hand: the own log is not taken from the peer" "$(size_of "$coop_home")" "$newer_size"
coop note "tweede geschiedenis" --dir "$coop_home" >/dev/null
# The municipality finds the fork when the coop's checkpoint reaches it
# (whether the coop hears back before its sync ends is timing: not checked).
coop sync --dir "$coop_home" >"$work/hand2.out" 2>&1
coop forks --dir "$muni" >/dev/null 2>&1
check "by hand: the municipality holds the fork evidence" "$?" 1
check "by hand: the municipality keeps the longer history" "$(size_at "$muni" "$coop_key")" "$before_hand"

echo "node-backup: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
