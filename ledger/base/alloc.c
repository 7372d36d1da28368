#include "ledger/base/alloc.h"

#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* glibc 2.35 brought the tunable; an older one ignores it, so the exec
 * would be wasted. */
static int malloc_knows_hugetlb(void)
{
  unsigned major = 0, minor = 0;
  if (sscanf(gnu_get_libc_version(), "%u.%u", &major, &minor) != 2)
    return 0;
  return major > 2 || (major == 2 && minor >= 35);
}

/* The kernel's THP mode is `madvise`: huge pages only where memory asks. */
static int huge_pages_when_asked(void)
{
  FILE *mode = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (!mode)
    return 0;
  char line[128];
  int asked = fgets(line, sizeof line, mode) && strstr(line, "[madvise]");
  fclose(mode);
  return asked;
}

static int built_with_asan(void)
{
#if defined(__SANITIZE_ADDRESS__)
  return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return 1;
#endif
#endif
  return 0;
}

const char *coop_heap_use_huge_pages(char **argv)
{
  const char *choice = getenv("COOP_HUGE_PAGES"), *tunables = getenv("GLIBC_TUNABLES");
  if (choice && !strcmp(choice, "0"))
    return "off (COOP_HUGE_PAGES=0)";
  if (tunables)
    return strstr(tunables, "glibc.malloc.hugetlb=1") ? "on (glibc.malloc.hugetlb=1)"
                                                      : "off (GLIBC_TUNABLES is the user's)";
  if (getenv("LD_PRELOAD"))
    return "off (LD_PRELOAD is set)";
  if (built_with_asan())
    return "off (AddressSanitizer's allocator)";
  if (!malloc_knows_hugetlb())
    return "off (glibc before 2.35)";
  if (!huge_pages_when_asked())
    return "off (the kernel's THP mode is not madvise)";
  if (setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1))
    return "off (setenv failed)";
  execv("/proc/self/exe", argv);
  unsetenv("GLIBC_TUNABLES"); /* not re-executed: go on as we are */
  return "off (re-executing failed)";
}
