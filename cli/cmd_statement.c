/* coop statement: a member's monthly statement, for the member and the
 * municipality to read: Dutch by default, English on request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/offset_json.h"
#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/books/money.h"
#include "ledger/books/statement.h"
#include "node/audit.h"
#include "node/books.h"
#include "node/wording.h"
#include "node/year_statement.h"

static const char usage[] =
    "usage: coop statement --member ID -p YYYY-MM [-O txt|json|html] [--lang nl|en] [--all]\n"
    "       coop statement --member ID --year YYYY [-O txt|json|html] [--lang nl|en] [--final]\n"
    "       coop statement reissue --member ID -p YYYY-MM\n"
    "\n"
    "A member's statement (verrekening) for a closed month: what they earned, the\n"
    "split between the coop, the municipality and their development budget, the\n"
    "disregard that applied and the indicative offset against their benefit, with\n"
    "the rule set it was computed by.  Plain language, Dutch by default\n"
    "(--lang en for English); -O html gives a page with a chart of the month;\n"
    "-O json gives every figure in integer cents.  The last line (\"verdict\" in\n"
    "JSON) is the municipality's verdict as far as this node has its log.\n"
    "On a coop node it comes from the books; on a municipality's node from the\n"
    "coop logs it holds (its residents only); on a member's own node from her\n"
    "coop's log (--member may be left out there).  It is always the statement\n"
    "in force: after a reissue, the one that replaced the first (JSON names the\n"
    "statement it replaces: \"replaces\"); --all shows the history, newest first,\n"
    "each with its own verdict (JSON: an array).\n"
    "\n"
    "reissue  computes the statement of a closed month again, from the log and\n"
    "         the rule sets this node holds now (after a dispute: a rule set was\n"
    "         missing when the month closed, say), and appends it naming the one it\n"
    "         replaces; then every later closed month of the member whose figures or\n"
    "         carried state change, in order.  The differences in the profit split\n"
    "         are booked on the 1st of the open month.  The municipality checks each\n"
    "         like any statement.  A reissue that would change nothing (inputs,\n"
    "         figures, carried state, rule set, who it names) is refused unless the\n"
    "         municipality disputed the statement.  Late facts (--retroactive,\n"
    "         --for-month, a correction) need no reissue by hand: the next\n"
    "         'coop period close' reissues what they changed.\n"
    "\n"
    "--year    the member's year statement (jaaropgave): every month of the year\n"
    "          with what she earned, the costs, the coop's share, counted income,\n"
    "          the indicative offset, what went to the municipality and to her\n"
    "          development budget, what she spent from it, the disregard and the\n"
    "          municipality's verdict (and reissues) of each month; the totals (the\n"
    "          sums of the monthly statements in force), her budget at the start and\n"
    "          end of the year and the rule sets used.  Months not closed yet are\n"
    "          named as open and left out of the totals; --final refuses a year with\n"
    "          open months instead.  -O html is printable (one A4 page); -O json\n"
    "          has integer cents in the monthly statement's field names.  It works\n"
    "          where the monthly statement does (the coop's, the municipality's and\n"
    "          the member's own node).\n";

#define FORMAT_HTML CLI_FORMAT_HTML

typedef struct statement_view {
  const ledger_member_row *member;
  const char *municipality; /* "Gemeente Breda (2951-e01d-42a0-3c0f)": name and fingerprint */
  const ledger_statement_payload *statement;
  uint64_t entry_index;
  int english;
  const node_verdict_found *verdict;
} statement_view;

static const char *say(const statement_view *view, const char *dutch, const char *english)
{
  return view->english ? english : dutch;
}

static const char *month_name(const statement_view *view, int month)
{
  return node_month_name(month, view->english);
}

static const char *disregard_name(const statement_view *view, int kind)
{
  return node_disregard_name(kind, view->english);
}

/* Prints text right-aligned in `width` columns. */
static void print_right(const char *text, int width)
{
  for (int columns = cli_text_columns(text); columns < width; columns++)
    fputc(' ', stdout);
  fputs(text, stdout);
}

/* The municipality's verdict, as far as this node has its log. */
static void print_verdict(const statement_view *view)
{
  const node_verdict_found *found = view->verdict;
  if (found->status == NODE_AUDIT_ACKNOWLEDGED) {
    printf("%s %llu).\n",
           say(view, "Gemeente: akkoord (erkenning, entry", "Municipality: acknowledged (entry"),
           (unsigned long long)found->index);
    return;
  }
  if (found->status != NODE_AUDIT_DISPUTED) {
    printf("%s\n", say(view, "Gemeente: nog niet gecontroleerd (of haar logboek is nog niet "
                             "gesynchroniseerd).",
                       "Municipality: not checked yet (or its log has not been synced)."));
    return;
  }
  printf("%s %llu): %s", say(view, "Gemeente: BETWIST (entry", "Municipality: DISPUTED (entry"),
         (unsigned long long)found->index, ledger_dispute_reason_name(found->verdict.reason));
  for (unsigned field = 0; field < LEDGER_FIELD_COUNT; field++)
    if (found->verdict.differing & (UINT32_C(1) << field))
      printf(" %s", ledger_verdict_field_name(field));
  printf("\n%s\n", say(view, "Zie 'coop disputes' voor de bedragen van de gemeente.",
                       "See 'coop disputes' for the municipality's figures."));
}

static json_t *verdict_json(const node_verdict_found *found)
{
  json_t *object = json_pack("{s:s}", "status", node_audit_status_name(found->status));
  if (object && found->status != NODE_AUDIT_PENDING) {
    char log_id[65];
    ledger_hex_encode(found->log_id, 32, log_id);
    json_object_set_new(object, "log_id", json_string(log_id));
    json_object_set_new(object, "index", json_integer((json_int_t)found->index));
  }
  if (object && found->status == NODE_AUDIT_DISPUTED) {
    json_t *fields = json_array();
    for (unsigned field = 0; field < LEDGER_FIELD_COUNT; field++)
      if (found->verdict.differing & (UINT32_C(1) << field))
        json_array_append_new(fields, json_string(ledger_verdict_field_name(field)));
    json_object_set_new(object, "reason",
                        json_string(ledger_dispute_reason_name(found->verdict.reason)));
    json_object_set_new(object, "differing", fields);
  }
  return object;
}

static void print_text(const statement_view *view)
{
  const ledger_statement_payload *statement = view->statement;
  printf("%s %s %u — %s (%s), %s %s\n", say(view, "Verrekening", "Statement"),
         month_name(view, (int)(statement->period % 100)), (unsigned)(statement->period / 100),
         view->member->name, view->member->member_id, say(view, "klantnummer", "client ref"),
         view->member->client_ref);
  printf("%s %s, %s %llu\n\n", say(view, "Rekenregels van", "Rules of"),
         view->municipality, say(view, "gepubliceerd als entry", "published as entry"),
         (unsigned long long)statement->rule_set_index);
  node_money_line lines[NODE_STATEMENT_LINES_MAX];
  size_t count = node_statement_lines(view->statement, view->english, lines);
  for (size_t i = 0; i < count; i++) {
    char amount[LEDGER_MONEY_TEXT_BYTES];
    ledger_money_format_dutch(lines[i].cents, amount);
    fputs(lines[i].indent ? "    " : "  ", stdout);
    cli_print_padded(lines[i].label, lines[i].indent ? 30 : 32);
    /* The euro sign is three bytes and one column. */
    printf(" %18s\n", amount);
  }
  printf("\n%s: %s\n", say(view, "Vrijlating", "Disregard"),
         disregard_name(view, statement->figures.disregard_kind));
  if (statement->figures.above_norm)
    printf("%s\n", say(view, "Uw inkomsten zijn deze maand hoger dan de bijstandsnorm.",
                       "Your income this month is above the benefit norm."));
  printf("%s\n", say(view, "De verrekening is indicatief: de gemeente beslist.",
                     "The offset is indicative: the municipality decides."));
  printf("%s %llu %s\n", say(view, "Vastgelegd als entry", "Recorded as entry"),
         (unsigned long long)view->entry_index,
         say(view, "in het ondertekende logboek van de coöperatie.",
             "in the coop's signed log."));
  if (statement->corrects)
    printf("%s %llu.\n", say(view, "Herberekend: vervangt entry", "Reissued: replaces entry"),
           (unsigned long long)(statement->corrects - 1));
  print_verdict(view);
}

/* Text into HTML: every value from the books goes through here (a member
 * may be named "<script>..."). */
static void html_text(const char *text)
{
  for (; *text; text++) {
    switch (*text) {
    case '<': fputs("&lt;", stdout); break;
    case '>': fputs("&gt;", stdout); break;
    case '&': fputs("&amp;", stdout); break;
    case '"': fputs("&quot;", stdout); break;
    case '\'': fputs("&#39;", stdout); break;
    default: putchar(*text);
    }
  }
}

/* Who, which rules (with the fingerprint to compare with the
 * municipality's letter or website), and the municipality's verdict. */
static void print_html_facts(const statement_view *view)
{
  fputs("<p>", stdout);
  html_text(view->member->name);
  printf(" (%s), %s ", view->member->member_id, say(view, "klantnummer", "client ref"));
  html_text(view->member->client_ref);
  printf("</p>\n<p>%s <strong>", say(view, "Rekenregels van", "Rules of"));
  html_text(view->municipality);
  printf("</strong>, %s %llu. %s</p>\n",
         say(view, "gepubliceerd als entry", "published as entry"),
         (unsigned long long)view->statement->rule_set_index,
         say(view, "Vergelijk deze vingerafdruk met die op de brief of de website van uw "
                   "gemeente.",
             "Compare this fingerprint with the one on your municipality's letter or website."));
}

static void print_html(const statement_view *view)
{
  const ledger_offset_statement *f = &view->statement->figures;
  int64_t total = f->coop_share_cents + f->to_municipality_cents + f->to_budget_cents;
  printf("<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
         "<title>%s %s %u</title><style>body{font-family:sans-serif;max-width:40em;margin:2em auto}"
         "td{padding:.2em 1em}td.amount{text-align:right;font-variant-numeric:tabular-nums}"
         "td.sub{padding-left:2.5em}"
         "</style></head><body>\n",
         view->english ? "en" : "nl", say(view, "Verrekening", "Statement"),
         month_name(view, (int)(view->statement->period % 100)),
         (unsigned)(view->statement->period / 100));
  printf("<h1>%s %s %u</h1>\n", say(view, "Verrekening", "Statement"),
         month_name(view, (int)(view->statement->period % 100)),
         (unsigned)(view->statement->period / 100));
  print_html_facts(view);
  /* The month's money flow at a glance: one bar, split in three. */
  static const char *const colours[] = {"#8e44ad", "#2980b9", "#27ae60"};
  const int64_t parts[] = {f->coop_share_cents, f->to_municipality_cents, f->to_budget_cents};
  const char *names[] = {say(view, "coöperatie", "coop"), say(view, "gemeente", "municipality"),
                         say(view, "ontwikkelbudget", "development budget")};
  printf("<svg width=\"400\" height=\"60\" role=\"img\" aria-label=\"%s\">\n",
         say(view, "verdeling van de winst", "split of the profit"));
  int64_t x = 0;
  for (int i = 0; i < 3; i++) {
    int64_t width = total > 0 ? parts[i] * 400 / total : 0;
    printf("<rect x=\"%lld\" y=\"0\" width=\"%lld\" height=\"30\" fill=\"%s\"><title>%s</title>"
           "</rect>\n", (long long)x, (long long)width, colours[i], names[i]);
    x += width;
  }
  printf("</svg>\n<table>\n");
  node_money_line lines[NODE_STATEMENT_LINES_MAX];
  size_t count = node_statement_lines(view->statement, view->english, lines);
  for (size_t i = 0; i < count; i++) {
    char amount[LEDGER_MONEY_TEXT_BYTES];
    ledger_money_format_dutch(lines[i].cents, amount);
    /* The split and what was disregarded are indented, as in the text. */
    printf("<tr><td%s>", lines[i].indent ? " class=\"sub\"" : "");
    html_text(lines[i].label);
    printf("</td><td class=\"amount\">%s</td></tr>\n", amount);
  }
  printf("</table>\n<p>%s: %s. %s</p>\n<p>", say(view, "Vrijlating", "Disregard"),
         disregard_name(view, f->disregard_kind),
         say(view, "De verrekening is indicatief: de gemeente beslist.",
             "The offset is indicative: the municipality decides."));
  print_verdict(view);
  printf("</p>\n</body></html>\n");
}

static json_t *statement_json(const statement_view *view)
{
  const ledger_statement_payload *statement = view->statement;
  const ledger_offset_month *in = &statement->month;
  json_t *figures = NULL;
  if (ledger_offset_json_from_statement(&statement->figures, &figures))
    return NULL;
  json_t *sources = json_array();
  for (unsigned i = 0; sources && i < statement->source_count; i++)
    json_array_append_new(sources, json_pack("{s:I, s:o}", "index",
                                             (json_int_t)statement->sources[i].index, "leaf_hash",
                                             cli_hex_json(statement->sources[i].leaf_hash, 32)));
  return json_pack(
      "{s:s, s:s, s:I, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:b}, s:{s:o, s:I, s:o},"
      " s:o, s:o, s:o}",
      "member_id", view->member->member_id, "client_ref", view->member->client_ref,
      "entry_index", (json_int_t)view->entry_index, "statement", figures, "inputs", "revenue",
      (json_int_t)in->revenue_cents, "costs", (json_int_t)in->costs_cents,
      "volunteer_allowance", (json_int_t)in->volunteer_allowance_cents, "other_income",
      (json_int_t)in->other_income_cents, "hours", (json_int_t)in->hours, "age",
      (json_int_t)in->age_years, "n_approved", in->n_approved, "medical_hours_limit",
      in->medical_hours_limit, "single_parent_child_under_12", in->single_parent_child_under_12,
      "rule_set", "log_id", cli_hex_json(statement->rule_set_log, 32), "index",
      (json_int_t)statement->rule_set_index, "leaf_hash",
      cli_hex_json(statement->rule_set_leaf_hash, 32), "sources", sources, "verdict",
      verdict_json(view->verdict), "replaces",
      statement->corrects ? json_integer((json_int_t)(statement->corrects - 1)) : json_null());
}

/* What `show` prints, found in the coop's books or in the logs held. */
typedef struct statement_found {
  uint32_t period;
  bool found;
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  ledger_member_row member;
  ledger_statement_payload *statement;
  uint64_t entry_index;
  node_verdict_found verdict;
} statement_found;

/* A coop node reads its own books. */
static coop_err find_in_books(node *opened, const char *member_id, statement_found *out)
{
  memcpy(out->coop_log, opened->identity.public_key, LEDGER_LOG_ID_BYTES);
  /* Her municipality and client ref of the month (she may have moved). */
  coop_err err = node_member_at(opened, member_id, out->period, &out->member, NULL);
  if (!err)
    err = node_member_statement(opened, member_id, out->period, out->statement,
                                &out->entry_index);
  out->verdict.status = NODE_AUDIT_PENDING;
  if (!err)
    err = node_verdict_for(opened, opened->identity.public_key, out->entry_index, &out->verdict);
  return err;
}

static coop_err take_month(void *context, const node_member_month *month)
{
  statement_found *out = context;
  if (month->period != out->period || !month->statement)
    return COOP_OK;
  out->found = true;
  memset(&out->member, 0, sizeof out->member);
  memcpy(out->member.member_id, month->member_id, sizeof out->member.member_id);
  memcpy(out->member.name, month->name, sizeof out->member.name);
  memcpy(out->member.client_ref, month->client_ref, sizeof out->member.client_ref);
  memcpy(out->member.municipality, month->municipality, sizeof out->member.municipality);
  *out->statement = *month->statement;
  out->entry_index = month->statement_index;
  memcpy(out->coop_log, month->coop_log, LEDGER_LOG_ID_BYTES);
  out->verdict = month->found;
  return COOP_OK;
}

/* A municipality (its residents) or a member's own node (her statements)
 * reads the statement in force from the coop logs it holds, with the keys
 * it was granted; `member_id` may be NULL on a member's node. */
static coop_err find_in_logs(node *opened, const char *member_id, statement_found *out)
{
  coop_err err = node_member_months(opened, member_id, take_month, out);
  return !err && !out->found ? COOP_E_NOT_FOUND : err;
}

/* Prints one statement of the history in the chosen format (JSON: added
 * to `all`). */
static int print_one(const statement_view *view, int format, json_t *all)
{
  if (format == CLI_FORMAT_JSON) {
    json_t *one = statement_json(view);
    return one && !json_array_append_new(all, one) ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
  }
  if (format == FORMAT_HTML)
    print_html(view);
  else
    print_text(view);
  return CLI_EXIT_OK;
}

/* --all: the statement in force, then each one it replaced, newest first,
 * each with its own verdict. */
static int show_history(node *opened, statement_found *found, statement_view *view, int format)
{
  json_t *all = format == CLI_FORMAT_JSON ? json_array() : NULL;
  int status = print_one(view, format, all);
  ledger_statement_payload *older = coop_malloc(sizeof *older);
  uint64_t index = found->statement->corrects;
  while (status == CLI_EXIT_OK && older && index) {
    uint64_t at = index - 1;
    coop_err err = node_statement_read(opened, found->coop_log, at, older);
    node_verdict_found verdict = {.status = NODE_AUDIT_PENDING};
    if (!err)
      err = node_verdict_for(opened, found->coop_log, at, &verdict);
    if (err) {
      cli_error("cannot read entry %llu, the statement it replaced: %s", (unsigned long long)at,
                coop_err_message(err));
      status = CLI_EXIT_FAILURE;
      break;
    }
    if (format != CLI_FORMAT_JSON)
      printf("\n");
    statement_view earlier = *view;
    earlier.statement = older;
    earlier.entry_index = at;
    earlier.verdict = &verdict;
    status = print_one(&earlier, format, all);
    index = older->corrects;
  }
  coop_free(older);
  if (format == CLI_FORMAT_JSON)
    return status == CLI_EXIT_OK ? cli_print_json(all) : (json_decref(all), status);
  return status;
}

static int show(const char *dir, const char *member_id, uint32_t period, int format, int english,
                bool all)
{
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  bool coop = opened.role == LEDGER_ROLE_COOP;
  if (!member_id && opened.role != LEDGER_ROLE_MEMBER) {
    node_close(&opened);
    return cli_usage_error("statement", "--member and -p YYYY-MM are required");
  }
  char message[NODE_MESSAGE_BYTES];
  if (coop && node_books_ready(&opened, message)) {
    cli_error("%s", message);
    node_close(&opened);
    return CLI_EXIT_FAILURE;
  }
  statement_found found = {.period = period, .statement = coop_malloc(sizeof *found.statement)};
  coop_err err = !found.statement ? COOP_E_NOMEM
                 : coop           ? find_in_books(&opened, member_id, &found)
                                  : find_in_logs(&opened, member_id, &found);
  char municipality[NODE_PARTY_TEXT_BYTES] = "";
  if (!err)
    node_party_text(&opened, found.statement->rule_set_log, municipality);
  if (!err && all) {
    statement_view view = {&found.member, municipality, found.statement, found.entry_index,
                           english, &found.verdict};
    int shown = show_history(&opened, &found, &view, format);
    node_close(&opened);
    coop_free(found.statement);
    return shown;
  }
  node_close(&opened);
  char period_text[8];
  ledger_period_format(period, period_text);
  int status = CLI_EXIT_OK;
  if (err == COOP_E_NOT_FOUND && coop)
    cli_error("no statement for member '%s' in %s (is the member enrolled, and the month closed "
              "with 'coop period close'?)", member_id, period_text);
  else if (err == COOP_E_NOT_FOUND) /* a member or an officer reads this: Dutch first */
    cli_error("geen verrekening van %s%s%s over %s op deze node (is de maand afgesloten, en heeft "
              "deze node met de coöperatie gesynchroniseerd?) / no statement for %s%s%s in %s "
              "readable on this node", member_id ? "lid '" : "u", member_id ? member_id : "",
              member_id ? "'" : "", period_text, member_id ? "member '" : "your membership",
              member_id ? member_id : "", member_id ? "'" : "", period_text);
  else if (err)
    cli_error("cannot read the statement: %s", coop_err_message(err));
  if (err) {
    coop_free(found.statement);
    return CLI_EXIT_FAILURE;
  }
  ledger_statement_payload *statement = found.statement;
  statement_view view = {&found.member, municipality, statement, found.entry_index, english,
                         &found.verdict};
  if (format == CLI_FORMAT_JSON)
    status = cli_print_json(statement_json(&view));
  else if (format == FORMAT_HTML)
    print_html(&view);
  else
    print_text(&view);
  coop_free(statement);
  return status;
}

void cli_print_reissues(const node_reissue_list *done)
{
  for (size_t i = 0; i < done->count; i++) {
    const node_reissue *item = &done->items[i];
    char text[8];
    ledger_period_format(item->period, text);
    printf("reissued the statement of %s for %s as entry %llu (replaces entry %llu)\n",
           item->member_id, text, (unsigned long long)item->index,
           (unsigned long long)item->replaced);
  }
}

static int reissue(const char *dir, const char *member, uint32_t period)
{
  node opened;
  if (cli_open_books(dir, &opened))
    return CLI_EXIT_FAILURE;
  node_reissue_list done = {0};
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_statement_reissue(&opened, member, period, &done, message);
  node_close(&opened);
  if (err) {
    node_reissue_list_free(&done);
    cli_error("%s", message[0] ? message : coop_err_message(err));
    return err == COOP_E_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
  }
  cli_print_reissues(&done);
  node_reissue_list_free(&done);
  return CLI_EXIT_OK;
}

/* ---- The year (jaaropgave) ----------------------------------------------------------------- */

/* One year's statement as printed: the node's year and how to say it. */
typedef struct year_view {
  node *node;
  const node_year_statement *year;
  bool english;
} year_view;

static const char *year_say(const year_view *view, const char *dutch, const char *english)
{
  return view->english ? english : dutch;
}

/* An amount for the year's table: "1234,56" (Dutch) or "1234.56", no
 * euro sign (the heading says euro), so columns line up. */
static void table_amount(const year_view *view, int64_t cents, char out[LEDGER_MONEY_TEXT_BYTES])
{
  ledger_money_format(cents, out);
  if (!view->english)
    for (char *c = out; *c; c++)
      if (*c == '.')
        *c = ',';
}

/* The municipality's verdict on a month, in one or two words. */
static const char *verdict_word(const year_view *view, const node_year_month *month)
{
  if (month->records_after_statement)
    return year_say(view, "herberekening volgt", "reissue due");
  switch (month->verdict.status) {
  case NODE_AUDIT_ACKNOWLEDGED: return year_say(view, "akkoord", "acknowledged");
  case NODE_AUDIT_DISPUTED: return year_say(view, "BETWIST", "DISPUTED");
  default: return year_say(view, "nog niet gecontroleerd", "not checked yet");
  }
}

/* The verdict on a statement that was replaced. */
static const char *replaced_word(const year_view *view, int status)
{
  switch (status) {
  case NODE_AUDIT_ACKNOWLEDGED: return year_say(view, "was akkoord", "was acknowledged");
  case NODE_AUDIT_DISPUTED: return year_say(view, "was betwist", "was disputed");
  default: return year_say(view, "niet gecontroleerd", "not checked");
  }
}

/* A month without a statement, in words. */
static const char *state_words(const year_view *view, int state)
{
  switch (state) {
  case NODE_YEAR_OPEN: return year_say(view, "nog open: niet afgesloten", "still open: not closed");
  case NODE_YEAR_LEFT: return year_say(view, "geen lid meer", "no longer a member");
  default: return year_say(view, "geen verrekening", "no statement");
  }
}

/* The year's money columns of one month (or the totals), in table order. */
#define YEAR_COLUMNS 8
static void year_columns(const node_year_totals *t, int64_t out[YEAR_COLUMNS])
{
  const int64_t values[YEAR_COLUMNS] = {
      t->revenue_cents, t->costs_cents, t->coop_share_cents, t->counted_income_cents,
      t->offset_cents, t->to_municipality_cents, t->to_budget_cents, t->budget_spent_cents};
  memcpy(out, values, sizeof values);
}

static void year_column_names(const year_view *view, const char *out[YEAR_COLUMNS])
{
  const char *names[YEAR_COLUMNS] = {
      year_say(view, "omzet", "revenue"), year_say(view, "kosten", "costs"),
      year_say(view, "coöperatie", "coop"), year_say(view, "getelde ink.", "counted inc."),
      year_say(view, "verrekening", "offset"), year_say(view, "gemeente", "municip."),
      year_say(view, "ontw.budget", "dev.budget"), year_say(view, "besteed", "spent")};
  memcpy(out, names, sizeof names);
}

/* A month's figures in the totals' shape, so one function prints both. */
static void month_totals(const node_year_month *month, node_year_totals *out)
{
  memset(out, 0, sizeof *out);
  out->revenue_cents = month->inputs.revenue_cents;
  out->costs_cents = month->inputs.costs_cents;
  out->coop_share_cents = month->figures.coop_share_cents;
  out->counted_income_cents = month->figures.counted_income_cents;
  out->offset_cents = month->figures.offset_cents;
  out->to_municipality_cents = month->figures.to_municipality_cents;
  out->to_budget_cents = month->figures.to_budget_cents;
  out->budget_spent_cents = month->budget_spent_cents;
}

static void print_year_row(const year_view *view, const char *label, const node_year_totals *t)
{
  int64_t values[YEAR_COLUMNS];
  year_columns(t, values);
  cli_print_padded(label, 10);
  for (int c = 0; c < YEAR_COLUMNS; c++) {
    char amount[LEDGER_MONEY_TEXT_BYTES];
    table_amount(view, values[c], amount);
    printf(" %12s", amount);
  }
  putchar('\n');
}

/* Per month: the disregard, the verdict, a reissue. */
static void print_year_notes(const year_view *view, FILE *out)
{
  for (int m = 0; m < NODE_YEAR_MONTHS; m++) {
    const node_year_month *month = &view->year->months[m];
    if (month->state != NODE_YEAR_STATED)
      continue;
    fprintf(out, "  %-10s %s %s", node_month_name(m + 1, view->english),
           year_say(view, "vrijlating", "disregard"),
           node_disregard_name(month->figures.disregard_kind, view->english));
    /* Which month of its window, for the disregards that have one. */
    const ledger_offset_statement *f = &month->figures;
    int64_t used = f->disregard_kind == LEDGER_OFFSET_DISREGARD_N     ? f->n_used
                   : f->disregard_kind == LEDGER_OFFSET_DISREGARD_R   ? f->r_used
                   : f->disregard_kind == LEDGER_OFFSET_DISREGARD_34A ? f->a34_used
                                                                      : 0;
    if (used)
      fprintf(out, ", %s %lld", year_say(view, "maand", "month"), (long long)used);
    fprintf(out, "; %s: %s; entry %llu", year_say(view, "gemeente", "municipality"),
           verdict_word(view, month), (unsigned long long)month->statement_index);
    if (month->reissues)
      fprintf(out, ", %s %zux", year_say(view, "herberekend", "reissued"), month->reissues);
    for (size_t r = 0; r < month->reissues && r < NODE_YEAR_REPLACED_MAX; r++)
      fprintf(out, "%s %s %llu: %s", r ? "," : ";", year_say(view, "vervangt entry", "replaces entry"),
              (unsigned long long)month->replaced[r].index,
              replaced_word(view, month->replaced[r].status));
    fputc('\n', out);
  }
}

static void print_year_rule_sets(const year_view *view, FILE *out)
{
  fprintf(out, "%s\n", year_say(view, "Rekenregels:", "Rule sets:"));
  for (size_t i = 0; i < view->year->rule_set_count; i++) {
    const node_year_rule_set *used = &view->year->rule_sets[i];
    char party[NODE_PARTY_TEXT_BYTES], from[NODE_MONTH_TEXT_BYTES], to[NODE_MONTH_TEXT_BYTES];
    node_party_text(view->node, used->log, party);
    node_month_text(used->first_period, view->english, from);
    node_month_text(used->last_period, view->english, to);
    fprintf(out, "  %s, entry %llu: %s %s %s\n", party, (unsigned long long)used->index, from,
           year_say(view, "t/m", "to"), to);
  }
}

/* The disregards of the year: which, and in how many months. */
static void print_year_disregards(const year_view *view, FILE *out)
{
  fprintf(out, "%s:", year_say(view, "Vrijlating", "Disregard"));
  int shown = 0;
  for (int kind = LEDGER_OFFSET_DISREGARD_N; kind <= LEDGER_OFFSET_DISREGARD_34A; kind++) {
    int months = view->year->totals.disregard_months[kind];
    if (months)
      fprintf(out, "%s %s: %d %s", shown++ ? "," : "", node_disregard_name(kind, view->english), months,
             months == 1 ? year_say(view, "maand", "month") : year_say(view, "maanden", "months"));
  }
  char amount[LEDGER_MONEY_TEXT_BYTES];
  ledger_money_format_dutch(view->year->totals.disregard_cents, amount);
  fprintf(out, "%s; %s %s\n", shown ? "" : year_say(view, " geen", " none"),
          year_say(view, "samen vrijgelaten", "disregarded in all"), amount);
}

static void print_year_budget(const year_view *view, FILE *out)
{
  char start[LEDGER_MONEY_TEXT_BYTES], end[LEDGER_MONEY_TEXT_BYTES];
  ledger_money_format_dutch(view->year->budget_start_cents, start);
  ledger_money_format_dutch(view->year->budget_end_cents, end);
  fprintf(out, "%s %s, %s %s\n", year_say(view, "Ontwikkelbudget: begin van het jaar", "Development budget: start of the year"),
         start, year_say(view, "over aan het eind", "left at the end"), end);
}

static void print_year_open(const year_view *view, FILE *out)
{
  if (!view->year->open_count) {
    fprintf(out, "%s\n", year_say(view, "Alle maanden zijn afgesloten: deze jaaropgave is definitief.",
                            "Every month is closed: this year statement is final."));
    return;
  }
  char open[NODE_YEAR_OPEN_TEXT_BYTES];
  node_year_open_text(view->year, open);
  fprintf(out, "%s %s.\n%s\n", year_say(view, "NOG OPEN (niet afgesloten):", "STILL OPEN (not closed):"),
         open, year_say(view, "Deze jaaropgave is nog niet definitief: de totalen tellen alleen "
                              "de afgesloten maanden.",
                        "This year statement is not final: the totals count the closed months "
                        "only."));
}

static void print_year_text(const year_view *view)
{
  const node_year_statement *year = view->year;
  printf("%s %u — %s (%s), %s %s\n%s; %s\n\n", year_say(view, "Jaaropgave", "Year statement"),
         (unsigned)year->year, year->name, year->member_id,
         year_say(view, "klantnummer", "client ref"), year->client_ref, year->coop_name,
         year_say(view, "bedragen in euro", "amounts in euros"));
  const char *names[YEAR_COLUMNS];
  year_column_names(view, names);
  cli_print_padded(year_say(view, "maand", "month"), 10);
  for (int c = 0; c < YEAR_COLUMNS; c++) {
    putchar(' ');
    print_right(names[c], 12);
  }
  putchar('\n');
  for (int m = 0; m < NODE_YEAR_MONTHS; m++) {
    const node_year_month *month = &year->months[m];
    if (month->state != NODE_YEAR_STATED) {
      cli_print_padded(node_month_name(m + 1, view->english), 10);
      printf(" %s\n", state_words(view, month->state));
      continue;
    }
    node_year_totals row;
    month_totals(month, &row);
    print_year_row(view, node_month_name(m + 1, view->english), &row);
  }
  print_year_row(view, year_say(view, "totaal", "total"), &year->totals);
  printf("\n");
  print_year_notes(view, stdout);
  printf("\n");
  print_year_disregards(view, stdout);
  print_year_budget(view, stdout);
  print_year_rule_sets(view, stdout);
  print_year_open(view, stdout);
  printf("%s\n", year_say(view, "De verrekening is indicatief: de gemeente beslist.",
                          "The offset is indicative: the municipality decides."));
}

static void print_year_html_row(const year_view *view, const char *label,
                                const node_year_totals *t, const char *tail)
{
  int64_t values[YEAR_COLUMNS];
  year_columns(t, values);
  printf("<tr><th>%s</th>", label);
  for (int c = 0; c < YEAR_COLUMNS; c++) {
    char amount[LEDGER_MONEY_TEXT_BYTES];
    table_amount(view, values[c], amount);
    printf("<td class=\"amount\">%s</td>", amount);
  }
  printf("%s</tr>\n", tail);
}

static void print_year_html_months(const year_view *view)
{
  const char *names[YEAR_COLUMNS];
  year_column_names(view, names);
  printf("<table>\n<tr><th>%s</th>", year_say(view, "maand", "month"));
  for (int c = 0; c < YEAR_COLUMNS; c++)
    printf("<th>%s</th>", names[c]);
  printf("<th>%s</th><th>%s</th></tr>\n", year_say(view, "vrijlating", "disregard"),
         year_say(view, "oordeel gemeente", "verdict"));
  for (int m = 0; m < NODE_YEAR_MONTHS; m++) {
    const node_year_month *month = &view->year->months[m];
    const char *name = node_month_name(m + 1, view->english);
    if (month->state != NODE_YEAR_STATED) {
      printf("<tr class=\"%s\"><th>%s</th><td colspan=\"%d\">%s</td></tr>\n",
             node_year_state_name(month->state), name, YEAR_COLUMNS + 2,
             state_words(view, month->state));
      continue;
    }
    char tail[256];
    snprintf(tail, sizeof tail, "<td>%s</td><td>%s%s</td>",
             node_disregard_name(month->figures.disregard_kind, view->english),
             verdict_word(view, month),
             month->reissues ? year_say(view, " (herberekend)", " (reissued)") : "");
    node_year_totals row;
    month_totals(month, &row);
    print_year_html_row(view, name, &row, tail);
  }
  print_year_html_row(view, year_say(view, "totaal", "total"), &view->year->totals,
                      "<td></td><td></td>");
  printf("</table>\n");
}

/* Printable: one A4 page per member where it fits (12 rows and a few
 * lines), the notes in the same words as the text. */
static void print_year_html(const year_view *view)
{
  const node_year_statement *year = view->year;
  printf("<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s %u</title>"
         "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;font-size:11pt}"
         "table{border-collapse:collapse}td,th{padding:.15em .5em;text-align:left}"
         "td.amount{text-align:right;font-variant-numeric:tabular-nums}"
         "tr.open td{font-style:italic}pre{font-family:inherit;white-space:pre-wrap}"
         "@media print{@page{size:A4 landscape;margin:12mm}body{margin:0;max-width:none;"
         "font-size:9pt}}</style></head><body>\n",
         view->english ? "en" : "nl", year_say(view, "Jaaropgave", "Year statement"),
         (unsigned)year->year);
  printf("<h1>%s %u</h1>\n<p>", year_say(view, "Jaaropgave", "Year statement"),
         (unsigned)year->year);
  html_text(year->name);
  printf(" (%s), %s ", year->member_id, year_say(view, "klantnummer", "client ref"));
  html_text(year->client_ref);
  printf("; ");
  html_text(year->coop_name);
  printf("; %s</p>\n", year_say(view, "bedragen in euro", "amounts in euros"));
  print_year_html_months(view);
  /* The notes as the text prints them, escaped. */
  printf("<pre>");
  char *notes = NULL;
  size_t notes_bytes = 0;
  FILE *notes_file = open_memstream(&notes, &notes_bytes);
  if (notes_file) {
    print_year_notes(view, notes_file);
    print_year_disregards(view, notes_file);
    print_year_budget(view, notes_file);
    print_year_rule_sets(view, notes_file);
    print_year_open(view, notes_file);
    fclose(notes_file);
  }
  if (notes)
    html_text(notes);
  free(notes);
  printf("</pre>\n<p>%s</p>\n</body></html>\n",
         year_say(view, "De verrekening is indicatief: de gemeente beslist.",
                  "The offset is indicative: the municipality decides."));
}

static json_t *period_json(uint32_t period)
{
  char text[8];
  ledger_period_format(period, text);
  return json_string(text);
}

/* A month in the monthly statement's names: "inputs", "statement",
 * "rule_set", "verdict", "replaces", "entry_index". */
static json_t *year_month_json(const node_year_month *month)
{
  json_t *item = json_pack("{s:o, s:s, s:I, s:o}", "period", period_json(month->period), "state",
                           node_year_state_name(month->state), "budget_spent",
                           (json_int_t)month->budget_spent_cents, "municipality",
                           cli_hex_json(month->municipality, 32));
  if (!item || month->state != NODE_YEAR_STATED)
    return item;
  json_t *figures = NULL;
  if (ledger_offset_json_from_statement(&month->figures, &figures)) {
    json_decref(item);
    return NULL;
  }
  const ledger_offset_month *in = &month->inputs;
  json_t *more = json_pack(
      "{s:I, s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:{s:o, s:I}, s:o, s:o, s:I, s:b}", "entry_index",
      (json_int_t)month->statement_index, "statement", figures, "inputs", "revenue",
      (json_int_t)in->revenue_cents, "costs", (json_int_t)in->costs_cents, "volunteer_allowance",
      (json_int_t)in->volunteer_allowance_cents, "other_income", (json_int_t)in->other_income_cents,
      "hours", (json_int_t)in->hours, "rule_set", "log_id", cli_hex_json(month->rule_set_log, 32),
      "index", (json_int_t)month->rule_set_index, "verdict", verdict_json(&month->verdict),
      "replaces", month->replaces ? json_integer((json_int_t)(month->replaces - 1)) : json_null(),
      "reissues", (json_int_t)month->reissues, "reissue_due", month->records_after_statement > 0);
  json_t *replaced = json_array();
  for (size_t r = 0; replaced && r < month->reissues && r < NODE_YEAR_REPLACED_MAX; r++)
    json_array_append_new(replaced, json_pack("{s:I, s:s}", "entry_index",
                                              (json_int_t)month->replaced[r].index, "verdict",
                                              node_audit_status_name(month->replaced[r].status)));
  json_object_set_new(more, "replaced", replaced);
  json_object_update(item, more);
  json_decref(more);
  return item;
}

static json_t *year_totals_json(const node_year_totals *t)
{
  json_t *months = json_object();
  for (int kind = LEDGER_OFFSET_DISREGARD_N; months && kind <= LEDGER_OFFSET_DISREGARD_34A; kind++)
    json_object_set_new(months, ledger_offset_disregard_kind_name(kind),
                        json_integer(t->disregard_months[kind]));
  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
                   "revenue", (json_int_t)t->revenue_cents, "costs", (json_int_t)t->costs_cents,
                   "profit", (json_int_t)t->profit_cents, "coop_share",
                   (json_int_t)t->coop_share_cents, "disregard", (json_int_t)t->disregard_cents,
                   "volunteer_allowance", (json_int_t)t->volunteer_allowance_cents,
                   "volunteer_disregarded", (json_int_t)t->volunteer_disregarded_cents,
                   "other_income", (json_int_t)t->other_income_cents, "counted_income",
                   (json_int_t)t->counted_income_cents, "offset", (json_int_t)t->offset_cents,
                   "benefit", (json_int_t)t->benefit_cents, "to_municipality",
                   (json_int_t)t->to_municipality_cents, "to_budget",
                   (json_int_t)t->to_budget_cents, "budget_spent",
                   (json_int_t)t->budget_spent_cents, "disregard_months", months);
}

static json_t *year_json(const year_view *view)
{
  const node_year_statement *year = view->year;
  json_t *months = json_array(), *open = json_array(), *rule_sets = json_array();
  for (int m = 0; m < NODE_YEAR_MONTHS; m++) {
    json_array_append_new(months, year_month_json(&year->months[m]));
    if (year->months[m].state == NODE_YEAR_OPEN)
      json_array_append_new(open, period_json(year->months[m].period));
  }
  for (size_t i = 0; i < year->rule_set_count; i++) {
    const node_year_rule_set *used = &year->rule_sets[i];
    json_array_append_new(rule_sets, json_pack("{s:o, s:I, s:o, s:o}", "log_id",
                                                cli_hex_json(used->log, 32), "index",
                                                (json_int_t)used->index, "from",
                                                period_json(used->first_period), "to",
                                                period_json(used->last_period)));
  }
  return json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:b, s:o, s:o, s:o, s:{s:I, s:I}, s:o}",
                   "member_id", year->member_id, "name", year->name, "client_ref",
                   year->client_ref, "coop", year->coop_name, "coop_log",
                   cli_hex_json(year->coop_log, 32), "year", (json_int_t)year->year, "final",
                   year->open_count == 0, "open_months", open, "months", months, "totals",
                   year_totals_json(&year->totals), "budget", "start",
                   (json_int_t)year->budget_start_cents, "end", (json_int_t)year->budget_end_cents,
                   "rule_sets", rule_sets);
}

/* coop statement --year: the closed months and which are still open;
 * --final refuses a year with open months, naming them. */
static int show_year(const char *dir, const char *member_id, uint32_t year, int format,
                     bool english, bool final)
{
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  if (!member_id && opened.role != LEDGER_ROLE_MEMBER) {
    node_close(&opened);
    return cli_usage_error("statement", "--member is required (except on a member's own node)");
  }
  node_year_statement *built = coop_malloc(sizeof *built);
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = built ? node_year_statement_build(&opened, member_id, year, built, message)
                       : COOP_E_NOMEM;
  int status = CLI_EXIT_OK;
  if (err) {
    cli_error("%s", message[0] ? message : coop_err_message(err));
    status = CLI_EXIT_FAILURE;
  } else if (final && built->open_count) {
    char open[NODE_YEAR_OPEN_TEXT_BYTES];
    node_year_open_text(built, open);
    cli_error("the year %u is not closed: open months %s (--final needs every month closed; "
              "without it the closed months are shown)", (unsigned)year, open);
    status = CLI_EXIT_FAILURE;
  } else {
    year_view view = {&opened, built, english};
    if (format == CLI_FORMAT_JSON)
      status = cli_print_json(year_json(&view));
    else if (format == FORMAT_HTML)
      print_year_html(&view);
    else
      print_year_text(&view);
  }
  node_close(&opened);
  coop_free(built);
  return status;
}

/* -O: txt, json or html (a wrong value is told all three). */
static int parse_output(const char *text, int *format)
{
  cli_format parsed;
  if (cli_parse_format(text, CLI_TXT_JSON | 1u << CLI_FORMAT_HTML, &parsed))
    return -1;
  *format = (int)parsed;
  return 0;
}

/* The checks of --year's arguments, then the year. */
static int year_command(const char *dir, const char *member, const char *year_text, int format,
                        const char *language, bool with_month, bool final)
{
  if (with_month)
    return cli_usage_error("statement", "--year goes without -p and --all");
  if (strcmp(language, "nl") && strcmp(language, "en"))
    return cli_usage_error("statement", "unknown language '%s' (expected nl or en)", language);
  char january[16];
  uint32_t period = 0;
  snprintf(january, sizeof january, "%s-01", year_text);
  if (strlen(year_text) != 4 || ledger_period_parse(january, &period))
    return cli_usage_error("statement", "invalid year '%s' (expected YYYY)", year_text);
  if (cli_year_not_future(period / 100))
    return CLI_EXIT_USAGE;
  char member_id[CLI_MEMBER_ID_BYTES];
  if (member && !(member = cli_member_arg(dir, member, member_id)))
    return CLI_EXIT_FAILURE;
  return show_year(dir, member, period / 100, format, !strcmp(language, "en"), final);
}

int cli_cmd_statement(int argc, char **argv)
{
  bool reissuing = argc > 1 && !strcmp(argv[1], "reissue");
  if (reissuing) {
    argc--;
    argv++;
  }
  static const cli_spec spec = {"statement", usage, 0, 0};
  const char *member = NULL, *period_text = NULL, *language = "nl", *output = NULL;
  const char *year_text = NULL;
  int all = 0, final = 0;
  const cli_option options[] = {
      CLI_VALUE("member", 0, "ID", &member, "the member: id, client ref or name"),
      CLI_VALUE("period", 'p', "MONTH", &period_text, "the month, YYYY-MM"),
      CLI_VALUE("output", 'O', "FORMAT", &output, "txt (default), json or html"),
      CLI_VALUE("lang", 0, "LANGUAGE", &language, "nl (default) or en"),
      CLI_FLAG("all", 0, &all, "the history: the statement in force, then those it replaced"),
      CLI_VALUE("year", 0, "YYYY", &year_text, "the year statement (jaaropgave) of a year"),
      CLI_FLAG("final", 0, &final, "with --year: refuse a year that has open months"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  int format = CLI_FORMAT_TEXT;
  if (output && parse_output(output, &format))
    return CLI_EXIT_USAGE;
  if (args.argc)
    return cli_usage_error("statement", "unexpected argument '%s'", args.argv[0]);
  const char *dir = args.dir;
  if (year_text && !reissuing)
    return year_command(dir, member, year_text, format, language, period_text || all,
                        final != 0);
  if (final)
    return cli_usage_error("statement", "--final goes with --year");
  if (!period_text || (!member && reissuing))
    return cli_usage_error("statement", "--member and -p YYYY-MM are required");
  if (strcmp(language, "nl") && strcmp(language, "en"))
    return cli_usage_error("statement", "unknown language '%s' (expected nl or en)", language);
  uint32_t period = 0;
  if (ledger_period_parse(period_text, &period)) {
    cli_error("invalid month '%s' (expected YYYY-MM)", period_text);
    return CLI_EXIT_USAGE;
  }
  char member_id[CLI_MEMBER_ID_BYTES];
  if (member && !(member = cli_member_arg(dir, member, member_id)))
    return CLI_EXIT_FAILURE;
  if (reissuing)
    return reissue(dir, member, period);
  return show(dir, member, period, format, !strcmp(language, "en"), all != 0);
}
