#!/usr/bin/env bash
# A large municipality: more peers than the 64 a node used to keep, all
# connected at once, with real daemons on 127.0.0.1.
#
#   tests/node/many_peers.sh COOP_BIN [COOPS]
#
# Gemeente Amsterdam names COOPS coops (default 70) in node.conf, added one
# by one with `coop peer add`; every coop runs `coop node run`, dialing it.
# Checked: every coop's log reaches Amsterdam's daemon and every coop holds
# Amsterdam's log back; the daemon holds COOPS connections at once and
# refuses none as "too many"; a note a coop appends while all are connected
# arrives.  Then the bound: a node.conf naming more than NODE_PEERS_MAX
# (1024) peers is refused, naming the limit, and `coop peer add` past it
# too, with node.conf unchanged.
#
# Each check prints "ok   NAME" or "FAIL NAME: why", then one line
# "node-many_peers: N passed, M failed"; exit 1 on any failure.
set -u
COOP=${1:?usage: many_peers.sh COOP_BIN [COOPS]}
COOPS=${2:-70}
. "$(dirname "$0")/lib.sh" many_peers
root=$(cd "$(dirname "$0")/../.." && pwd)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected '$3', got '$2'"; fi; }
# Text output and sed, not JSON and python: this runs hundreds of times.
# logs_held NODE: how many logs NODE holds entries of.
logs_held() { coop logs --dir "$1" | grep -c " size [1-9]"; }
# size_there NODE FINGERPRINT: the size of that log on NODE.
size_there() { coop logs --dir "$1" | sed -n "s/^$2 .* size \([0-9]*\) .*/\1/p"; }
key_of() { coop id --dir "$1" | sed -n 's/^public key: *//p'; }
fingerprint_of() { coop id --dir "$1" | sed -n 's/^fingerprint: *//p'; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS.
wait_for() {
  local until=$((SECONDS + $1))
  shift
  until "$@"; do [ $SECONDS -ge $until ] && return 1; sleep 0.5; done
}

read -r -a ports < <(python3 "$root/scripts/free-ports.py" $((COOPS + 1)))
muni=$work/amsterdam
coop init --role municipality --name "Gemeente Amsterdam" --dir "$muni" >/dev/null ||
  { echo "FAIL setup: municipality"; exit 1; }
muni_key=$(key_of "$muni") muni_fp=$(fingerprint_of "$muni")
for i in $(seq 1 "$COOPS"); do
  dir=$work/coop-$i
  {
    coop init --role coop --name "Coop $i" --dir "$dir" >/dev/null &&
      coop peer add --dir "$dir" --key "$muni_key" --role municipality --name amsterdam \
        --addr "127.0.0.1:${ports[0]}" >/dev/null &&
      coop peer add --dir "$muni" --key "$(key_of "$dir")" --role coop --name "coop-$i" >/dev/null &&
      coop note "eerste notitie van coop $i" --dir "$dir" >/dev/null
  } || { echo "FAIL setup: coop $i: $(coop peer add --help 2>&1 | head -1)"; exit 1; }
done
check "config: Amsterdam names $COOPS peers" \
  "$(coop peer list --dir "$muni" | wc -l)" "$COOPS"

# ---- Every coop's daemon dials Amsterdam's; all connected at once -------------------------------
"$COOP" node run --dir "$muni" --listen "127.0.0.1:${ports[0]}" >/dev/null 2>"$work/muni.log" &
pids+=($!)
wait_for 20 grep -q "listening on" "$work/muni.log" || { echo "FAIL setup: daemon"; exit 1; }
for i in $(seq 1 "$COOPS"); do
  "$COOP" node run --dir "$work/coop-$i" --listen "127.0.0.1:${ports[$i]}" >/dev/null \
    2>"$work/coop-$i.log" &
  pids+=($!)
done
all_logs() { [ "$(logs_held "$muni")" -ge $((COOPS + 1)) ]; }
if wait_for 120 all_logs; then
  ok "sync: every coop's log reached Amsterdam ($COOPS + its own)"
else
  fail "sync: every coop's log reached Amsterdam" "$(logs_held "$muni") logs held"
fi
connected() { [ "$(grep -c "connected: coop" "$work/muni.log")" -ge "$COOPS" ]; }
wait_for 60 connected
check "connections: Amsterdam's daemon connected every coop" \
  "$(grep "connected: coop" "$work/muni.log" | sed 's/.*peer \(coop-[0-9]*\).*/\1/' | sort -u | wc -l)" \
  "$COOPS"
check "connections: none refused as too many" "$(grep -c "connections already" "$work/muni.log")" 0
back() { for i in $(seq 1 "$COOPS"); do
  [ "$(size_there "$work/coop-$i" "$muni_fp")" -gt 0 ] 2>/dev/null || return 1
done; }
if wait_for 60 back; then ok "sync: every coop holds Amsterdam's log"; else
  fail "sync: every coop holds Amsterdam's log" "some coop lacks it"; fi

# While all are connected: a note of the last coop arrives by its live connection.
last=$work/coop-$COOPS
last_fp=$(fingerprint_of "$last")
before=$(size_there "$muni" "$last_fp")
coop note "tweede notitie" --dir "$last" >/dev/null
grown() { [ "$(size_there "$muni" "$last_fp")" -gt "$before" ]; }
if wait_for 30 grown; then ok "live: a new entry of coop $COOPS reaches Amsterdam"; else
  fail "live: a new entry of coop $COOPS reaches Amsterdam" "still at size $before"; fi
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
pids=()

# ---- The bound: NODE_PEERS_MAX (1024) ------------------------------------------------------------
# A copy of Amsterdam's node.conf with made-up peers up to 1024, then one more.
big=$work/big
cp -r "$muni" "$big"
# Made-up node keys that are valid points: 2B, 3B, ... of Ed25519's base
# point B (RFC 8032 §5.1), one point addition each.
python3 - "$big/node.conf" "$COOPS" 1025 <<'PY'
import sys
path, have, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
p = 2**255 - 19
d = -121665 * pow(121666, p - 2, p) % p
def x_of(y):
    xx = (y * y - 1) * pow(d * y * y + 1, p - 2, p)
    x = pow(xx, (p + 3) // 8, p)
    if (x * x - xx) % p:
        x = x * pow(2, (p - 1) // 4, p) % p
    return p - x if x & 1 else x
def add(P, Q):
    (x1, y1), (x2, y2) = P, Q
    t = d * x1 * x2 * y1 * y2 % p
    return ((x1 * y2 + x2 * y1) * pow(1 + t, p - 2, p) % p,
            (y1 * y2 + x1 * x2) * pow(1 - t, p - 2, p) % p)
def key(P):
    return (P[1] | ((P[0] & 1) << 255)).to_bytes(32, "little").hex()
By = 4 * pow(5, p - 2, p) % p
B = P = (x_of(By), By)
keys = []
for i in range(have, total):
    P = add(P, B)
    keys.append(key(P))
with open(path, "a") as conf:
    for i, k in enumerate(keys[:-1]):
        conf.write("\n[peer extra-%d]\nkey = %s\nrole = coop\n" % (have + i, k))
open(path + ".last-key", "w").write(keys[-1])
PY
check "bound: 1024 peers load" "$(coop peer list --dir "$big" 2>&1 | wc -l)" 1024
"$COOP" node run --dir "$big" --listen "127.0.0.1:${ports[0]}" >/dev/null 2>"$work/big.log" &
pids+=($!)
wait_for 20 grep -q "listening on" "$work/big.log" &&
  ok "bound: a daemon naming 1024 peers starts" ||
  fail "bound: a daemon naming 1024 peers starts" "$(tail -3 "$work/big.log")"
kill -TERM "${pids[0]}" 2>/dev/null
wait "${pids[0]}" 2>/dev/null
pids=()
cp "$big/node.conf" "$work/node.conf.1024"
coop peer add --dir "$big" --key "$(cat "$big/node.conf.last-key")" --role coop \
  --name one-more >/dev/null 2>"$work/err"
code=$?
grep -q "already 1024 peers" "$work/err" && [ $code -eq 1 ] &&
  cmp -s "$big/node.conf" "$work/node.conf.1024" &&
  ok "bound: peer add past 1024 is refused (exit 1), node.conf unchanged" ||
  fail "bound: peer add past 1024 is refused" "exit $code: $(cat "$work/err")"
printf '\n[peer extra-1024]\nkey = %s\nrole = coop\n' "$(cat "$big/node.conf.last-key")" \
  >>"$big/node.conf"
coop peer list --dir "$big" >/dev/null 2>"$work/err"
code=$?
grep -q "more than 1024 peers" "$work/err" && [ $code -ne 0 ] &&
  ok "bound: a node.conf naming 1025 peers is refused, naming the limit" ||
  fail "bound: a node.conf naming 1025 peers is refused" "exit $code: $(cat "$work/err")"

echo "node-many_peers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
