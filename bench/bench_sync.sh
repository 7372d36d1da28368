#!/usr/bin/env bash
# Sync benchmark: one node pulls a full log from another over loopback, with
# full verification, side by side with two Hypercore 11 cores doing the same.
# Run by hand, never in the tests:
#
#   bench/bench_sync.sh [ENTRIES] [RUNS]      (default 1000000 entries, 3 runs)
#   COOP_BUILD=build-release BENCH_DIR=/var/tmp/s HYPERCORE=0 bench/bench_sync.sh 100000 1
#
# Needs a release build (meson setup build-release --buildtype=release;
# ninja -C build-release), /usr/bin/time, and for the Hypercore side node and
# `npm install` run once in bench/hypercore (HYPERCORE=0 skips that side).
#
# coop: `make_log` appends ENTRIES public notes of BYTES (256) bytes to the
# log of node 'full' (batches of 1000, one signed checkpoint each).  Each run
# starts `coop node run` on 'full', then times a one-shot `coop sync` on an
# empty node 'empty' from its start until it exits 0 (handshake, every batch
# verified — signature, header, payload and leaf hashes, Merkle root — and
# stored with an fsync'd commit, then the settle barrier).  Peak RSS: VmHWM of
# the daemon (read before it is stopped) and /usr/bin/time's maximum RSS of
# the one-shot sync.  Same-run references: the rate make_log appended at (the
# author's own bulk append: hashing, tree, signing, SQLite) and the CPU time
# each side spent per entry.
#
# Hypercore: bench/hypercore/bench.js, the same count and block size, writer
# and reader in their own processes over a loopback TCP socket.
#
# Runs are sequential (the machine has 2 cores: the two sides of one run use
# both).  Prints each run, then best and median, as markdown.
set -euo pipefail
entries=${1:-1000000}
runs=${2:-3}
bytes=${BYTES:-256}
. "$(dirname "$0")/paths.sh"
port_full=${PORT:-17420}
port_empty=$((port_full + 1)) # nobody listens there: the daemon's dials fail
for tool in "$coop" "$make_log" /usr/bin/time; do
  [ -x "$tool" ] || { echo "bench_sync: $tool missing (see the header of $0)" >&2; exit 1; }
done
dir=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$dir"
[ "${KEEP:-0}" = 1 ] || [ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$dir"' EXIT

seconds() { date +%s.%N; }
key() { "$coop" id --dir "$1" -O json | sed -n 's/^ *"public_key": "\([0-9a-f]*\)".*/\1/p'; }
# median and best (max) of numbers on stdin; "min" as $1 for smaller-is-better
stats() {
  sort -g | awk -v want="${1:-max}" '{ v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%s %s\n", (want == "max" ? v[NR] : v[1]), m }'
}

echo "coop sync benchmark: $entries entries of $bytes bytes, $runs runs ($(nproc) CPUs, $(uname -m), $(basename "$build")); load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the two nodes, once ------------------------------------------------------
if [ ! -f "$dir/full/coop.db" ] || [ "$(cat "$dir/full.entries" 2>/dev/null)" != "$entries x $bytes" ]; then
  rm -rf "$dir/full" "$dir/empty.template"
  "$coop" init --dir "$dir/full" --role coop --name full >/dev/null
  "$coop" init --dir "$dir/empty.template" --role coop --name empty >/dev/null
  "$coop" peer add --dir "$dir/full" --key "$(key "$dir/empty.template")" \
    --addr "127.0.0.1:$port_empty" --role coop --name empty >/dev/null
  "$coop" peer add --dir "$dir/empty.template" --key "$(key "$dir/full")" \
    --addr "127.0.0.1:$port_full" --role coop --name full >/dev/null
  "$make_log" --dir "$dir/full" --entries "$entries" --bytes "$bytes" | tee "$dir/make_log.out"
  echo "$entries x $bytes" >"$dir/full.entries"
else
  echo "reusing the full node in $dir (made earlier: $(cat "$dir/make_log.out"))"
fi
append_rate=$(sed -n 's/.*(\([0-9]*\) entries\/s).*/\1/p' "$dir/make_log.out")
db_mib=$(du -m "$dir/full/coop.db" | cut -f1)

# ---- coop runs ----------------------------------------------------------------
: >"$dir/coop.results"
for run in $(seq "$runs"); do
  rm -rf "$dir/empty"
  cp -a "$dir/empty.template" "$dir/empty"
  sync # the previous run's writes must not land in this run's fsyncs
  rm -f "$dir/full.log"
  (exec "$coop" node run --dir "$dir/full" --listen "127.0.0.1:$port_full" 2>"$dir/full.log") &
  daemon=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$dir/full.log" 2>/dev/null && break
    sleep 0.05
  done
  read -r daemon_cpu_before < <(awk '{ print $14 + $15 }' "/proc/$daemon/stat")
  start=$(seconds)
  /usr/bin/time -f '%M %U %S' -o "$dir/sync.time" \
    "$coop" sync --dir "$dir/empty" --peer full --timeout 3600 >"$dir/sync.out" 2>"$dir/sync.log" ||
    { cat "$dir/sync.out" "$dir/sync.log" >&2; kill -TERM "$daemon"; exit 1; }
  end=$(seconds)
  daemon_rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$daemon/status")
  read -r daemon_cpu_after < <(awk '{ print $14 + $15 }' "/proc/$daemon/stat")
  kill -TERM "$daemon"
  wait "$daemon" || true
  received=$(sed -n 's/.*in sync (\([0-9]*\) entries received.*/\1/p' "$dir/sync.out")
  [ "$received" -ge "$entries" ] || { echo "bench_sync: received only '$received'" >&2; exit 1; }
  read -r sync_rss sync_user sync_sys <"$dir/sync.time"
  # Phases from the one-shot's log lines: connect, handshake, caught up, settled.
  phase() { sed -n "s/^[^ ]*T\([0-9:.]*\)Z .*$1.*/\1/p" "$dir/sync.log" | head -1 |
              awk -F: '{ printf "%.3f", $1 * 3600 + $2 * 60 + $3 }'; }
  connected=$(phase "connected:")
  caught_up=$(phase "caught up at size")
  settled=$(phase ": in sync")
  awk -v n="$received" -v s="$start" -v e="$end" -v rr="$sync_rss" -v dr="$daemon_rss" \
      -v su="$sync_user" -v ss="$sync_sys" -v d0="$daemon_cpu_before" -v d1="$daemon_cpu_after" \
      -v hz="$(getconf CLK_TCK)" -v c="$connected" -v u="$caught_up" -v t="$settled" -v run="$run" '
    BEGIN { w = e - s
      printf "run %d: %d entries in %.2f s = %.0f entries/s; peak RSS receiver %.1f MiB, daemon %.1f MiB; CPU receiver %.2f s, daemon %.2f s; transfer %.2f s, settle %.2f s\n",
        run, n, w, n / w, rr / 1024, dr / 1024, su + ss, (d1 - d0) / hz, u - c, t - u > "/dev/stderr"
      printf "%.3f %.0f %.1f %.1f %.2f %.2f %.3f %.3f\n", w, n / w, rr / 1024, dr / 1024, su + ss,
        (d1 - d0) / hz, u - c, t - u }' >>"$dir/coop.results"
done
"$coop" verify --dir "$dir/empty" || { echo "bench_sync: the received log does not verify" >&2; exit 1; }

# ---- Hypercore runs -----------------------------------------------------------
: >"$dir/hypercore.results"
: >"$dir/hypercore.json"
if [ "${HYPERCORE:-1}" != 0 ]; then
  [ -d "$here/hypercore/node_modules/hypercore" ] ||
    { echo "bench_sync: run 'npm install' in bench/hypercore first (or HYPERCORE=0)" >&2; exit 1; }
  mkdir -p "$dir/hypercore"
  for run in $(seq "$runs"); do
    sync
    node "$here/hypercore/bench.js" "$entries" "$bytes" "$dir/hypercore" | tee -a "$dir/hypercore.json" |
      sed 's/[{}"]//g; s/,/ /g; s/^/hypercore run '"$run"': /' >&2
    tail -1 "$dir/hypercore.json" | node -e '
      const r = JSON.parse(require("fs").readFileSync(0, "utf8"))
      console.log(r.seconds, r.blocks_per_second, (r.reader_rss_kib / 1024).toFixed(1),
                  (r.writer_rss_kib / 1024).toFixed(1), r.reader_cpu_seconds, r.writer_cpu_seconds)' \
      >>"$dir/hypercore.results"
  done
fi

# ---- summary ------------------------------------------------------------------
col() { awk -v c="$1" '{ print $c }' "$2" | stats "${3:-max}"; }
read -r coop_best coop_median < <(col 2 "$dir/coop.results")
read -r recv_rss_best recv_rss_median < <(col 3 "$dir/coop.results" min)
read -r daemon_rss_best daemon_rss_median < <(col 4 "$dir/coop.results" min)
read -r recv_cpu_best recv_cpu_median < <(col 5 "$dir/coop.results" min)
read -r daemon_cpu_best daemon_cpu_median < <(col 6 "$dir/coop.results" min)
read -r transfer_best transfer_median < <(col 7 "$dir/coop.results" min)
read -r settle_best settle_median < <(col 8 "$dir/coop.results" min)
recv_rss_max=$(awk '{ print $3 }' "$dir/coop.results" | sort -g | tail -1)
daemon_rss_max=$(awk '{ print $4 }' "$dir/coop.results" | sort -g | tail -1)
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v < t; print ok ? "✔" : "✘" }'; }

echo
echo "| measurement ($entries entries of $bytes bytes, $runs runs) | best | median | target |"
echo "|---|---:|---:|---|"
printf '| coop: one-shot sync, entries/s (start of `coop sync` to exit 0) | %s | %s | ≥ 100,000 %s |\n' \
  "$coop_best" "$coop_median" "$(verdict "$coop_median" 100000 '>=')"
printf '| coop: peak RSS, receiving node (`coop sync`), MiB (worst run: %s) | %s | %s | < 64 %s |\n' \
  "$recv_rss_max" "$recv_rss_best" "$recv_rss_median" "$(verdict "$recv_rss_max" 64 '<')"
printf '| coop: peak RSS, serving node (`coop node run`), MiB (worst run: %s) | %s | %s | < 64 %s |\n' \
  "$daemon_rss_max" "$daemon_rss_best" "$daemon_rss_median" "$(verdict "$daemon_rss_max" 64 '<')"
printf '| coop: CPU seconds, receiver / server | %s / %s | %s / %s | |\n' \
  "$recv_cpu_best" "$daemon_cpu_best" "$recv_cpu_median" "$daemon_cpu_median"
printf '| coop: phases, transfer (connected → caught up) / settle (caught up → in sync), s | %s / %s | %s / %s | |\n' \
  "$transfer_best" "$settle_best" "$transfer_median" "$settle_median"
awk -v a="$append_rate" -v m="$coop_median" 'BEGIN {
  printf "| same run: make_log bulk append (hash, tree, sign, store) entries/s; sync median / append | %s | %.2f | |\n", a, m / a }'
if [ -s "$dir/hypercore.results" ]; then
  read -r hc_best hc_median < <(col 2 "$dir/hypercore.results")
  read -r hc_rrss_best hc_rrss_median < <(col 3 "$dir/hypercore.results" min)
  read -r hc_wrss_best hc_wrss_median < <(col 4 "$dir/hypercore.results" min)
  read -r hc_rcpu_best hc_rcpu_median < <(col 5 "$dir/hypercore.results" min)
  read -r hc_wcpu_best hc_wcpu_median < <(col 6 "$dir/hypercore.results" min)
  printf '| Hypercore %s: replication, blocks/s (connect to download done) | %s | %s | |\n' \
    "$(sed -n 's/.*"hypercore":"\([^"]*\)".*/\1/p' "$dir/hypercore.json" | head -1)" "$hc_best" "$hc_median"
  printf '| Hypercore: peak RSS reader / writer, MiB | %s / %s | %s / %s | |\n' \
    "$hc_rrss_best" "$hc_wrss_best" "$hc_rrss_median" "$hc_wrss_median"
  printf '| Hypercore: CPU seconds, reader / writer | %s / %s | %s / %s | |\n' \
    "$hc_rcpu_best" "$hc_wcpu_best" "$hc_rcpu_median" "$hc_wcpu_median"
  awk -v cb="$coop_best" -v cm="$coop_median" -v hb="$hc_best" -v hm="$hc_median" 'BEGIN {
    printf "| ratio coop / Hypercore (entries/s over blocks/s) | %.1f× | %.1f× | |\n", cb / hb, cm / hm }'
fi
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (compare runs only on an idle machine)"
echo "database of the full node: $db_mib MiB; results in $dir (coop.results, hypercore.json)"
