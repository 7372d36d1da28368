/* coop statement: a member's monthly statement, for the member and the
 * municipality to read: Dutch by default, English on request. */
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

static const char usage[] =
    "usage: coop statement --member ID -p YYYY-MM [-O txt|json|html] [--lang nl|en] [--all]\n"
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
    "         'coop period close' reissues what they changed.\n";

#define FORMAT_HTML 3

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

/* Prints text padded to `width` columns; UTF-8 continuation bytes take no
 * column ("coöperatie" is 10 columns in 11 bytes). */
static void print_padded(const char *text, int width)
{
  int columns = 0;
  for (const char *c = text; *c; c++)
    columns += ((unsigned char)*c & 0xC0) != 0x80;
  fputs(text, stdout);
  for (; columns < width; columns++)
    fputc(' ', stdout);
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
    print_padded(lines[i].label, lines[i].indent ? 30 : 32);
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
  coop_err err = ledger_books_member_at(opened->store, member_id, out->period, &out->member, NULL);
  if (!err)
    err = ledger_books_statement(opened->store, member_id, out->period, 0, out->statement,
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
  else if (err == COOP_E_NOT_FOUND)
    cli_error("no statement for %s%s%s in %s readable on this node (is the month closed, and has "
              "this node synced with the coop?)", member_id ? "member '" : "your membership",
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

/* -O: the common txt and json, or html. */
static int parse_output(const char *text, int *format)
{
  if (!strcmp(text, "html")) {
    *format = FORMAT_HTML;
    return 0;
  }
  cli_format parsed;
  if (cli_parse_format(text, CLI_TXT_JSON, &parsed))
    return -1;
  *format = (int)parsed;
  return 0;
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
  int all = 0;
  const cli_option options[] = {
      CLI_VALUE("member", 0, "ID", &member, "the member: id, client ref or name"),
      CLI_VALUE("period", 'p', "MONTH", &period_text, "the month, YYYY-MM"),
      CLI_VALUE("output", 'O', "FORMAT", &output, "txt (default), json or html"),
      CLI_VALUE("lang", 0, "LANGUAGE", &language, "nl (default) or en"),
      CLI_FLAG("all", 0, &all, "the history: the statement in force, then those it replaced"),
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
