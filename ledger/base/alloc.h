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

/* Test hook: the allocation after the next `successes` ones fails (returns
 * NULL), and every later one fails too until reset.  Pass -1 to switch
 * failure injection off.  Not thread-safe; tests are single-threaded. */
void coop_alloc_fail_after(long successes);

#endif
