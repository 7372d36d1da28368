/* The node's rebuild and check of a coop's derived tables (node/books.h),
 * for tests that only need the code. */
#ifndef COOP_TESTS_SUPPORT_BOOKS_H
#define COOP_TESTS_SUPPORT_BOOKS_H

#include "node/books.h"

static inline coop_err books_rebuild(node *self)
{
  uint64_t entries = 0;
  char message[NODE_MESSAGE_BYTES];
  return node_books_rebuild(self, &entries, message);
}

static inline coop_err books_check(node *self)
{
  char message[NODE_MESSAGE_BYTES];
  return node_books_check(self, message);
}

#endif
