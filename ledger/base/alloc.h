/* All heap allocation goes through these wrappers, so tests can make the Nth
 * allocation fail and check that every error path cleans up (curl's torture
 * tests, SQLite's OOM tests).  Secrets do not use these: they live in
 * sodium_malloc() memory. */
#ifndef COOP_LEDGER_ALLOC_H
#define COOP_LEDGER_ALLOC_H

#include <stddef.h>

#include "ledger/base/error.h"

void *coop_malloc(size_t bytes);
void *coop_calloc(size_t count, size_t bytes);
void *coop_realloc(void *pointer, size_t bytes);
/* Room for one more of `count` items of `size` bytes in *items (doubling,
 * from 16): COOP_E_NOMEM leaves *items as it was.  Not for secrets: the old
 * block is freed unwiped. */
coop_err coop_grow(void **items, size_t *capacity, size_t count, size_t size);
void coop_free(void *pointer);
char *coop_strdup(const char *text);

/* Transparent huge pages for the heap.  Where the kernel gives them only to
 * memory that asks (THP mode `madvise`, Debian's and Ubuntu's default),
 * glibc's malloc asks for them when the tunable glibc.malloc.hugetlb=1 is
 * set, and a tunable is read only when a process starts: so this re-executes
 * the program (/proc/self/exe, the same argv, the same PID) with it set.  A
 * month close or an import touches 100+ MiB of fresh heap, and on a virtual
 * machine each 4 KiB page fault is expensive: 2 MiB pages cut a one-shot
 * close of 10,000 members by a quarter (docs/performance.md).  Call at the
 * start of main, before anything is opened or printed, and only where the
 * work is large: the second exec costs a process start (~15 ms here).  It
 * does nothing when COOP_HUGE_PAGES=0, when GLIBC_TUNABLES or LD_PRELOAD is
 * already set (the user's choice, valgrind, another allocator), under
 * AddressSanitizer (its own allocator), or when the kernel's mode is
 * `always` or `never`; if the exec fails, the program goes on as it is.  Returns (when it does not re-execute) what it found,
 * in words: "on (...)" in the re-executed process, else "off (why)". */
const char *coop_heap_use_huge_pages(char **argv);

/* Test hook: the allocation after the next `successes` ones fails (returns
 * NULL), and every later one fails too until reset.  Pass -1 to switch
 * failure injection off.  Not thread-safe; tests are single-threaded. */
void coop_alloc_fail_after(long successes);

#endif
