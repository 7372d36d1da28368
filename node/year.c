/* The annual accounts of one calendar year (year.h).
 *
 * One walk over the register up to the year's end gives the chart lines
 * (opening and the year), each member's subledger and development budget,
 * and the municipalities' dues; the books' own balance query (SQL sums)
 * gives the accounts, and the members' statements give the splits they
 * said.  The checks compare those independent sides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/books/books_index.h"
#include "ledger/books/statement.h"
#include "node/books.h"
#include "node/year.h"

/* ---- account names back to codes ------------------------------------------ */

coop_err node_account_code(const char *name, uint16_t *code,
                           char member_id[LEDGER_MEMBER_ID_CHARS + 1])
{
  size_t count = 0;
  const ledger_account_definition *chart = ledger_chart(&count);
  /* A per-member name holds the member id at the third colon-separated
   * place ("income:members:m-3f9a2c:revenue"). */
  char id[LEDGER_MEMBER_ID_CHARS + 1] = "";
  const char *members = strstr(name, ":members:");
  if (members && strlen(members + 9) > LEDGER_MEMBER_ID_CHARS &&
      members[9 + LEDGER_MEMBER_ID_CHARS] == ':') {
    memcpy(id, members + 9, LEDGER_MEMBER_ID_CHARS);
    id[LEDGER_MEMBER_ID_CHARS] = '\0';
  }
  for (size_t i = 0; i < count; i++) {
    char candidate[LEDGER_ACCOUNT_NAME_BYTES];
    if (chart[i].per_member != (id[0] != '\0'))
      continue;
    if (ledger_account_name(chart[i].code, id, candidate) == COOP_OK && !strcmp(candidate, name)) {
      *code = chart[i].code;
      memcpy(member_id, id, sizeof id);
      return COOP_OK;
    }
  }
  return COOP_E_UNKNOWN_ACCOUNT;
}

static const struct {
  uint16_t code;
  const char *dutch, *english;
} labels[] = {
    {LEDGER_ACCOUNT_BANK, "Bank", "Bank"},
    {LEDGER_ACCOUNT_RECEIVABLES, "Debiteuren", "Receivables"},
    {LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY, "Af te dragen aan gemeenten",
     "Due to municipalities"},
    {LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET, "Ontwikkelbudgetten leden",
     "Members' development budgets"},
    {LEDGER_ACCOUNT_OPENING_BALANCES, "Beginbalans", "Opening balances"},
    {LEDGER_ACCOUNT_RESULT_EARLIER_YEARS, "Algemene reserve (resultaat afgesloten jaren)",
     "Retained earnings (result of closed years)"},
    {LEDGER_ACCOUNT_MEMBER_REVENUE, "Omzet leden", "Members' revenue"},
    {LEDGER_ACCOUNT_COOP_SHARE, "Aandeel coöperatie", "The coop's share"},
    {LEDGER_ACCOUNT_MEMBER_COSTS, "Kosten leden", "Members' costs"},
    {LEDGER_ACCOUNT_MEMBER_VOLUNTEER_ALLOWANCE, "Vrijwilligersvergoedingen",
     "Volunteer allowances"},
    {LEDGER_ACCOUNT_COOP_COSTS, "Kosten coöperatie", "The coop's costs"},
    {LEDGER_ACCOUNT_MEMBER_PROFIT_SPLIT, "Winstverdeling leden", "Members' profit split"},
};

const char *node_account_label(uint16_t code, bool english)
{
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
    if (labels[i].code == code)
      return english ? labels[i].english : labels[i].dutch;
  return NULL;
}

/* ---- gathering ---------------------------------------------------------------- */

/* The municipality a member belonged to in a month, remembered: the
 * register gives her postings month after month, so one lookup per member
 * and month is enough. */
typedef struct residence_cache {
  uint32_t period;
  size_t municipality; /* index into report->municipalities */
} residence_cache;

typedef struct year_walk {
  node *books_node;
  node_year_report *report;
  residence_cache *residences; /* one per member, NULL: none */
  uint32_t year_start, year_end; /* YYYYMMDD */
  uint64_t rows;
  coop_err err;
} year_walk;

static node_year_line *line_of(node_year_report *report, uint16_t code)
{
  for (size_t i = 0; i < report->line_count; i++)
    if (report->lines[i].account->code == code)
      return &report->lines[i];
  return NULL;
}

static int compare_member(const void *key, const void *item)
{
  return strcmp(key, ((const node_year_member *)item)->member_id);
}

static node_year_member *member_of(node_year_report *report, const char *member_id)
{
  if (!member_id[0] || !report->members)
    return NULL;
  return bsearch(member_id, report->members, report->member_count, sizeof *report->members,
                 compare_member);
}

static coop_err add_member(void *context, const ledger_member_row *row)
{
  node_year_report *report = context;
  size_t capacity = report->member_count;
  coop_err err = coop_grow((void **)&report->members, &capacity, report->member_count,
                           sizeof *report->members);
  if (err)
    return err;
  node_year_member *member = &report->members[report->member_count++];
  memset(member, 0, sizeof *member);
  memcpy(member->member_id, row->member_id, sizeof member->member_id);
  memcpy(member->name, row->name, sizeof member->name);
  memcpy(member->client_ref, row->client_ref, sizeof member->client_ref);
  return COOP_OK;
}

/* An erased member: her amounts stay in the books under her member id. */
static coop_err add_erased_member(void *context, const char *member_id)
{
  ledger_member_row row;
  memset(&row, 0, sizeof row);
  snprintf(row.member_id, sizeof row.member_id, "%s", member_id);
  snprintf(row.name, sizeof row.name, "gewist lid (erased member)");
  coop_err err = add_member(context, &row);
  node_year_report *report = context;
  if (!err)
    report->members[report->member_count - 1].erased = true;
  return err;
}

static int compare_member_items(const void *a, const void *b)
{
  return strcmp(((const node_year_member *)a)->member_id,
                ((const node_year_member *)b)->member_id);
}

/* The municipality a member belonged to in `period`, added to the list
 * when new. */
static coop_err municipality_of(year_walk *walk, const char *member_id, uint32_t period,
                                node_year_municipality **out)
{
  node_year_report *report = walk->report;
  const node_year_member *member = member_of(report, member_id);
  residence_cache *cached = member && walk->residences
                                ? &walk->residences[member - report->members]
                                : NULL;
  if (cached && cached->period == period) {
    *out = &report->municipalities[cached->municipality];
    return COOP_OK;
  }
  ledger_member_row row;
  coop_err err = ledger_books_member_at(walk->books_node->store, member_id, period, &row, NULL);
  if (err == COOP_E_NOT_FOUND && member && member->erased) {
    /* Where she lived went with her data: her dues count for no one. */
    memset(&row, 0, sizeof row);
    err = COOP_OK;
  }
  if (err)
    return err;
  for (size_t i = 0; i < report->municipality_count; i++)
    if (!memcmp(report->municipalities[i].key, row.municipality, sizeof row.municipality)) {
      if (cached)
        *cached = (residence_cache){.period = period, .municipality = i};
      *out = &report->municipalities[i];
      return COOP_OK;
    }
  size_t capacity = report->municipality_count;
  err = coop_grow((void **)&report->municipalities, &capacity, report->municipality_count,
                  sizeof *report->municipalities);
  if (err)
    return err;
  node_year_municipality *municipality = &report->municipalities[report->municipality_count++];
  memset(municipality, 0, sizeof *municipality);
  memcpy(municipality->key, row.municipality, sizeof municipality->key);
  if (sodium_is_zero(row.municipality, sizeof row.municipality))
    snprintf(municipality->text, sizeof municipality->text, "gewiste leden (erased members)");
  else
    node_party_text(walk->books_node, row.municipality, municipality->text);
  if (cached)
    *cached = (residence_cache){.period = period, .municipality = report->municipality_count - 1};
  *out = municipality;
  return COOP_OK;
}

/* A posting of a profit split; of an erased member's day totals, the
 * credits to her budget and municipality accounts were splits (nets of a
 * day: a split and a payment on one day count as their difference). */
static bool split_posting(const ledger_register_row *row)
{
  return row->type == LEDGER_RECORD_PROFIT_SPLIT ||
         (row->type == LEDGER_RECORD_ERASED_MEMBER && row->amount_cents < 0);
}

/* A posting on a member's municipality account: due (a profit split) or
 * paid (a remittance and its corrections), for her municipality that month. */
static coop_err count_due(year_walk *walk, const ledger_register_row *row, bool in_year)
{
  node_year_municipality *municipality = NULL;
  coop_err err = municipality_of(walk, row->member_id, row->date / 100, &municipality);
  if (err)
    return err;
  if (!in_year)
    municipality->opening_cents -= row->amount_cents;
  else if (split_posting(row))
    municipality->due_cents -= row->amount_cents;
  else
    municipality->paid_cents += row->amount_cents;
  return COOP_OK;
}

/* A member's posting dated in the year, into her subledger. */
static void count_member(node_year_member *member, uint16_t code, const ledger_register_row *row)
{
  int64_t amount = row->amount_cents;
  bool split = split_posting(row);
  switch (code) {
  case LEDGER_ACCOUNT_MEMBER_REVENUE: member->revenue_cents -= amount; break;
  case LEDGER_ACCOUNT_MEMBER_COSTS: member->costs_cents += amount; break;
  case LEDGER_ACCOUNT_MEMBER_VOLUNTEER_ALLOWANCE: member->allowance_cents += amount; break;
  case LEDGER_ACCOUNT_MEMBER_PROFIT_SPLIT: member->profit_split_cents += amount; break;
  case LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET:
    if (split)
      member->budget_added_cents -= amount;
    else
      member->budget_spent_cents += amount;
    break;
  default: break;
  }
}

/* A split's posting, counted for the year of the statement it books: a
 * reissue's difference dated in January may belong to December. */
static void count_booked(node_year_member *member, uint16_t code, const ledger_register_row *row)
{
  int64_t amount = row->amount_cents;
  if (code == LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET)
    member->booked_budget_cents -= amount;
  else if (code == LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY)
    member->booked_municipality_cents -= amount;
  else if (code == LEDGER_ACCOUNT_COOP_SHARE)
    member->booked_coop_cents -= amount;
}

static uint32_t row_year(const ledger_register_row *row)
{
  return (row->for_period ? row->for_period : row->date / 100) / 100;
}

static coop_err later_split(void *context, const ledger_register_row *row)
{
  year_walk *walk = context;
  uint16_t code = 0;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  node_year_member *member = member_of(walk->report, row->member_id);
  if (member && row->account && split_posting(row) && row_year(row) == walk->report->year &&
      !node_account_code(row->account, &code, member_id))
    count_booked(member, code, row);
  return COOP_OK;
}

static coop_err walk_row(void *context, const ledger_register_row *row)
{
  year_walk *walk = context;
  walk->rows++;
  if (!row->account)
    return COOP_OK; /* a memo: no money */
  uint16_t code = 0;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  coop_err err = node_account_code(row->account, &code, member_id);
  node_year_line *line = err ? NULL : line_of(walk->report, code);
  if (!line)
    return COOP_E_UNKNOWN_ACCOUNT;
  /* A year close dated on the year's first day is its opening balance. */
  bool in_year = row->date >= walk->year_start &&
                 !(row->type == LEDGER_RECORD_YEAR_CLOSE && row->date == walk->year_start);
  if (in_year) {
    line->year_cents += row->amount_cents;
    walk->report->year_posting_count++;
    if (row->amount_cents > 0)
      walk->report->year_debit_cents += row->amount_cents;
    else
      walk->report->year_credit_cents -= row->amount_cents;
  } else
    line->opening_cents += row->amount_cents;
  /* The coop's share of a split is on a coop account; the split is still hers. */
  node_year_member *member = member_of(walk->report, row->member_id);
  if (member && in_year)
    count_member(member, code, row);
  if (member && split_posting(row) && row_year(row) == walk->report->year)
    count_booked(member, code, row);
  if (member && !in_year && code == LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET)
    member->budget_opening_cents -= row->amount_cents;
  if (code == LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY)
    return count_due(walk, row, in_year);
  return COOP_OK;
}

/* ---- the books' own balances ----------------------------------------------- */

typedef struct account_gathering {
  node_year_report *report;
  bool year; /* filling year_cents of accounts already there */
} account_gathering;

static node_year_account *account_of(node_year_report *report, const char *name)
{
  for (size_t i = 0; i < report->account_count; i++)
    if (!strcmp(report->accounts[i].name, name))
      return &report->accounts[i];
  return NULL;
}

static coop_err gather_account(void *context, const char *name, int64_t amount_cents)
{
  account_gathering *gathering = context;
  node_year_report *report = gathering->report;
  node_year_account *account = account_of(report, name);
  if (gathering->year) {
    /* Every account with postings in the year has a balance at its end
     * (perhaps zero, but a row). */
    if (!account)
      return COOP_E_TAMPERED;
    account->year_cents = amount_cents;
    return COOP_OK;
  }
  size_t capacity = report->account_count;
  coop_err err = coop_grow((void **)&report->accounts, &capacity, report->account_count,
                           sizeof *report->accounts);
  if (err)
    return err;
  account = &report->accounts[report->account_count++];
  memset(account, 0, sizeof *account);
  snprintf(account->name, sizeof account->name, "%s", name);
  account->closing_cents = amount_cents;
  return node_account_code(name, &account->code, account->member_id);
}

static coop_err gather_accounts(node *books_node, node_year_report *report)
{
  ledger_books_query closing = {.date_to = report->year * 10000 + 1231};
  ledger_books_query year = {.date_from = report->year * 10000 + 101,
                             .date_to = report->year * 10000 + 1231};
  account_gathering gathering = {.report = report, .year = false};
  coop_err err = ledger_books_balances(books_node->store, &closing, gather_account, &gathering);
  gathering.year = true;
  if (!err)
    err = ledger_books_balances(books_node->store, &year, gather_account, &gathering);
  return err;
}

/* ---- statements and status ------------------------------------------------- */

/* Sums the splits of her statements in force for the year's closed months. */
static coop_err gather_statements(node *books_node, node_year_report *report, node_year_member *member)
{
  ledger_statement_payload *statement = coop_malloc(sizeof *statement);
  if (!statement)
    return COOP_E_NOMEM;
  coop_err err = COOP_OK;
  for (uint32_t month = 1; month <= 12 && !err; month++) {
    uint32_t period = report->year * 100 + month;
    if (period > report->last_closed)
      break;
    uint64_t index = 0;
    err = ledger_books_statement(books_node->store, member->member_id, period, 0, statement, &index);
    if (err == COOP_E_NOT_FOUND) {
      err = COOP_OK;
      continue;
    }
    if (err)
      break;
    member->statement_months++;
    member->stated_coop_cents += statement->figures.coop_share_cents;
    member->stated_municipality_cents += statement->figures.to_municipality_cents;
    member->stated_budget_cents += statement->figures.to_budget_cents;
  }
  coop_free(statement);
  return err;
}

/* How far back to look for the month she left: twenty years of months. */
#define YEAR_LEFT_LOOKBACK_MONTHS 240

static uint32_t month_before(uint32_t period)
{
  return period % 100 == 1 ? (period / 100 - 1) * 100 + 12 : period - 1;
}

/* The month she left from, when she had left by the year's end. */
static coop_err gather_left(node *books_node, node_year_report *report, node_year_member *member)
{
  ledger_member_status status;
  uint32_t period = report->year * 100 + 12;
  coop_err err = ledger_books_member_status(books_node->store, member->member_id, period, &status);
  for (int back = 0; !err && status.left && back < YEAR_LEFT_LOOKBACK_MONTHS; back++) {
    member->left_from = period;
    period = month_before(period);
    if (!ledger_period_valid(period))
      break;
    err = ledger_books_member_status(books_node->store, member->member_id, period, &status);
  }
  return err;
}

static coop_err gather_member(node *books_node, node_year_report *report, node_year_member *member)
{
  ledger_member_row row;
  uint32_t period = report->year * 100 + 12;
  coop_err err = member->erased ? COOP_OK : gather_left(books_node, report, member);
  if (member->erased)
    period = 0; /* nothing of hers to look up */
  if (!err && !period)
    snprintf(member->municipality, sizeof member->municipality, "-");
  if (!err && period && member->left_from)
    period = month_before(member->left_from);
  if (!err && period)
    err = ledger_books_member_at(books_node->store, member->member_id, period, &row, NULL);
  if (!err && period) {
    node_party_text(books_node, row.municipality, member->municipality);
    memcpy(member->client_ref, row.client_ref, sizeof member->client_ref);
    err = gather_statements(books_node, report, member);
  }
  for (size_t i = 0; i < report->account_count && !err; i++) {
    const node_year_account *account = &report->accounts[i];
    if (strcmp(account->member_id, member->member_id))
      continue;
    if (account->code == LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET)
      member->budget_closing_cents = -account->closing_cents;
    if (account->code == LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY)
      member->due_closing_cents = -account->closing_cents;
  }
  return err;
}

/* ---- the checks ---------------------------------------------------------------- */

static void check(node_year_report *report)
{
  int64_t sum = 0, result_before = 0, result_year = 0;
  report->accounts_agree = true;
  for (size_t i = 0; i < report->line_count; i++) {
    node_year_line *line = &report->lines[i];
    line->closing_cents = line->opening_cents + line->year_cents;
    sum += line->closing_cents;
    if (line->account->type == LEDGER_ACCOUNT_INCOME ||
        line->account->type == LEDGER_ACCOUNT_EXPENSE) {
      result_before += line->opening_cents;
      result_year += line->year_cents;
    }
    int64_t closing = 0, year = 0;
    for (size_t a = 0; a < report->account_count; a++)
      if (report->accounts[a].code == line->account->code) {
        closing += report->accounts[a].closing_cents;
        year += report->accounts[a].year_cents;
      }
    if (closing != line->closing_cents || year != line->year_cents)
      report->accounts_agree = false;
  }
  report->prior_result_cents = result_before;
  report->year_result_cents = result_year;
  report->balanced = sum == 0 && report->year_debit_cents == report->year_credit_cents;

  int64_t budgets = 0, dues = 0, owed = 0;
  report->budgets_reconcile = report->splits_reconcile = true;
  for (size_t i = 0; i < report->member_count; i++) {
    const node_year_member *member = &report->members[i];
    budgets += member->budget_closing_cents;
    dues += member->due_closing_cents;
    if (member->budget_opening_cents + member->budget_added_cents - member->budget_spent_cents !=
        member->budget_closing_cents)
      report->budgets_reconcile = false;
    if (!member->erased && (member->stated_coop_cents != member->booked_coop_cents ||
        member->stated_municipality_cents != member->booked_municipality_cents ||
        member->stated_budget_cents != member->booked_budget_cents))
      report->splits_reconcile = false;
  }
  for (size_t i = 0; i < report->municipality_count; i++) {
    node_year_municipality *municipality = &report->municipalities[i];
    municipality->closing_cents =
        municipality->opening_cents + municipality->due_cents - municipality->paid_cents;
    owed += municipality->closing_cents;
  }
  const node_year_line *budget = line_of(report, LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET);
  const node_year_line *due = line_of(report, LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY);
  if (!budget || budgets != -budget->closing_cents)
    report->budgets_reconcile = false;
  report->municipalities_reconcile = due && owed == dues && dues == -due->closing_cents;
}

bool node_year_reconciles(const node_year_report *report)
{
  return report->balanced && report->accounts_agree && report->splits_reconcile &&
         report->budgets_reconcile && report->municipalities_reconcile;
}

/* ---- the report ------------------------------------------------------------------ */

static coop_err stop_at_first(void *context, const ledger_register_row *row)
{
  *(uint32_t *)context = row->date;
  return COOP_E_EXISTS; /* enough: the register is in date order */
}

/* Refuses years that have no accounts to show, saying why. */
static coop_err year_check(node *books_node, uint32_t year, uint64_t rows,
                           char message[NODE_MESSAGE_BYTES])
{
  if (rows)
    return COOP_OK;
  uint32_t first = 0;
  ledger_books_query all = {0};
  coop_err err = ledger_books_register(books_node->store, &all, stop_at_first, &first);
  if (err && err != COOP_E_EXISTS)
    return err;
  if (!first) {
    snprintf(message, NODE_MESSAGE_BYTES, "no books for %u: nothing is recorded yet", year);
  } else {
    char date[11];
    ledger_date_format(first, date);
    snprintf(message, NODE_MESSAGE_BYTES, "no books for %u: the books begin on %s (the first "
             "record)", year, date);
  }
  return COOP_E_BAD_INPUT;
}

static coop_err year_range_check(uint32_t year, char message[NODE_MESSAGE_BYTES])
{
  uint32_t today = node_today();
  if (year < NODE_YEAR_MIN || year > NODE_YEAR_MAX) {
    snprintf(message, NODE_MESSAGE_BYTES, "year %u is out of range (%u to %u)", year,
             NODE_YEAR_MIN, NODE_YEAR_MAX);
    return COOP_E_BAD_INPUT;
  }
  if (year > today / 10000) {
    char date[11];
    ledger_date_format(today, date);
    snprintf(message, NODE_MESSAGE_BYTES, "year %u has not begun (today is %s)", year, date);
    return COOP_E_BAD_INPUT;
  }
  return COOP_OK;
}

static coop_err make(node *books_node, node_year_report *report, char message[NODE_MESSAGE_BYTES])
{
  size_t count = 0;
  const ledger_account_definition *chart = ledger_chart(&count);
  for (size_t i = 0; i < count && i < NODE_YEAR_CHART_MAX; i++)
    report->lines[report->line_count++].account = &chart[i];
  coop_err err = ledger_books_last_closed(books_node->store, &report->last_closed);
  if (!err)
    err = ledger_books_year_close_entry(books_node->store, report->year, &report->close_entry);
  report->closed = report->close_entry != 0;
  if (!err)
    err = ledger_books_members(books_node->store, add_member, report);
  if (!err)
    err = ledger_books_erased_members(books_node->store, add_erased_member, report);
  if (err)
    return err;
  if (report->members)
    qsort(report->members, report->member_count, sizeof *report->members, compare_member_items);
  year_walk walk = {.books_node = books_node, .report = report, .year_start = report->year * 10000 + 101,
                    .year_end = report->year * 10000 + 1231};
  if (report->member_count &&
      !(walk.residences = coop_calloc(report->member_count, sizeof *walk.residences)))
    return COOP_E_NOMEM;
  ledger_books_query through = {.date_to = walk.year_end};
  err = ledger_books_register(books_node->store, &through, walk_row, &walk);
  /* Reissues booked after the year end for statements of the year. */
  ledger_books_query later = {.date_from = walk.year_end + 1, .date_to = 99991231};
  if (!err)
    err = ledger_books_register(books_node->store, &later, later_split, &walk);
  if (!err)
    err = year_check(books_node, report->year, walk.rows, message);
  if (!err)
    err = gather_accounts(books_node, report);
  for (size_t i = 0; i < report->member_count && !err; i++)
    err = gather_member(books_node, report, &report->members[i]);
  /* Every member's municipality is listed, owed something or not. */
  node_year_municipality *listed = NULL;
  for (size_t i = 0; i < report->member_count && !err; i++)
    err = municipality_of(&walk, report->members[i].member_id, walk.year_end / 100, &listed);
  coop_free(walk.residences);
  if (!err)
    check(report);
  return err;
}

coop_err node_year_report_make(node *books_node, uint32_t year, node_year_report *report,
                               char message[NODE_MESSAGE_BYTES])
{
  memset(report, 0, sizeof *report);
  message[0] = '\0';
  coop_err err = year_range_check(year, message);
  if (err)
    return err;
  report->year = year;
  report->running = node_today() <= year * 10000 + 1231;
  err = make(books_node, report, message);
  if (err) {
    if (!message[0])
      snprintf(message, NODE_MESSAGE_BYTES, "cannot compute the accounts of %u: %s", year,
               coop_err_message(err));
    node_year_report_release(report);
  }
  return err;
}

void node_year_report_release(node_year_report *report)
{
  coop_free(report->accounts);
  coop_free(report->members);
  coop_free(report->municipalities);
  memset(report, 0, sizeof *report);
}
