/* Finding members the way people name them: by id, client ref or name. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "node/books.h"
#include "node/books_int.h"

/* Does `haystack` contain `needle`, ignoring ASCII case? */
static bool contains(const char *haystack, const char *needle)
{
  size_t length = strlen(needle);
  for (; *haystack; haystack++) {
    size_t i = 0;
    while (i < length && haystack[i] &&
           tolower((unsigned char)haystack[i]) == tolower((unsigned char)needle[i]))
      i++;
    if (i == length)
      return true;
  }
  return length == 0;
}

typedef struct member_search {
  const char *text;
  ledger_member_visitor visitor;
  void *context;
} member_search;

static coop_err search_one(void *context, const ledger_member_row *row)
{
  member_search *search = context;
  if (!contains(row->name, search->text) && !contains(row->client_ref, search->text) &&
      !contains(row->member_id, search->text))
    return COOP_OK;
  return search->visitor(search->context, row);
}

coop_err node_members(node *self, const char *text, ledger_member_visitor visitor, void *context)
{
  member_search search = {text ? text : "", visitor, context};
  return ledger_books_members(self->store, search_one, &search);
}

typedef struct member_match {
  const char *text;
  ledger_member_row found;
  size_t by_ref, by_name;
  char names[NODE_MESSAGE_BYTES / 2]; /* "NAME ID, client ref REF; ..." */
} member_match;

static coop_err match_one(void *context, const ledger_member_row *row)
{
  member_match *match = context;
  bool ref = !strcmp(row->client_ref, match->text);
  bool name = !ref && !strcasecmp(row->name, match->text);
  if (!ref && !name)
    return COOP_OK;
  if (ref ? match->by_ref++ == 0 : (!match->by_ref && match->by_name++ == 0))
    match->found = *row;
  /* An administrator tells two Jan Jansens apart by their client refs. */
  size_t used = strlen(match->names);
  snprintf(match->names + used, sizeof match->names - used, "%s%s %s, client ref %s",
           used ? "; " : "", row->name, row->member_id, row->client_ref);
  return COOP_OK;
}

bool node_member_id_shaped(const char *text)
{
  if (strlen(text) != LEDGER_MEMBER_ID_CHARS || strncmp(text, "m-", 2))
    return false;
  return strspn(text + 2, "0123456789abcdef") == LEDGER_MEMBER_ID_CHARS - 2;
}

coop_err node_member_find(node *self, const char *text, ledger_member_row *row,
                          char message[NODE_MESSAGE_BYTES])
{
  if (!text || !text[0])
    return books_say(message, COOP_E_BAD_INPUT, "no member named (give an id, client ref or name)");
  if (ledger_books_member(self->store, text, row) == COOP_OK)
    return COOP_OK;
  member_match match = {.text = text};
  coop_err err = ledger_books_members(self->store, match_one, &match);
  if (err)
    return books_say(message, err, "cannot read the members");
  /* Client refs are unique per municipality; a name may be anyone's. */
  if (match.by_ref == 1 || (!match.by_ref && match.by_name == 1)) {
    *row = match.found;
    return COOP_OK;
  }
  if (match.by_ref + match.by_name == 0)
    return books_say(message, COOP_E_NOT_FOUND,
                     "no member '%s' (not a member id, client ref or name of one)", text);
  /* A client ref two members share is in two municipalities: only the id is unique. */
  return books_say(message, COOP_E_EXISTS, "'%s' names more than one member (%s): use the id%s",
                   text, match.names, match.by_ref ? "" : " or client ref");
}

/* ---- a member's records -------------------------------------------------------- */

typedef struct record_walk {
  node *self;
  uint64_t last_index; /* the register has a row per posting: one visit per entry */
  bool any;
  node_record_visitor visitor;
  void *context;
} record_walk;

static coop_err record_entry(void *context, const ledger_register_row *row)
{
  record_walk *walk = context;
  if (walk->any && row->entry_index == walk->last_index)
    return COOP_OK;
  walk->any = true;
  walk->last_index = row->entry_index;
  ledger_record record;
  uint64_t corrected_by = 0;
  coop_err err = ledger_books_record_at(walk->self->store, row->entry_index, &record, &corrected_by);
  if (err == COOP_E_NOT_FOUND) /* not a record (a profit split's own rows are records too) */
    return COOP_OK;
  return err ? err : walk->visitor(walk->context, row->entry_index, &record, corrected_by);
}

coop_err node_member_records(node *self, const char *member_id, uint32_t date_from,
                             uint32_t date_to, node_record_visitor visitor, void *context)
{
  ledger_books_query query = {.member_id = member_id, .date_from = date_from, .date_to = date_to};
  record_walk walk = {.self = self, .visitor = visitor, .context = context};
  return ledger_books_register(self->store, &query, record_entry, &walk);
}

int64_t node_record_amount(const ledger_record *record)
{
  if (!record->posting_count)
    return record->quantity; /* a memo: hours (hundredths) or other income */
  int64_t amount = record->postings[0].amount_cents;
  return amount < 0 ? -amount : amount;
}

/* ---- a fact already in force --------------------------------------------- */

/* The value of `field` in a status, as node_member_set takes it. */
static uint32_t status_value(const ledger_member_status *status, uint8_t field)
{
  switch (field) {
  case LEDGER_MEMBER_BIRTH:
    return status->birth_period;
  case LEDGER_MEMBER_N_APPROVED:
    return status->n_approved != 0;
  case LEDGER_MEMBER_MEDICAL_LIMIT:
    return status->medical_limit != 0;
  case LEDGER_MEMBER_SINGLE_PARENT:
    return status->single_parent != 0;
  case LEDGER_MEMBER_LEFT:
    return status->left != 0;
  default:
    return UINT32_MAX; /* no field: never "already so" */
  }
}

coop_err node_member_fact_holds(node *self, const char *member_id, uint8_t field,
                                uint32_t from_period, uint32_t value, bool *holds)
{
  *holds = false;
  /* The fact in force in its first month stays in force until a later
   * fact of the field, which would also outrank the new one: recording
   * the same value there changes no month at all. */
  uint32_t first = field == LEDGER_MEMBER_BIRTH ? value : from_period;
  ledger_member_status status;
  coop_err err = ledger_books_member_status(self->store, member_id, first, &status);
  if (!err)
    *holds = status_value(&status, field) == value;
  return err;
}
