#include "ledger/base/alloc.h"

#include <stdlib.h>
#include <string.h>

/* -1: never fail.  Otherwise, the number of allocations that may still succeed. */
static long allocations_left = -1;

static int should_fail(void)
{
  if (allocations_left < 0)
    return 0;
  if (allocations_left == 0)
    return 1;
  allocations_left--;
  return 0;
}

void coop_alloc_fail_after(long successes)
{
  allocations_left = successes;
}

void *coop_malloc(size_t bytes)
{
  if (should_fail())
    return NULL;
  return malloc(bytes ? bytes : 1);
}

void *coop_calloc(size_t count, size_t bytes)
{
  if (should_fail())
    return NULL;
  return calloc(count ? count : 1, bytes ? bytes : 1);
}

void *coop_realloc(void *pointer, size_t bytes)
{
  if (should_fail())
    return NULL;
  return realloc(pointer, bytes ? bytes : 1);
}

coop_err coop_grow(void **items, size_t *capacity, size_t count, size_t size)
{
  if (count < *capacity)
    return COOP_OK;
  size_t wanted = *capacity ? 2 * *capacity : 16;
  void *grown = coop_realloc(*items, wanted * size);
  if (!grown)
    return COOP_E_NOMEM;
  *items = grown;
  *capacity = wanted;
  return COOP_OK;
}

void coop_free(void *pointer)
{
  free(pointer);
}

char *coop_strdup(const char *text)
{
  size_t bytes = strlen(text) + 1;
  char *copy = coop_malloc(bytes);
  if (copy)
    memcpy(copy, text, bytes);
  return copy;
}
