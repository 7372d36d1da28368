/* coop member: enrol members, list them, show one, record status changes. */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/base/hex.h"
#include "ledger/books/money.h"
#include "node/audit.h"
#include "node/books.h"
#include "node/wording.h"

static const char usage[] =
    "usage: coop member add (--name NAME | --name-file FILE) --municipality KEY\n"
    "                       (--client-ref REF | --client-ref-file FILE)\n"
    "                       [--member-key KEY] [--birth YYYY-MM] [--not-a-bsn]\n"
    "       coop member list [-O txt|json]\n"
    "       coop member show ID [-p YYYY-MM] [-O txt|json]\n"
    "       coop member set ID --from YYYY-MM (--birth YYYY-MM | --n-approved yes|no |\n"
    "                       --medical-limit yes|no | --single-parent yes|no | --left)\n"
    "                       [--retroactive]\n"
    "       coop member set ID [--name NAME] [--client-ref REF] [--member-key KEY]\n"
    "       coop member set ID --municipality KEY --from YYYY-MM [--client-ref REF]\n"
    "       coop member view [ID] [-O txt|json] [--lang nl|en]\n"
    "       coop member erase ID --reason TEXT [--before-retention]  (see its --help)\n"
    "       coop member export-data [ID] [-O txt|json]\n"
    "\n"
    "add   enrols a member and prints their short member id (m-xxxxxx).  KEY is the\n"
    "      municipality's node key (64 hex digits, from 'coop id' on its node) or\n"
    "      the name of its [peer] section in node.conf; this node must know it as a\n"
    "      municipality (its log imported with 'coop log import', or a peer added\n"
    "      with 'coop peer add ... --role municipality').  A REF already given to\n"
    "      a member of that municipality who has not left is refused.  REF\n"
    "      is the municipality's own client number or an agreed pseudonym, never a\n"
    "      BSN: a 9-digit REF that passes the 11-check is refused unless you confirm\n"
    "      with --not-a-bsn.  Everything about the member is sealed so that only the\n"
    "      coop, that municipality and (with --member-key) the member can read it.\n"
    "      Other users of this computer can see command lines (ps): to keep NAME\n"
    "      and REF out of them, give '-' to read one of them from standard input\n"
    "      (--name -), or read it from a file (--name-file FILE, --client-ref-file\n"
    "      FILE).  Only one can be '-'.  One trailing newline is removed; an empty\n"
    "      value is refused.\n"
    "list  every member: id, name, client ref, municipality fingerprint.\n"
    "show  one member: details, status in a month (default: this month), balances.\n"
    "set   records a status fact from a month on: birth month (for age), the\n"
    "      municipality's approval of disregard n, medically limited hours, single\n"
    "      parent with a child under 12, or leaving.  History is kept: a later fact\n"
    "      overrides an earlier one from its month on.  A fact from a closed month\n"
    "      in which the member has a statement changes those statements: it needs\n"
    "      --retroactive (without it coop names the months and writes nothing), and\n"
    "      those months are reissued at the next 'coop period close'.\n"
    "      With --name, --client-ref or --member-key instead: the member's details\n"
    "      from now on (new statements name her so; earlier ones keep theirs).  The\n"
    "      same checks as 'add'; '-' and the -file options work here too.\n"
    "      With --municipality KEY --from YYYY-MM: she moves to that municipality\n"
    "      from that month (an open one) on.  Her months from then on are sealed\n"
    "      for the coop, the new municipality and her own key only, computed with\n"
    "      its rules from fresh counters and judged by it; earlier months stay\n"
    "      with the old one.  Her client ref stays unless --client-ref gives the\n"
    "      new municipality's (it must be free there).  Record the move before\n"
    "      her records of its months.\n"
    "view  a member's own months, from the logs this node holds: earned, costs, the\n"
    "      coop's share, what goes to the municipality and to the development\n"
    "      budget, what was spent from it, and the municipality's verdict.  On a\n"
    "      member's own node (coop init --role member, synced with the coop) no ID\n"
    "      is needed: it shows the member whose key the node holds, and nobody\n"
    "      else's data can be read with that key.  Dutch (--lang en: English).\n"
    "export-data  everything this node holds about a member, for her own copy\n"
    "      (GDPR art. 15 and 20): her details with their history, status facts,\n"
    "      municipality, records, every statement with the municipality's verdict,\n"
    "      and which nodes hold the keys to her data.  Text (Dutch, English beside)\n"
    "      or JSON (-O json, amounts in cents).  On her own node no ID is needed.\n";

typedef struct member_options {
  const char *municipality, *member_key, *birth, *from, *period, *lang;
  cli_value name, client_ref; /* personal data: also from standard input or a file */
  const char *set_value;
  int set_field, not_a_bsn, field_count, retroactive;
  cli_args args;
} member_options;

/* A status option of 'member set': which field it sets. */
typedef struct field_option {
  member_options *options;
  int field;
} field_option;

/* Each status option given counts: 'member set' takes exactly one. */
static int take_field(void *context, const char *value)
{
  const field_option *option = context;
  member_options *options = option->options;
  options->set_field = option->field;
  options->set_value = value ? value : "yes"; /* --left takes no value */
  if (option->field == LEDGER_MEMBER_BIRTH)
    options->birth = value;
  options->field_count++;
  return 0;
}

static int parse_options(int argc, char **argv, member_options *options)
{
  static const cli_spec spec = {"member", usage, CLI_TXT_JSON, 0};
  field_option fields[] = {{options, LEDGER_MEMBER_BIRTH}, {options, LEDGER_MEMBER_N_APPROVED},
                           {options, LEDGER_MEMBER_MEDICAL_LIMIT},
                           {options, LEDGER_MEMBER_SINGLE_PARENT}, {options, LEDGER_MEMBER_LEFT}};
  const cli_option table[] = {
      CLI_VALUE("name", 0, "NAME", &options->name.text, "add: the member's name ('-': stdin)"),
      CLI_VALUE("name-file", 0, "FILE", &options->name.file, "add: read the name from FILE"),
      CLI_VALUE("municipality", 0, "KEY", &options->municipality,
                "add: the municipality's key or peer name"),
      CLI_VALUE("client-ref", 0, "REF", &options->client_ref.text,
                "add: the municipality's client ref ('-': stdin)"),
      CLI_VALUE("client-ref-file", 0, "FILE", &options->client_ref.file,
                "add: read the client ref from FILE"),
      CLI_VALUE("member-key", 0, "KEY", &options->member_key, "add: the member's own node key"),
      CLI_EACH("birth", "YYYY-MM", take_field, &fields[0], "add, set: birth month"),
      CLI_FLAG("not-a-bsn", 0, &options->not_a_bsn, "add: REF looks like a BSN but is not"),
      CLI_VALUE("from", 0, "YYYY-MM", &options->from, "set: the first month it holds"),
      CLI_EACH("n-approved", "yes|no", take_field, &fields[1], "set: disregard n approved"),
      CLI_EACH("medical-limit", "yes|no", take_field, &fields[2], "set: medically limited hours"),
      CLI_EACH("single-parent", "yes|no", take_field, &fields[3],
               "set: single parent with a child under 12"),
      CLI_EACH("left", NULL, take_field, &fields[4], "set: the member left"),
      CLI_FLAG("retroactive", 0, &options->retroactive,
               "set: the fact reaches into closed months (they are reissued)"),
      CLI_VALUE("period", 'p', "YYYY-MM", &options->period, "show: the month (default: this one)"),
      CLI_VALUE("lang", 0, "LANGUAGE", &options->lang, "view: nl (default) or en"),
      CLI_END};
  return cli_parse(&spec, table, argc, argv, &options->args);
}

static int parse_period_option(const char *text, const char *what, uint32_t *period)
{
  if (ledger_period_parse(text, period) != COOP_OK) {
    cli_error("%s '%s' is not a month (expected YYYY-MM)", what, text);
    return -1;
  }
  return 0;
}

/* The member's name and client ref, from the command line, standard input
 * or files.  CLI_EXIT_OK, or the error is printed. */
static int read_name_and_ref(member_options *options, const char **name, const char **client_ref)
{
  cli_value *values[] = {&options->name, &options->client_ref};
  int code = cli_values_check(values, 2, "member");
  if (!code)
    code = cli_value_get(&options->name, COOP_NAME_BYTES_MAX, name);
  if (!code)
    code = cli_value_get(&options->client_ref, LEDGER_CLIENT_REF_BYTES_MAX, client_ref);
  return code;
}

static int given(const cli_value *value)
{
  return value->text || value->file;
}

static int member_add(member_options *options)
{
  if (!given(&options->name) || !options->municipality || !given(&options->client_ref))
    return cli_usage_error("member", "'member add' needs --name, --municipality and --client-ref");
  const char *name = NULL, *client_ref = NULL;
  int code = read_name_and_ref(options, &name, &client_ref);
  if (code)
    return code;
  node_member_request request = {.name = name, .client_ref = client_ref,
                                 .client_ref_is_not_a_bsn = options->not_a_bsn,
                                 .from_period = node_today() / 100};
  if (options->member_key) {
    request.has_member_key = 1;
    if (cli_parse_key(options->member_key, "--member-key", request.member_key))
      return CLI_EXIT_USAGE;
  }
  if (options->birth && parse_period_option(options->birth, "--birth", &request.birth_period))
    return CLI_EXIT_USAGE;
  if (request.birth_period > request.from_period)
    request.from_period = request.birth_period;
  node opened;
  if (cli_open_node(options->args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char member_id[LEDGER_MEMBER_ID_CHARS + 1], message[NODE_MESSAGE_BYTES];
  coop_err err = node_municipality_key(&opened, options->municipality, request.municipality,
                                       message);
  if (!err)
    err = node_member_add(&opened, &request, member_id, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  printf("%s\n", member_id);
  return CLI_EXIT_OK;
}

typedef struct member_listing {
  node *node;
  cli_rows rows;
  /* The last municipality named: members come in runs of one or two
   * municipalities, and naming one reads its log's first entry. */
  uint8_t party_key[LEDGER_PUBLIC_KEY_BYTES];
  char party[NODE_PARTY_TEXT_BYTES];
} member_listing;

static coop_err list_one(void *context, const ledger_member_row *row)
{
  member_listing *listing = context;
  char municipality[65];
  ledger_hex_encode(row->municipality, 32, municipality);
  if (listing->rows.format != CLI_FORMAT_JSON) {
    /* People see names, with the fingerprint beside. */
    if (!listing->party[0] ||
        memcmp(listing->party_key, row->municipality, sizeof listing->party_key)) {
      memcpy(listing->party_key, row->municipality, sizeof listing->party_key);
      node_party_text(listing->node, row->municipality, listing->party);
    }
    printf("%-9s  %-30s  %-16s  %s\n", row->member_id, row->name, row->client_ref, listing->party);
    return COOP_OK;
  }
  return cli_rows_json(&listing->rows,
                       json_pack("{s:s, s:s, s:s, s:s, s:I}", "member_id", row->member_id, "name",
                                 row->name, "client_ref", row->client_ref, "municipality",
                                 municipality, "entry_index", (json_int_t)row->entry_index));
}

static int member_list(const member_options *options)
{
  node opened;
  if (cli_open_books(options->args.dir, &opened))
    return CLI_EXIT_FAILURE;
  member_listing listing = {.node = &opened};
  cli_rows_begin(&listing.rows, options->args.format, NULL);
  if (options->args.format != CLI_FORMAT_JSON)
    printf("%-9s  %-30s  %-16s  %s\n", "member", "name", "client ref", "municipality");
  coop_err err = node_members(&opened, NULL, list_one, &listing);
  node_close(&opened);
  return cli_rows_end(&listing.rows, err, "list members");
}

typedef struct balance_collector {
  json_t *array;
} balance_collector;

static coop_err collect_balance(void *context, const char *account, int64_t amount_cents)
{
  balance_collector *collector = context;
  return json_array_append_new(collector->array,
                               json_pack("{s:s, s:I}", "account", account, "amount_cents",
                                         (json_int_t)amount_cents))
             ? COOP_E_NOMEM
             : COOP_OK;
}

static json_t *member_json(node *opened, const ledger_member_row *row, uint32_t period,
                           const ledger_member_status *status)
{
  char municipality[65], period_text[8], birth[8] = "";
  ledger_hex_encode(row->municipality, 32, municipality);
  ledger_period_format(period, period_text);
  if (status->birth_period)
    ledger_period_format(status->birth_period, birth);
  balance_collector collector = {json_array()};
  ledger_books_query query = {.member_id = row->member_id};
  if (!collector.array || node_balances(opened, &query, collect_balance, &collector))
    return NULL;
  char party[NODE_PARTY_TEXT_BYTES];
  node_party_text(opened, row->municipality, party);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:{s:s?, s:b, s:b, s:b, s:b}, s:o}",
                   "member_id", row->member_id, "name", row->name, "client_ref",
                   row->client_ref, "municipality", municipality, "municipality_name", party,
                   "entry_index",
                   (json_int_t)row->entry_index, "period", period_text, "status", "birth",
                   birth[0] ? birth : NULL, "n_approved", status->n_approved, "medical_limit",
                   status->medical_limit, "single_parent", status->single_parent, "left",
                   status->left, "balances", collector.array);
}

static void print_member_text(json_t *member)
{
  json_t *status = json_object_get(member, "status");
  printf("member:       %s\nname:         %s\nclient ref:   %s\nmunicipality: %s\n",
         json_string_value(json_object_get(member, "member_id")),
         json_string_value(json_object_get(member, "name")),
         json_string_value(json_object_get(member, "client_ref")),
         json_string_value(json_object_get(member, "municipality_name")));
  const char *birth = json_string_value(json_object_get(status, "birth"));
  printf("status in %s: born %s%s%s%s%s\n",
         json_string_value(json_object_get(member, "period")), birth ? birth : "(unknown)",
         json_is_true(json_object_get(status, "n_approved")) ? ", disregard n approved" : "",
         json_is_true(json_object_get(status, "medical_limit")) ? ", medically limited hours" : "",
         json_is_true(json_object_get(status, "single_parent")) ? ", single parent" : "",
         json_is_true(json_object_get(status, "left")) ? ", left the coop" : "");
  size_t i;
  json_t *balance;
  json_array_foreach(json_object_get(member, "balances"), i, balance) {
    char amount[LEDGER_MONEY_TEXT_BYTES];
    ledger_money_format(json_integer_value(json_object_get(balance, "amount_cents")), amount);
    printf("  %14s  %s\n", amount, json_string_value(json_object_get(balance, "account")));
  }
}

static int member_show(const member_options *options, const char *member_id)
{
  uint32_t period = node_today() / 100;
  if (options->period && parse_period_option(options->period, "-p", &period))
    return CLI_EXIT_USAGE;
  node opened;
  if (cli_open_books(options->args.dir, &opened))
    return CLI_EXIT_FAILURE;
  ledger_member_row row;
  ledger_member_status status;
  /* Her municipality and client ref of that month (she may have moved). */
  coop_err err = node_member_at(&opened, member_id, period, &row, &status);
  json_t *member = err ? NULL : member_json(&opened, &row, period, &status);
  node_close(&opened);
  if (err == COOP_E_NOT_FOUND) {
    cli_error("unknown member '%s' (see 'coop member list')", member_id);
    return CLI_EXIT_FAILURE;
  }
  if (err || !member) {
    cli_error("cannot read member '%s': %s", member_id, coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  if (options->args.format == CLI_FORMAT_JSON)
    return cli_print_json(member);
  print_member_text(member);
  json_decref(member);
  return CLI_EXIT_OK;
}

static int parse_yes_no(const char *text, uint32_t *value)
{
  if (!strcmp(text, "yes") || !strcmp(text, "no")) {
    *value = !strcmp(text, "yes");
    return 0;
  }
  cli_error("expected 'yes' or 'no', got '%s'", text);
  return -1;
}

/* 'member set ID --name/--client-ref/--member-key': her details from now. */
static int member_details(member_options *options, const char *member_id)
{
  if (options->field_count || options->from || options->retroactive)
    return cli_usage_error("member", "'member set' changes details (--name, --client-ref, "
                                     "--member-key) or one fact with --from, not both");
  node_member_request changes = {.client_ref_is_not_a_bsn = options->not_a_bsn};
  cli_value *values[] = {&options->name, &options->client_ref};
  int code = cli_values_check(values, 2, "member");
  if (!code && given(&options->name))
    code = cli_value_get(&options->name, COOP_NAME_BYTES_MAX, &changes.name);
  if (!code && given(&options->client_ref))
    code = cli_value_get(&options->client_ref, LEDGER_CLIENT_REF_BYTES_MAX, &changes.client_ref);
  if (code)
    return code;
  if (options->member_key) {
    changes.has_member_key = 1;
    if (cli_parse_key(options->member_key, "--member-key", changes.member_key))
      return CLI_EXIT_USAGE;
  }
  node opened;
  if (cli_open_node(options->args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_member_details(&opened, member_id, &changes, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  printf("recorded new details of %s: from now on\n", member_id);
  return CLI_EXIT_OK;
}

/* 'member set ID --municipality KEY --from YYYY-MM [--client-ref REF]':
 * she moves there from that month on. */
static int member_move(member_options *options, const char *member_id)
{
  if (!options->from || options->field_count || given(&options->name) || options->member_key)
    return cli_usage_error("member", "a move is 'member set ID --municipality KEY --from "
                                     "YYYY-MM [--client-ref REF]', with no other fact or detail");
  if (options->retroactive)
    return cli_usage_error("member", "a move takes effect from an open month: it cannot reach "
                                     "back into closed months (--retroactive)");
  uint32_t from = 0;
  if (parse_period_option(options->from, "--from", &from))
    return CLI_EXIT_USAGE;
  const char *client_ref = NULL;
  cli_value *values[] = {&options->client_ref};
  int code = cli_values_check(values, 1, "member");
  if (!code && given(&options->client_ref))
    code = cli_value_get(&options->client_ref, LEDGER_CLIENT_REF_BYTES_MAX, &client_ref);
  if (code)
    return code;
  node opened;
  if (cli_open_node(options->args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES], party[NODE_PARTY_TEXT_BYTES] = "";
  uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES];
  coop_err err = node_municipality_key(&opened, options->municipality, municipality, message);
  if (!err)
    err = node_member_move(&opened, member_id, municipality, from, client_ref,
                           options->not_a_bsn, message);
  if (!err)
    node_party_text(&opened, municipality, party);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  printf("recorded the move of %s to municipality %s from %s\n", member_id, party,
         options->from);
  return CLI_EXIT_OK;
}

/* A fact that is already in force from its month: nothing is appended (a
 * second copy would only lengthen the log).  The administrator reads it:
 * Dutch first, English beside, as the command's other messages. */
static int fact_already_so(const member_options *options, const char *member_id)
{
  const char *field = ledger_member_field_name((uint8_t)options->set_field);
  if (options->set_field == LEDGER_MEMBER_BIRTH) { /* true for all time: no "from" */
    printf("al zo: %s van %s is al %s, niets vastgelegd / already so: %s of %s is %s already, "
           "nothing recorded\n",
           field, member_id, options->birth, field, member_id, options->birth);
    return CLI_EXIT_OK;
  }
  printf("al zo: %s van %s is vanaf %s al '%s', niets vastgelegd / already so: %s of %s is "
         "'%s' from %s already, nothing recorded\n",
         field, member_id, options->from, options->set_value, field, member_id,
         options->set_value, options->from);
  return CLI_EXIT_OK;
}

static int member_set(member_options *options, const char *member_id)
{
  if (options->municipality)
    return member_move(options, member_id);
  if (given(&options->name) || given(&options->client_ref) || options->member_key)
    return member_details(options, member_id);
  if (options->field_count != 1 || !options->from)
    return cli_usage_error("member", "'member set' needs --from and exactly one fact to set, or "
                                     "--name, --client-ref or --member-key");
  uint32_t from = 0, value = 0;
  if (parse_period_option(options->from, "--from", &from))
    return CLI_EXIT_USAGE;
  if (options->set_field == LEDGER_MEMBER_BIRTH) {
    if (parse_period_option(options->birth, "--birth", &value))
      return CLI_EXIT_USAGE;
  } else if (parse_yes_no(options->set_value, &value)) {
    return CLI_EXIT_USAGE;
  }
  node opened;
  if (cli_open_node(options->args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES];
  bool holds = false;
  coop_err err = node_member_fact_holds(&opened, member_id, (uint8_t)options->set_field, from,
                                        value, &holds);
  if (err)
    snprintf(message, sizeof message, "cannot read the status of %s: %s", member_id,
             coop_err_message(err));
  else if (!holds)
    err = node_member_set(&opened, member_id, (uint8_t)options->set_field, from, value,
                          options->retroactive, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  if (holds)
    return fact_already_so(options, member_id);
  printf("recorded %s of %s from %s\n", ledger_member_field_name((uint8_t)options->set_field),
         member_id, options->from);
  if (options->retroactive)
    printf("the closed months it changes are reissued at the next 'coop period close'\n");
  return CLI_EXIT_OK;
}

typedef struct view_output {
  cli_format format;
  node *node;   /* open while the months are visited: names the municipalities */
  bool english; /* the text: Dutch unless --lang en (the member reads it) */
  json_t *months;
  size_t count;
  uint8_t municipality[LEDGER_PUBLIC_KEY_BYTES]; /* the last month's */
} view_output;

static const char *view_say(const view_output *output, const char *dutch, const char *english)
{
  return output->english ? english : dutch;
}

/* JSON keeps the English status names scripts match on. */
static coop_err view_month_json(view_output *output, const node_member_month *month,
                                const char *verdict, const char *period)
{
  const ledger_offset_statement *f = &month->figures;
  json_t *item = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "member",
                           month->member_id, "name", month->name, "coop", month->coop_name,
                           "period", period, "earned", (json_int_t)month->earned_cents, "costs",
                           (json_int_t)month->costs_cents, "budget_spent",
                           (json_int_t)month->budget_spent_cents, "verdict", verdict);
  json_object_set_new(item, "municipality", cli_hex_json(month->municipality, 32));
  if (month->has_statement) {
    json_object_set_new(item, "statement_index", json_integer((json_int_t)month->statement_index));
    json_object_set_new(item, "coop_share", json_integer(f->coop_share_cents));
    json_object_set_new(item, "to_municipality", json_integer(f->to_municipality_cents));
    json_object_set_new(item, "to_budget", json_integer(f->to_budget_cents));
    json_object_set_new(item, "offset", json_integer(f->offset_cents));
    json_object_set_new(item, "benefit", json_integer(f->benefit_cents));
  }
  json_array_append_new(output->months, item);
  return COOP_OK;
}

/* Euros as in the jaaropgave's table: "1234,56" in Dutch, "1234.56" in English. */
static void view_money(const view_output *output, int64_t cents, char out[LEDGER_MONEY_TEXT_BYTES])
{
  ledger_money_format(cents, out);
  if (!output->english)
    for (char *c = out; *c; c++)
      if (*c == '.')
        *c = ',';
}

/* The table's head, spelled out: printf counts the bytes of "ö", not columns. */
static void view_head(const view_output *output)
{
  if (output->english)
    printf("%-14s %12s %12s %12s %12s %12s %12s  %s\n", "month", "earned", "costs", "coop share",
           "to munic.", "to budget", "spent", "municipality");
  else
    printf("%-14s %12s %12s %13s %12s %12s %12s  %s\n", "maand", "verdiend", "kosten",
           "coöperatie", "gemeente", "ontw.budget", "besteed", "oordeel gemeente");
}

static coop_err view_month(void *context, const node_member_month *month)
{
  view_output *output = context;
  output->count++;
  const ledger_offset_statement *f = &month->figures;
  char period[8];
  ledger_period_format(month->period, period);
  if (output->format == CLI_FORMAT_JSON)
    return view_month_json(output, month, month->has_statement
                                              ? node_audit_status_name(month->found.status)
                                              : "no statement yet", period);
  const char *verdict = month->has_statement
                            ? node_verdict_name(month->found.status, output->english)
                            : view_say(output, "nog geen verrekening", "no statement yet");
  if (output->count == 1) {
    printf("%s (%s), %s\n", month->name, month->member_id, month->coop_name);
    view_head(output);
  }
  /* A move: the municipality of the months from here on. */
  if (output->count > 1 &&
      memcmp(output->municipality, month->municipality, sizeof output->municipality)) {
    char party[NODE_PARTY_TEXT_BYTES]; /* her new municipality by name, fingerprint beside */
    node_party_text(output->node, month->municipality, party);
    printf("%s %s: %s %s\n", view_say(output, "vanaf", "from"), period,
           view_say(output, "gemeente", "municipality"), party);
  }
  memcpy(output->municipality, month->municipality, sizeof output->municipality);
  char amounts[6][LEDGER_MONEY_TEXT_BYTES], month_text[NODE_MONTH_TEXT_BYTES];
  node_month_text(month->period, output->english, month_text);
  view_money(output, month->earned_cents, amounts[0]);
  view_money(output, month->costs_cents, amounts[1]);
  view_money(output, f->coop_share_cents, amounts[2]);
  view_money(output, f->to_municipality_cents, amounts[3]);
  view_money(output, f->to_budget_cents, amounts[4]);
  view_money(output, month->budget_spent_cents, amounts[5]);
  printf("%-14s %12s %12s %12s %12s %12s %12s  %s\n", month_text, amounts[0], amounts[1],
         month->has_statement ? amounts[2] : "-", month->has_statement ? amounts[3] : "-",
         month->has_statement ? amounts[4] : "-", amounts[5], verdict);
  return COOP_OK;
}

static int member_view(const member_options *options, const char *member_id)
{
  const char *lang = options->lang ? options->lang : "nl";
  if (strcmp(lang, "nl") && strcmp(lang, "en"))
    return cli_usage_error("member", "unknown language '%s' (expected nl or en)", lang);
  node opened;
  if (cli_open_node(options->args.dir, &opened))
    return CLI_EXIT_FAILURE;
  view_output output = {.format = options->args.format,
                        .node = &opened,
                        .english = !strcmp(lang, "en"),
                        .months = json_array()};
  coop_err err = node_member_months(&opened, member_id, view_month, &output);
  node_close(&opened);
  if (err) {
    json_decref(output.months);
    cli_error("cannot read the member's months: %s", coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  if (output.format == CLI_FORMAT_JSON && output.count)
    return cli_print_json(output.months);
  json_decref(output.months);
  if (!output.count) {
    /* The member (or an officer) reads this: Dutch first, English beside. */
    if (member_id)
      cli_error("geen maanden van lid '%s' leesbaar op deze node / no months of member '%s' "
                "readable on this node", member_id, member_id);
    else
      cli_error("geen gegevens van u leesbaar met de sleutel van deze node / no member data "
                "readable with this node's key: is this a member's node "
                "(coop init --role member) whose key the coop enrolled (--member-key), and has it "
                "synced with the coop ('coop sync')?");
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

int cli_cmd_member(int argc, char **argv)
{
  if (argc >= 2 && !strcmp(argv[1], "erase"))
    return cli_member_erase(argc - 1, argv + 1);
  member_options options = {0};
  cli_value_init(&options.name, "--name");
  cli_value_init(&options.client_ref, "--client-ref");
  int status = parse_options(argc, argv, &options);
  if (status != CLI_GO)
    return status;
  int positional = options.args.argc;
  char **operands = options.args.argv;
  const char *action = positional ? operands[0] : "";
  if (!strcmp(action, "add") && positional == 1) {
    int code = member_add(&options);
    cli_value_release(&options.name);
    cli_value_release(&options.client_ref);
    return code;
  }
  if (!strcmp(action, "list") && positional == 1)
    return member_list(&options);
  char member_id[CLI_MEMBER_ID_BYTES];
  const char *who = positional == 2 ? operands[1] : NULL;
  bool named = (!strcmp(action, "show") || !strcmp(action, "set") || !strcmp(action, "view") ||
                !strcmp(action, "export-data")) &&
               who;
  if (named && !(who = cli_member_arg(options.args.dir, who, member_id)))
    return CLI_EXIT_FAILURE;
  if (!strcmp(action, "show") && positional == 2)
    return member_show(&options, who);
  if (!strcmp(action, "set") && positional == 2)
    return member_set(&options, who);
  if (!strcmp(action, "view") && (positional == 1 || positional == 2))
    return member_view(&options, who);
  if (!strcmp(action, "export-data") && (positional == 1 || positional == 2))
    return cli_member_export_data(options.args.dir, options.args.format, who);
  return cli_usage_error("member", "expected 'add', 'list', 'show ID', 'set ID', 'view [ID]' or "
                                   "'export-data [ID]'");
}
