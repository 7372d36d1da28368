#!/usr/bin/env bash
# The web app in headless Chromium, with real nodes (a municipality and a
# coop syncing through `coop node run --http`): tests/web/browser/browser.mjs.
#
#   tests/web/browser/run.sh COOP_BIN [SCREENSHOT_DIR]
#
# Exits 77 (meson's skip) only when chromium is not installed; a missing
# node/npm or a failing `npm ci` is a failure, never a silent pass.
# Screenshots go to $MESON_BUILD_ROOT/web-screenshots/ (else a temporary
# directory, printed at the end).  COOP_KEEP=1 keeps the nodes' directory.
set -u
COOP=${1:?usage: run.sh COOP_BIN}
here=$(cd "$(dirname "$0")" && pwd)
unset COOP_HOME
export LC_ALL=C.UTF-8

chromium=${CHROMIUM:-}
for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -z "$chromium" ] && [ -x "$candidate" ] && chromium=$candidate
done
if [ -z "$chromium" ]; then
  echo "SKIP: chromium is not installed (Debian: apt-get install chromium, or scripts/deps.sh test)"
  exit 77
fi
for tool in node npm python3; do
  command -v "$tool" >/dev/null || { echo "FAIL setup: '$tool' is not installed (scripts/deps.sh test)"; exit 1; }
done
# puppeteer-core as pinned in package-lock.json, into node_modules here
# (gitignored); again only when the lock file changed.
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.package-lock.json.ci" 2>/dev/null; then
  (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) ||
    { echo "FAIL setup: npm ci in $here failed"; exit 1; }
  cp "$here/package-lock.json" "$here/node_modules/.package-lock.json.ci"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/coop-web-browser.XXXXXX") || exit 1
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  [ -n "${COOP_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
# Screenshots: $2 (meson passes BUILD/web-screenshots), else
# $MESON_BUILD_ROOT/web-screenshots, else a temporary directory kept.
shots=${2:-${MESON_BUILD_ROOT:+$MESON_BUILD_ROOT/web-screenshots}}
shots=${shots:-$(mktemp -d "${TMPDIR:-/tmp}/coop-web-screenshots.XXXXXX")}
mkdir -p "$shots"

export COOP_NOW_MS=1775131200000 # 2026-04-02T12:00:00Z: March 2026 has ended
coop() { "$COOP" "$@"; }
die() { echo "FAIL setup: $*"; exit 1; }
key() { coop id -O json --dir "$work/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])'; }
read -r p_breda h_breda p_coop h_coop < <(python3 "$(dirname "$0")/../../../scripts/free-ports.py" 4)
{
  coop init --role municipality --name "Gemeente Breda" --dir "$work/breda" &&
    coop init --role coop --name "Breda Werkt" --dir "$work/coop" &&
    coop rules publish "$here/../../../docs/examples/breda-2026.json" --dir "$work/breda" &&
    coop peer add --dir "$work/coop" --key "$(key breda)" --addr "127.0.0.1:$p_breda" \
      --role municipality --name breda &&
    coop peer add --dir "$work/breda" --key "$(key coop)" --addr "127.0.0.1:$p_coop" \
      --role coop --name coop &&
    coop log export --dir "$work/breda" >"$work/breda.bundle" 2>/dev/null &&
    coop log import --dir "$work/coop" "$work/breda.bundle" &&
    anna=$(coop member add --dir "$work/coop" --name "Anna de Vries" --municipality breda \
      --client-ref BR-1001 --birth 1990-05) &&
    bram=$(coop member add --dir "$work/coop" --name "Bram Bakker" --municipality breda \
      --client-ref BR-1002 --birth 1985-09) &&
    coop record revenue --member "$anna" --amount 800 --date 2026-03-10 --dir "$work/coop" &&
    coop record cost --member "$anna" --amount 200 --date 2026-03-12 --dir "$work/coop" &&
    coop record revenue --member "$bram" --amount 600 --date 2026-03-14 --dir "$work/coop" &&
    admin_link=$(coop web user add beheer --role admin --dir "$work/coop") &&
    officer_link=$(coop web user add ambtenaar --role officer --dir "$work/breda")
} >"$work/setup.log" 2>&1 || die "$(tail -n 5 "$work/setup.log")"
for node in breda coop; do
  eval "p=\$p_$node h=\$h_$node"
  "$COOP" node run --dir "$work/$node" --listen "127.0.0.1:$p" --http "127.0.0.1:$h" \
    >/dev/null 2>"$work/$node.log" &
  pids+=($!)
done
for _ in $(seq 600); do
  grep -q "listening on" "$work/breda.log" && grep -q "listening on" "$work/coop.log" && break
  sleep 0.1
done

COOP_BIN=$COOP COOP_DIR=$work/coop COOP_URL=http://127.0.0.1:$h_coop \
  BREDA_URL=http://127.0.0.1:$h_breda ADMIN_LINK=$admin_link OFFICER_LINK=$officer_link \
  CHROMIUM=$chromium SHOTS=$shots node "$here/browser.mjs"
status=$?
if [ $status != 0 ]; then
  for node in coop breda; do echo "---- $node.log (tail)"; tail -n 25 "$work/$node.log"; done
fi
echo "screenshots: $shots"
exit $status
