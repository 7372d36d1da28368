#!/usr/bin/env bash
# The storage edges with real processes:
#
#   tests/node/edges.sh COOP_BIN
#
# 1. concurrency: 5 writers (`coop record`) and 3 readers (`coop bal`) on one
#    coop node at once, while its daemon syncs with a municipality's daemon
#    that keeps appending: every command succeeds, every record is booked
#    once, `coop verify` passes.  (Was a bug: 4-10 % of such commands failed
#    with "database error".)
# 2. a command that cannot get the write lock within its timeout says so in
#    plain words and changes nothing.
# 3. disk full (a small tmpfs, when this process may mount one): commands say
#    "the disk is full", exit non-zero and change nothing; after space is
#    freed the node verifies and works.  (Was a bug: "database error (cannot
#    rollback - no transaction is active)".)
#
# Each check prints "ok   NAME" or "FAIL NAME: why", then one line
# "node-edges: N passed, M failed"; exit 1 on any failure.
set -u
COOP=${1:?usage: edges.sh COOP_BIN}
unset COOP_HOME
export LC_ALL=C COOP_NOW_MS=1775000000000 # 2026-03-31: records of March are in the open month

work=$(mktemp -d "${TMPDIR:-/tmp}/coop-node-edges.XXXXXX") || exit 1
passed=0 failed=0
pids=()
mounted=""
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { # NAME CONDITION-COMMAND... (the command's success is the check)
  local name=$1
  shift
  if "$@"; then ok "$name"; else fail "$name" "$(cat "$work/why" 2>/dev/null)"; fi
}
coop() { "$COOP" "$@"; }
key_of() { coop id --dir "$1" -O json | sed -n 's/^ *"public_key": "\([0-9a-f]*\)".*/\1/p'; }
log_size() { coop checkpoint --dir "$1" | sed -n 's/^size: *//p'; }
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000)) # below the outgoing range (32768 and up)
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
# A coop with one member of a municipality it knows (as a peer: a member's
# municipality must be one).
make_coop() { # DIR MUNICIPALITY-DIR -> member id on stdout
  coop init --role coop --name "Samen Werkt" --dir "$1" >/dev/null || return 1
  coop peer add --dir "$1" --key "$(key_of "$2")" --role municipality --name tilburg >/dev/null ||
    return 1
  coop member add --dir "$1" --name "Anna de Vries" --municipality "$(key_of "$2")" \
    --client-ref TB-1 --birth 1990-04
}

# ---- 1. many processes at once ----------------------------------------------------------------

coop init --role municipality --name "Gemeente Tilburg" --dir "$work/muni" >/dev/null
member=$(make_coop "$work/coop" "$work/muni")
coop bal --dir "$work/coop" >/dev/null
coop_port=$(free_port)
muni_port=$(free_port)
coop peer add --dir "$work/coop" --key "$(key_of "$work/muni")" --addr "127.0.0.1:$muni_port" \
  --role municipality --name muni >/dev/null
coop peer add --dir "$work/muni" --key "$(key_of "$work/coop")" --addr "127.0.0.1:$coop_port" \
  --role coop --name coop >/dev/null
"$COOP" node run --dir "$work/coop" --listen "127.0.0.1:$coop_port" 2>"$work/coop.log" &
pids+=($!)
"$COOP" node run --dir "$work/muni" --listen "127.0.0.1:$muni_port" 2>"$work/muni.log" &
pids+=($!)

writers=5 writes=132 readers=3 reads=100
: >"$work/failures"
workers=()
{
  for w in $(seq $writers); do
    (
      for i in $(seq $writes); do
        coop record revenue --dir "$work/coop" --member "$member" --amount 1.00 \
          --date 2026-03-0$w --ref "w$w-$i" >/dev/null 2>"$work/err.w$w" ||
          { echo "record: $(cat "$work/err.w$w")" >>"$work/failures"; }
      done
    ) &
    workers+=($!)
  done
  for r in $(seq $readers); do
    (
      for i in $(seq $reads); do
        coop bal --dir "$work/coop" >/dev/null 2>"$work/err.r$r" ||
          { echo "bal: $(cat "$work/err.r$r")" >>"$work/failures"; }
      done
    ) &
    workers+=($!)
  done
  # The municipality keeps appending too: its daemon pushes each note to the
  # coop's daemon, which stores it in the same database.
  (
    for i in $(seq 40); do
      coop note --dir "$work/muni" "note $i" >/dev/null 2>"$work/err.m" ||
        { echo "note: $(cat "$work/err.m")" >>"$work/failures"; }
    done
  ) &
  workers+=($!)
  wait "${workers[@]}"
}
commands=$((writers * writes + readers * reads + 40))
failures=$(wc -l <"$work/failures")
echo "     $commands commands, $failures failed"
[ "$failures" -gt 0 ] && sort "$work/failures" | uniq -c | head -5 | sed 's/^/     /'
[ "$failures" -eq 0 ] && ok "concurrency: $commands commands at once (5 writers, 3 readers, 2 daemons), 0 failures" ||
  fail "concurrency" "$failures of $commands commands failed"

revenue=$(coop bal --dir "$work/coop" -O json | tr -d ' \n' |
  sed -n 's/.*"account":"income:members:[^"]*:revenue","amount_cents":\(-*[0-9]*\).*/\1/p')
[ "$revenue" = "$((-writers * writes * 100))" ] && ok "concurrency: every record booked exactly once" ||
  fail "concurrency: every record booked exactly once" "revenue $revenue, expected $((-writers * writes * 100))"
coop verify --dir "$work/coop" >/dev/null 2>"$work/why" && ok "concurrency: coop verify passes afterwards" ||
  fail "concurrency: coop verify passes afterwards" "$(cat "$work/why")"
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
wait
pids=()

# ---- 2. a lock held too long ------------------------------------------------------------------

if command -v sqlite3 >/dev/null; then
  before=$(log_size "$work/coop")
  # Another process holds the write lock for 3 s (as a long month close would).
  # (The sqlite3 shell runs a statement only once it has read the next line.)
  { echo "BEGIN IMMEDIATE;"; echo "SELECT 1;"; sleep 3; echo "COMMIT;"; } |
    sqlite3 "$work/coop/coop.db" >/dev/null &
  holder=$!
  sleep 0.5
  COOP_BUSY_TIMEOUT_MS=300 coop record revenue --dir "$work/coop" --member "$member" \
    --amount 5 --date 2026-03-09 >"$work/out" 2>"$work/err"
  status=$?
  wait $holder
  if [ $status = 1 ] && grep -q "another coop command is writing; try again" "$work/err"; then
    ok "busy: a command that cannot get the lock says 'another coop command is writing; try again'"
  else
    fail "busy: plain message" "exit $status: $(cat "$work/err")"
  fi
  [ "$(log_size "$work/coop")" = "$before" ] && ok "busy: nothing appended" ||
    fail "busy: nothing appended" "log size $before -> $(log_size "$work/coop")"
  # Within the default timeout the same command waits for the lock and succeeds.
  { echo "BEGIN IMMEDIATE;"; echo "SELECT 1;"; sleep 1; echo "COMMIT;"; } |
    sqlite3 "$work/coop/coop.db" >/dev/null &
  holder=$!
  sleep 0.3
  coop record revenue --dir "$work/coop" --member "$member" --amount 5 --date 2026-03-09 \
    >/dev/null 2>"$work/err" && ok "busy: within the timeout a command waits and succeeds" ||
    fail "busy: waits and succeeds" "$(cat "$work/err")"
  wait $holder
else
  echo "skip busy: no sqlite3 command"
fi

# ---- 3. disk full -----------------------------------------------------------------------------

disk="$work/disk"
mkdir -p "$disk"
if mount -t tmpfs -o size=3m tmpfs "$disk" 2>/dev/null; then
  mounted=$disk
  coop init --role municipality --name "Gemeente Breda" --dir "$work/breda" >/dev/null
  member=$(make_coop "$disk/coop" "$work/breda")
  coop record revenue --dir "$disk/coop" --member "$member" --amount 12.34 --date 2026-03-02 >/dev/null
  # A daemon keeps the database open (its WAL and shared-memory files exist),
  # as on a running node; then the disk fills up.
  port=$(free_port)
  "$COOP" node run --dir "$disk/coop" --listen "127.0.0.1:$port" 2>"$work/disk.log" &
  pids+=($!)
  sleep 0.5
  dd if=/dev/zero of="$disk/fill" bs=4k >/dev/null 2>&1
  coop note --dir "$disk/coop" "a note on a full disk" >/dev/null 2>"$work/err"
  status=$?
  if [ $status = 1 ] && grep -q "the disk is full" "$work/err" && ! grep -q "rollback" "$work/err"; then
    ok "disk full: coop note says 'the disk is full'"
  else
    fail "disk full: coop note" "exit $status: $(cat "$work/err")"
  fi
  note=$(head -c 600 /dev/zero | tr '\0' x)
  full_said=0
  for i in $(seq 20); do
    coop record revenue --dir "$disk/coop" --member "$member" --amount 1 --date 2026-03-03 \
      --note "$note" >/dev/null 2>"$work/err"
    status=$?
    if [ $status = 0 ]; then continue; fi # a page or two may still have fitted
    if [ $status = 1 ] && grep -q "the disk is full" "$work/err"; then
      full_said=1
    else
      fail "disk full: coop record" "exit $status: $(cat "$work/err")"
      full_said=2
      break
    fi
  done
  [ $full_said = 1 ] && ok "disk full: coop record says 'the disk is full'"
  [ $full_said = 0 ] && fail "disk full: coop record" "20 records fitted on a full disk"
  kill -TERM "${pids[@]}" 2>/dev/null
  wait
  pids=()
  rm -f "$disk/fill"
  coop verify --dir "$disk/coop" >/dev/null 2>"$work/why" && ok "disk full: verify passes once space is freed" ||
    fail "disk full: verify passes" "$(cat "$work/why")"
  # Whatever fitted was committed whole; the note never was.
  coop log --dir "$disk/coop" 2>/dev/null | grep -q "a note on a full disk" &&
    fail "disk full: the refused note is not in the log" "it is" ||
    ok "disk full: the refused note is not in the log"
  coop record revenue --dir "$disk/coop" --member "$member" --amount 1 --date 2026-03-04 >/dev/null 2>"$work/why" &&
    ok "disk full: the node works again once space is freed" ||
    fail "disk full: works again" "$(cat "$work/why")"
else
  echo "skip disk full: cannot mount a tmpfs here (not root, or no permission)"
fi

echo "node-edges: $passed passed, $failed failed"
[ $failed = 0 ]
