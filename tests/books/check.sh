# Sourced by the books' shell tests (crosscheck.sh, year.sh): counting
# passes and failures the same way.  The caller prints its summary from
# $passed and $failed.
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL $1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | head -40 | sed 's/^/     /'; fi
}
# check NAME COMMAND...: passes when the command exits 0.
check() {
  local name=$1 output
  shift
  if output=$("$@" 2>&1); then pass "$name"; else fail "$name" "$output"; fi
}
