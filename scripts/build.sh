#!/usr/bin/env bash
# Configures (once) and builds coop in DIR (default build/).  Quiet when all
# is well, except for compiler warnings (a build without -Dwerror=true still
# shows them, so they are fixed before CI's -Werror finds them); prints the
# whole build output when something fails.
# Usage: scripts/build.sh [DIR] [meson options...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if { [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@"; } >"$log" 2>&1 && ninja -C "$dir" >>"$log" 2>&1; then
  grep -A3 "warning:" "$log" >&2 || true
  exit 0
fi
cat "$log" >&2
echo "build failed in $dir" >&2
exit 1
