#!/usr/bin/env bash
# Transparent huge pages for the heap (ledger/base/alloc.h,
# coop_heap_use_huge_pages): where the kernel gives them only to memory that
# asks (THP mode `madvise`), `coop` re-executes itself, same PID, with
# glibc's tunable glibc.malloc.hugetlb=1; never when COOP_HUGE_PAGES=0, when
# the user set GLIBC_TUNABLES or LD_PRELOAD (valgrind does), or under
# AddressSanitizer.  Read off a running daemon's /proc/PID/environ.
# Usage: huge_pages.sh COOP
COOP=${1:-$COOP_BIN}
. "$(dirname "$0")/lib.sh" huge_pages

mode=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
expected=0
case $mode in *"[madvise]"*) expected=1 ;; esac
python3 -c "import sys; sys.exit(0 if tuple(map(int,'$glibc'.split('.')[:2])) >= (2,35) else 1)" ||
  expected=0
ldd "$COOP" | grep -q libasan && expected=0
echo "THP mode: ${mode:-none}; glibc $glibc; re-exec expected: $expected"

coop init --role coop --name "Samen Werkt" --dir "$work/coop" >/dev/null

# The GLIBC_TUNABLES a daemon runs with ("-" when unset), once it listens
# (by then main has re-executed, if it does): ENV... are set for it.
tunables_of() {
  local port pid value
  port=$(free_port)
  env "$@" "$COOP" node run --dir "$work/coop" --listen "127.0.0.1:$port" 2>>"$work/daemon.log" &
  pid=$!
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2).close()" \
      2>/dev/null && break
    sleep 0.05
  done
  value=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^GLIBC_TUNABLES=//p')
  kill -TERM "$pid"
  wait "$pid" || echo "daemon exited $? after SIGTERM" >>"$work/daemon.log"
  echo "${value:--}"
}

got=$(tunables_of)
if [ $expected = 1 ]; then
  [ "$got" = "glibc.malloc.hugetlb=1" ] && ok "THP mode madvise: the daemon runs with glibc.malloc.hugetlb=1, same PID" ||
    fail "re-exec" "GLIBC_TUNABLES is '$got'"
else
  [ "$got" = "-" ] && ok "no re-exec where it would not help (THP mode, glibc or ASan)" ||
    fail "no re-exec" "GLIBC_TUNABLES is '$got'"
fi

got=$(tunables_of COOP_HUGE_PAGES=0)
[ "$got" = "-" ] && ok "COOP_HUGE_PAGES=0: no re-exec" || fail "COOP_HUGE_PAGES=0" "GLIBC_TUNABLES is '$got'"

got=$(tunables_of GLIBC_TUNABLES=glibc.malloc.check=0)
[ "$got" = "glibc.malloc.check=0" ] && ok "the user's own GLIBC_TUNABLES is kept as it was" ||
  fail "user's tunables" "GLIBC_TUNABLES is '$got'"

grep -q "exited" "$work/daemon.log" && fail "daemons" "$(cat "$work/daemon.log")" ||
  ok "every daemon exited 0 on SIGTERM"

# A command says the same with and without.
one=$(coop id --dir "$work/coop" -O json)
two=$(COOP_HUGE_PAGES=0 "$COOP" id --dir "$work/coop" -O json)
[ -n "$one" ] && [ "$one" = "$two" ] && ok "a command's output is the same either way" ||
  fail "same output" "'$one' against '$two'"

echo "$passed passed, $failed failed"
[ $failed = 0 ]
