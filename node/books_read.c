/* Reading the books (node/books.h): the derived tables as every interface
 * reads them.  Thin on purpose: one door to the tables, so a later change
 * of where a figure comes from (a log view, a cache) is made once. */
#include "node/books.h"

coop_err node_member_get(node *self, const char *member_id, ledger_member_row *row)
{
  return ledger_books_member(self->store, member_id, row);
}

coop_err node_member_at(node *self, const char *member_id, uint32_t period,
                        ledger_member_row *row, ledger_member_status *status)
{
  coop_err err = ledger_books_member_at(self->store, member_id, period, row, NULL);
  if (!err && status)
    err = ledger_books_member_status(self->store, member_id, period, status);
  return err;
}

coop_err node_member_statement(node *self, const char *member_id, uint32_t period,
                               ledger_statement_payload *statement, uint64_t *entry_index)
{
  return ledger_books_statement(self->store, member_id, period, 0, statement, entry_index);
}

coop_err node_balances(node *self, const ledger_books_query *query,
                       ledger_balance_visitor visitor, void *context)
{
  return ledger_books_balances(self->store, query, visitor, context);
}

coop_err node_register(node *self, const ledger_books_query *query,
                       ledger_register_visitor visitor, void *context)
{
  return ledger_books_register(self->store, query, visitor, context);
}
