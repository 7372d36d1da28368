/* Test support: removing a temporary directory tree.  Header-only, for the
 * test files that create node homes in temporary directories. */
#ifndef COOP_TESTS_SUPPORT_TREE_H
#define COOP_TESTS_SUPPORT_TREE_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Removes `path` and everything below it (a file is just unlinked). */
static inline void test_remove_tree(const char *path)
{
  DIR *listing = opendir(path);
  if (!listing) {
    unlink(path);
    return;
  }
  struct dirent *item;
  while ((item = readdir(listing)) != NULL) {
    if (!strcmp(item->d_name, ".") || !strcmp(item->d_name, ".."))
      continue;
    char child[4096];
    if (snprintf(child, sizeof child, "%s/%s", path, item->d_name) < (int)sizeof child)
      test_remove_tree(child);
  }
  closedir(listing);
  rmdir(path);
}

#endif
