#!/usr/bin/env bash
# A log with an erasure far behind the entries it erased reaches nodes that
# never held it, over sync (docs/log-format.md §Erasure, "Proven ahead").
#
#   tests/node/erase_sync.sh COOP_BIN
#
# Anna's entries come early in the coop's log; then 8,000 records (more
# than one 1 MiB sync batch); then Anna is erased.  A new municipality
# node syncs from the coop daemon from scratch: the first batch carries
# Anna's entries without their payloads, and the sender proves the erasure
# ahead of it.  Checked: the new node catches up to the coop's size, `coop
# verify` passes there counting the erased entries, no kept proof is left
# once the erasure entry arrived, no payload of Anna's is on the new node,
# the coop's daemon log shows the batches it cut.  A second new node then
# takes the log as a file (bundle), the other way in.
#
# Each check prints "ok   NAME" or "FAIL NAME: why", then one line
# "node-erase-sync: N passed, M failed"; exit 1 on any failure.
set -u
COOP=${1:?usage: erase_sync.sh COOP_BIN}
. "$(dirname "$0")/lib.sh" erase-sync
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
port=$(free_port)

on 2026-01-05
coop=$work/coop fresh=$work/fresh
{
  coop init --role coop --name "Breda Werkt" --dir "$coop" &&
  coop init --role municipality --name "Gemeente Breda" --dir "$fresh" &&
  coop peer add --dir "$coop" --key "$(key_of "$fresh")" --role municipality --name breda &&
  coop peer add --dir "$fresh" --key "$(key_of "$coop")" --role coop --name coop \
    --addr "127.0.0.1:$port" &&
  coop period open 2026-01 --dir "$coop"
} >/dev/null || { echo "setup failed"; exit 1; }
anna_id=$(coop member add --dir "$coop" --name "Anna de Vries" --municipality breda \
  --client-ref BR-1001 --birth 1990-04)
members=()
for k in 1 2 3 4 5 6 7 8; do
  members+=("$(coop member add --dir "$coop" --name "Lid $k" --municipality breda \
    --client-ref "BR-20$k" --birth 1985-02)")
done
coop record revenue --member "$anna_id" --amount 100 --date 2026-01-10 --dir "$coop" >/dev/null
{
  echo "type,member,amount,date,ref"
  for i in $(seq 1 8000); do
    echo "revenue,${members[$((i % 8))]},1.00,2026-01-$((10 + i % 18)),r$i"
  done
} >"$work/records.csv"
coop import "$work/records.csv" --dir "$coop" >/dev/null || { echo "import failed"; exit 1; }
on 2026-02-02
coop member set "$anna_id" --left --from 2026-02 --dir "$coop" >/dev/null
coop member erase "$anna_id" --reason "verzoek" --before-retention --dir "$coop" >/dev/null ||
  { echo "erase failed"; exit 1; }
coop_size=$(size_of "$coop")
coop_log=$(key_of "$coop")
erased_at_coop=$(sql "$coop" "SELECT count(*) FROM entries WHERE payload IS NULL")

# ---- A node that never held the log syncs it from scratch --------------------------------

"$COOP" node run --dir "$coop" --listen "127.0.0.1:$port" 2>"$work/daemon.log" &
daemon=$!
for _ in $(seq 50); do grep -q "listening" "$work/daemon.log" 2>/dev/null && break; sleep 0.1; done
timeout 120 "$COOP" sync --dir "$fresh" >"$work/sync.out" 2>&1
rc=$?
kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; daemon=""
if [ "$rc" -eq 0 ]; then ok "sync/exit"; else fail "sync/exit" "rc $rc: $(tail -n 3 "$work/sync.out")"; fi
held=$(coop logs --dir "$fresh" | awk '/Breda Werkt/ {for (i = 1; i < NF; i++) if ($i == "size") print $(i + 1)}')
if [ "$held" = "$coop_size" ] && [ "$coop_size" -gt 8000 ]; then ok "sync/caught-up"
else fail "sync/caught-up" "holds '$held' of $coop_size: $(grep -m1 refused "$work/sync.out")"; fi
coop verify --dir "$fresh" >"$work/verify.out" 2>&1
if [ $? -eq 0 ] && grep -q "entries erased (payloads removed) by 1 erasure entry" "$work/verify.out"; then ok "verify/fresh"
else fail "verify/fresh" "$(tail -n 3 "$work/verify.out")"; fi
erased_fresh=$(sql "$fresh" "SELECT count(*) FROM entries e JOIN logs l USING (log_no)
  WHERE hex(l.log_id) = upper('$coop_log') AND e.payload IS NULL")
if [ "$erased_fresh" -ge 3 ] && [ "$erased_fresh" = "$erased_at_coop" ]; then ok "erased/same-as-coop"
else fail "erased/same-as-coop" "fresh node lacks $erased_fresh payloads, the coop $erased_at_coop"; fi
kept=$(sql "$fresh" "SELECT count(*) FROM erasure_proofs")
if [ "$kept" = 0 ]; then ok "proofs/settled"; else fail "proofs/settled" "$kept proofs still kept"; fi
if grep -q "Anna" "$fresh/coop.db" "$fresh/coop.db-wal" 2>/dev/null; then
  fail "erased/no-name" "Anna's name is in the fresh node's files"
else ok "erased/no-name"; fi
first_batch=$(sql "$fresh" "SELECT min(size) FROM checkpoints c JOIN logs l USING (log_no)
  WHERE hex(l.log_id) = upper('$coop_log')")
if [ "$first_batch" -lt "$coop_size" ]; then ok "sync/several-batches"
else fail "sync/several-batches" "one batch ($first_batch): the test proves nothing"; fi

# ---- The other way in: the log as a file ---------------------------------------------------

file_node=$work/file
coop init --role municipality --name "Gemeente Bestand" --dir "$file_node" >/dev/null
coop peer add --dir "$file_node" --key "$coop_log" --role coop --name coop >/dev/null
coop log export --dir "$coop" >"$work/coop.bundle" 2>/dev/null
if coop log import "$work/coop.bundle" --dir "$file_node" >/dev/null 2>&1 &&
   coop verify --dir "$file_node" >/dev/null 2>&1; then ok "bundle/verify"
else fail "bundle/verify" "the bundle does not import and verify"; fi

echo "node-erase-sync: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
