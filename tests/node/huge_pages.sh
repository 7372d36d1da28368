#!/usr/bin/env bash
# Transparent huge pages for the heap (ledger/base/alloc.h,
# coop_heap_use_huge_pages): where the kernel gives them only to memory that
# asks (THP mode `madvise`), `coop` re-executes itself, same PID, with
# glibc's tunable glibc.malloc.hugetlb=1 for the bulk commands (import,
# period, audit, verify, ...); never when COOP_HUGE_PAGES=0, when the user
# set GLIBC_TUNABLES or LD_PRELOAD (valgrind does), under AddressSanitizer,
# for a short command or for the sync daemon.  Read off what a command says
# with COOP_DEBUG_HUGE_PAGES=1 and off a daemon's /proc/PID/environ.
# Usage: huge_pages.sh COOP
COOP=${1:-$COOP_BIN}
. "$(dirname "$0")/lib.sh" huge_pages

mode=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
expected=0
case $mode in *"[madvise]"*) expected=1 ;; esac
python3 -c "import sys; sys.exit(0 if tuple(map(int,'$glibc'.split('.')[:2])) >= (2,35) else 1)" ||
  expected=0
asan=0
ldd "$COOP" | grep -q libasan && asan=1 expected=0
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

# What a command did, from COOP_DEBUG_HUGE_PAGES=1 (ENV... set for it).
said() { env "$@" COOP_DEBUG_HUGE_PAGES=1 "$COOP" verify --dir "$work/coop" 2>&1 >/dev/null |
  sed -n 's/^coop: huge pages for the heap: //p'; }

got=$(said)
if [ $expected = 1 ]; then
  [ "$got" = "on (glibc.malloc.hugetlb=1)" ] && ok "THP mode madvise: a bulk command (verify) re-executes itself with glibc.malloc.hugetlb=1" ||
    fail "re-exec" "it said '$got'"
else
  case $got in "off ("*) ok "no re-exec where it would not help: $got" ;; *) fail "no re-exec" "it said '$got'" ;; esac
fi
got=$(said COOP_HUGE_PAGES=0)
[ "$got" = "off (COOP_HUGE_PAGES=0)" ] && ok "COOP_HUGE_PAGES=0: no re-exec" || fail "COOP_HUGE_PAGES=0" "it said '$got'"
got=$(said GLIBC_TUNABLES=glibc.malloc.check=0)
[ "$got" = "off (GLIBC_TUNABLES is the user's)" ] && ok "the user's own GLIBC_TUNABLES: no re-exec" ||
  fail "user's tunables" "it said '$got'"
libm=$(ldd "$COOP" | awk '/libm\.so/ {print $3}')
if [ -n "$libm" ] && [ $asan = 0 ]; then # ASan must come first of all libraries
  got=$(said LD_PRELOAD="$libm")
  [ "$got" = "off (LD_PRELOAD is set)" ] && ok "LD_PRELOAD set (as valgrind does): no re-exec" ||
    fail "LD_PRELOAD" "it said '$got'"
fi

# A short command does not pay a second exec for it.
got=$(COOP_DEBUG_HUGE_PAGES=1 "$COOP" bal --dir "$work/coop" 2>&1 >/dev/null |
  sed -n 's/^coop: huge pages for the heap: //p')
[ "$got" = "off (not a bulk command)" ] && ok "a short command (bal) does not re-execute" ||
  fail "short command" "it said '$got'"

# The daemon keeps its small heap on 4 KiB pages (2 MiB ones only added
# resident memory), and the user's own tunables reach it as they were.
got=$(tunables_of)
[ "$got" = "-" ] && ok "the sync daemon does not re-execute" || fail "daemon" "GLIBC_TUNABLES is '$got'"
got=$(tunables_of GLIBC_TUNABLES=glibc.malloc.check=0)
[ "$got" = "glibc.malloc.check=0" ] && ok "the user's own GLIBC_TUNABLES reaches the daemon as it was" ||
  fail "user's tunables" "GLIBC_TUNABLES is '$got'"

grep -q "exited" "$work/daemon.log" && fail "daemons" "$(cat "$work/daemon.log")" ||
  ok "every daemon exited 0 on SIGTERM"

# A command says the same with and without.
one=$(coop log --dir "$work/coop" 2>&1)
two=$(COOP_HUGE_PAGES=0 "$COOP" log --dir "$work/coop" 2>&1)
[ -n "$one" ] && [ "$one" = "$two" ] && ok "a bulk command's output (log) is the same either way" ||
  fail "same output" "'$one' against '$two'"

echo "$passed passed, $failed failed"
[ $failed = 0 ]
