/* coop rules: a municipality's offset rule sets on its log.
 *
 *   coop rules publish FILE          append a rule set (municipality nodes)
 *   coop rules list [--log KEY]      the rule sets on a log
 *   coop rules show [INDEX]          one rule set in full
 *
 * A rule set is a public LEDGER_KIND_RULE_SET entry whose payload is the
 * binary encoding of ledger/offset/offset_codec.h; its leaf hash is its identity.
 * The JSON a user writes and reads is only the exchange format. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "node/rules.h"
#include "cli/offset_json.h"
#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/base/hex.h"
#include "ledger/books/rule_sets.h"
#include "ledger/log/entry.h"
#include "ledger/offset/offset.h"
#include "ledger/offset/offset_codec.h"
#include "node/logs.h"
#include "node/node.h"
#include "node/wording.h"

/* Largest rule set file.  A rule set is about 600 bytes of JSON; the bound
 * keeps a mistaken input (a log, a disk image, an endless pipe) from being
 * read into memory whole. */
#define RULES_FILE_BYTES_MAX (64u * 1024u)
#define RULES_FILE_LIMIT_TEXT "64 KiB"

static const char rules_usage[] =
    "usage: coop rules <subcommand> [options]\n"
    "\n"
    "Offset rule sets: a municipality publishes one on its log each time its\n"
    "rules change (the caps change on 1 January and 1 July).  The rule set in\n"
    "force for a month is the one with the latest effective_from on or before it.\n"
    "\n"
    "subcommands:\n"
    "  publish FILE   publish a rule set (municipality nodes only)\n"
    "  list           list the rule sets on a log\n"
    "  show [INDEX]   print one rule set in full\n"
    "\n"
    "See 'coop rules <subcommand> --help'.\n";

static const char publish_usage[] =
    "usage: coop rules publish FILE [--dir DIR]\n"
    "\n"
    "Publishes the offset rule set in FILE (- for standard input) on this\n"
    "municipality's log: a public, signed entry that coops holding the log use\n"
    "for their members' statements.  Only a municipality node publishes.\n"
    "\n"
    "FILE holds one JSON object with every field of a rule set, amounts in euro\n"
    "cents and percentages in basis points (2500 = 25 %), at most " RULES_FILE_LIMIT_TEXT ":\n"
    "  {\"municipality\": \"Breda\", \"effective_from\": \"2026-01\", \"regime\": \"PW2015\",\n"
    "   \"norm\": 140150, \"coop_pct\": 1000, \"distribution\": \"STATUTORY\",\n"
    "   \"muni_pct\": 0, \"loss_rule\": \"FLOOR_ZERO\", \"min_age_nrk\": 27,\n"
    "   \"pct_n\": 2500, \"cap_n\": 28500, \"n_months\": 6,\n"
    "   \"pct_r\": 1250, \"cap_r\": 17766, \"r_months\": 30,\n"
    "   \"pct_y\": 1500, \"cap_y\": 18019, \"pct_34a\": 1500, \"months_34a\": 12,\n"
    "   \"k_month\": 22000, \"k_year\": 220000}\n"
    "'coop rules show -O json' prints one in this form.  Rule sets are versioned\n"
    "by effective_from: a log holds at most one per month, and a published one is\n"
    "never changed; to change the rules, publish one with a later effective_from.\n";

static const char list_usage[] =
    "usage: coop rules list [--log KEY] [-O txt|json] [--dir DIR]\n"
    "\n"
    "Lists the rule sets published on this node's log, or on the log KEY that\n"
    "this node holds, in log order: one line each with the entry index,\n"
    "effective_from, municipality, regime, distribution, norm (euros) and the\n"
    "entry's leaf hash, which identifies the rule set.\n"
    "With -O json: an array of objects with index, leaf_hash, effective_from,\n"
    "municipality and the whole rule set under rule_set.\n";

static const char show_usage[] =
    "usage: coop rules show [INDEX] [--log KEY] [-O txt|json] [--dir DIR]\n"
    "\n"
    "Prints the rule set at entry INDEX of this node's log (or of the log KEY),\n"
    "by default the one with the latest effective_from.  Text output gives\n"
    "amounts in euros; -O json prints exactly the JSON rule set, amounts in\n"
    "cents, which 'coop rules publish' and 'coop offset simulate' read.\n";

/* --dir given before the subcommand ("coop rules --dir D list"): the
 * subcommand's own --dir overrides it. */
static const char *dir_before_subcommand;

/* ---- Formatting ------------------------------------------------------------- */

/* Euros with two decimals from non-negative cents: "1401.50". */
static void format_euros(int64_t cents, char *text, size_t text_bytes)
{
  snprintf(text, text_bytes, "%" PRId64 ".%02" PRId64, cents / 100, cents % 100);
}

/* A percentage from basis points: "12.50 %". */
static void format_percent(int64_t basis_points, char *text, size_t text_bytes)
{
  snprintf(text, text_bytes, "%" PRId64 ".%02" PRId64 " %%", basis_points / 100,
           basis_points % 100);
}

/* ---- Reading the rule sets of a log ----------------------------------------- */

/* The rule sets of one log, in log order. */
typedef struct rule_list {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  ledger_offset_rule_set *rule_sets;
  uint64_t *entry_index;
  uint8_t (*leaf_hash)[LEDGER_HASH_BYTES];
  size_t count;
} rule_list;

static void rule_list_release(rule_list *list)
{
  coop_free(list->rule_sets);
  coop_free(list->entry_index);
  coop_free(list->leaf_hash);
  memset(list, 0, sizeof *list);
}

/* Says why the rule set at `index` could not be read. */
static void explain_bad_entry(node *opened, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                              uint64_t index, coop_err err)
{
  uint8_t header_bytes[LEDGER_ENTRY_HEADER_BYTES], leaf_hash[LEDGER_HASH_BYTES];
  ledger_entry_header header;
  size_t payload_bytes = 0;
  uint8_t *payload = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  const char *field = NULL;
  if (payload &&
      node_log_entry(opened, log_id, index, header_bytes, payload, &payload_bytes, leaf_hash) ==
          COOP_OK &&
      ledger_entry_header_decode(header_bytes, sizeof header_bytes, &header) == COOP_OK &&
      ledger_entry_is_public(&header)) {
    ledger_offset_rule_set ignored;
    if (ledger_offset_rule_set_decode_field(payload, payload_bytes, &ignored, &field) ==
        COOP_OK)
      field = NULL;
  }
  coop_free(payload);
  if (field)
    cli_error("entry %llu: the rule set does not decode: %s: %s", (unsigned long long)index,
              field, coop_err_message(err));
  else
    cli_error("entry %llu: the rule set cannot be read: %s", (unsigned long long)index,
              coop_err_message(err));
}

/* Reads every rule set on the log into `list` (released by the caller).
 * Prints the error and returns -1 on failure. */
static int read_rule_sets(node *opened, const uint8_t log_id[LEDGER_LOG_ID_BYTES], rule_list *list)
{
  memset(list, 0, sizeof *list);
  memcpy(list->log_id, log_id, LEDGER_LOG_ID_BYTES);
  list->rule_sets = coop_calloc(LEDGER_OFFSET_RULE_SETS_MAX, sizeof *list->rule_sets);
  list->entry_index = coop_calloc(LEDGER_OFFSET_RULE_SETS_MAX, sizeof *list->entry_index);
  list->leaf_hash = coop_calloc(LEDGER_OFFSET_RULE_SETS_MAX, sizeof *list->leaf_hash);
  if (!list->rule_sets || !list->entry_index || !list->leaf_hash) {
    cli_error("cannot read the rule sets: %s", coop_err_message(COOP_E_NOMEM));
    return -1;
  }
  coop_err err =
      node_rule_sets(opened, log_id, list->rule_sets, list->entry_index, list->leaf_hash,
                     LEDGER_OFFSET_RULE_SETS_MAX, &list->count);
  if (err == COOP_OK)
    return 0;
  if (err == COOP_E_LIMIT)
    cli_error("the log holds more than %u rule sets", (unsigned)LEDGER_OFFSET_RULE_SETS_MAX);
  else if (err == COOP_E_DECODE || err == COOP_E_VERSION || err == COOP_E_TRAILING)
    explain_bad_entry(opened, log_id, list->entry_index[list->count], err);
  else if (err == COOP_E_TAMPERED)
    cli_error("a stored entry does not decode; run 'coop verify'");
  else
    cli_error("cannot read the rule sets: %s (%s)", coop_err_message(err),
              node_store_error_message(opened));
  return -1;
}

/* The log named by --log (NULL: this node's own), which the store must hold.
 * Prints the error and returns -1 otherwise. */
static int choose_log(node *opened, const char *log_option,
                      const uint8_t log_key[LEDGER_LOG_ID_BYTES],
                      uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  if (!log_option) {
    memcpy(log_id, opened->identity.public_key, LEDGER_LOG_ID_BYTES);
    return 0;
  }
  memcpy(log_id, log_key, LEDGER_LOG_ID_BYTES);
  uint64_t size = 0;
  coop_err err = node_log_size(opened, log_id, &size);
  if (err != COOP_OK) {
    cli_error("cannot read the log: %s", coop_err_message(err));
    return -1;
  }
  if (size == 0) {
    cli_error("this node holds no log '%s'", log_option);
    return -1;
  }
  return 0;
}

/* ---- publish ------------------------------------------------------------------- */


/* Parses and checks one rule set object; errors name the field. */
static int parse_rule_set_text(const coop_buf *text, const char *name,
                               ledger_offset_rule_set *rule_set)
{
  json_error_t error;
  /* Duplicate keys are refused: {"cap_n": 1, "cap_n": 28500} has no one
   * meaning. */
  json_t *root = json_loadb((const char *)text->data, text->len, JSON_REJECT_DUPLICATES, &error);
  if (!root) {
    cli_error("%s: line %d, column %d: %s", name, error.line, error.column, error.text);
    return -1;
  }
  char message[LEDGER_OFFSET_MESSAGE_BYTES] = "";
  coop_err err = ledger_offset_json_parse_rule_set(root, "", rule_set, message, sizeof message);
  json_decref(root);
  if (err != COOP_OK) {
    cli_error("%s: %s", name, message);
    return -1;
  }
  /* JSON allows any string; the signed payload allows a display name. */
  const char *field = "?";
  if (ledger_offset_rule_set_payload_check(rule_set, &field) != COOP_OK) {
    if (!strcmp(field, "municipality"))
      cli_error("%s: municipality: must be a name without control characters", name);
    else
      cli_error("%s: %s: value out of range", name, field);
    return -1;
  }
  return 0;
}

static int publish(const char *dir, const char *path, const char *name)
{
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  int exit_code = CLI_EXIT_FAILURE;
  coop_buf text;
  coop_buf_init(&text, RULES_FILE_BYTES_MAX);
  ledger_offset_rule_set rule_set;
  char message[NODE_MESSAGE_BYTES];
  uint64_t index = 0;
  if (opened.role != LEDGER_ROLE_MUNICIPALITY) /* before reading the file: the first thing wrong */
    cli_error("only a municipality publishes rule sets; this is a %s node",
              ledger_role_name(opened.role));
  else if (cli_read_input(path, name, "a rule set file is at most " RULES_FILE_LIMIT_TEXT, &text) ||
           parse_rule_set_text(&text, name, &rule_set))
    ;
  else if (node_rule_set_publish(&opened, &rule_set, &index, message))
    cli_error("%s", message);
  else {
    char period[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
    ledger_offset_period_format(rule_set.effective_from, period);
    printf("published rule set for %s effective from %s as entry %llu\n", rule_set.municipality,
           period, (unsigned long long)index);
    exit_code = CLI_EXIT_OK;
  }
  coop_buf_release(&text);
  node_close(&opened);
  return exit_code;
}

static int cmd_publish(int argc, char **argv)
{
  static const cli_spec spec = {"rules publish", publish_usage, 0, 0};
  cli_args args = {.dir = dir_before_subcommand};
  int status = cli_parse(&spec, NULL, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc < 1)
    return cli_usage_error("rules publish", "missing FILE (a path, or - for stdin)");
  if (args.argc > 1)
    return cli_usage_error("rules publish", "unexpected argument '%s'", args.argv[1]);
  const char *path = args.argv[0];
  return publish(args.dir, path, strcmp(path, "-") ? path : "stdin");
}

/* ---- list ---------------------------------------------------------------------- */

static json_t *list_item_json(const rule_list *list, size_t i)
{
  char period[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(list->rule_sets[i].effective_from, period);
  return json_pack("{s:I, s:o, s:s, s:s, s:o}", "index", (json_int_t)list->entry_index[i],
                   "leaf_hash", cli_hex_json(list->leaf_hash[i], LEDGER_HASH_BYTES), "effective_from",
                   period, "municipality", list->rule_sets[i].municipality, "rule_set",
                   ledger_offset_rule_set_to_json(&list->rule_sets[i]));
}

static int print_list_json(const rule_list *list)
{
  json_t *array = json_array();
  for (size_t i = 0; array && i < list->count; i++) {
    if (json_array_append_new(array, list_item_json(list, i)) != 0) {
      json_decref(array);
      array = NULL;
    }
  }
  return cli_print_json(array);
}

static int print_list_text(const rule_list *list)
{
  for (size_t i = 0; i < list->count; i++) {
    const ledger_offset_rule_set *rule_set = &list->rule_sets[i];
    char period[LEDGER_OFFSET_PERIOD_TEXT_BYTES], norm[32], leaf_hex[2 * LEDGER_HASH_BYTES + 1];
    ledger_offset_period_format(rule_set->effective_from, period);
    format_euros(rule_set->norm_cents, norm, sizeof norm);
    ledger_hex_encode(list->leaf_hash[i], LEDGER_HASH_BYTES, leaf_hex);
    printf("entry %llu  %s  %s  %s  %s  norm %s  leaf %s\n",
           (unsigned long long)list->entry_index[i], period, rule_set->municipality,
           ledger_offset_regime_name(rule_set->regime),
           ledger_offset_distribution_name(rule_set->distribution), norm, leaf_hex);
  }
  if (list->count == 0)
    cli_notice("no rule sets published on this log");
  return CLI_EXIT_OK;
}

/* Options shared by list and show. */
typedef struct read_options {
  const char *log; /* as given, or NULL for this node's own log */
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  cli_args args;
} read_options;

/* Parses --log, -O, --dir and --help; the operands are left in
 * options_out->args.  Returns CLI_GO to go on, else the exit code. */
static int parse_read_options(int argc, char **argv, const cli_spec *spec,
                              read_options *options_out)
{
  *options_out = (read_options){.args.dir = dir_before_subcommand};
  const cli_option options[] = {
      CLI_VALUE("log", 0, "KEY", &options_out->log,
                "the log: its key (64 hex digits) or a peer's name"),
      CLI_END};
  int status = cli_parse(spec, options, argc, argv, &options_out->args);
  if (status == CLI_GO && options_out->log &&
      cli_parse_log(options_out->args.dir, options_out->log, options_out->log_id) != 0)
    return CLI_EXIT_USAGE;
  return status;
}

/* Opens the node and reads the chosen log's rule sets.  Returns -1 and
 * closes the node on failure (error printed). */
static int open_and_read(const read_options *options, node *opened, rule_list *list)
{
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  memset(list, 0, sizeof *list);
  if (cli_open_node(options->args.dir, opened))
    return -1;
  if (choose_log(opened, options->log, options->log_id, log_id) != 0 ||
      read_rule_sets(opened, log_id, list) != 0) {
    rule_list_release(list);
    node_close(opened);
    return -1;
  }
  return 0;
}

static int cmd_list(int argc, char **argv)
{
  static const cli_spec spec = {"rules list", list_usage, CLI_TXT_JSON, 0};
  read_options options;
  int status = parse_read_options(argc, argv, &spec, &options);
  if (status != CLI_GO)
    return status;
  if (options.args.argc)
    return cli_usage_error("rules list", "unexpected argument '%s'", options.args.argv[0]);
  node opened;
  rule_list list;
  if (open_and_read(&options, &opened, &list) != 0)
    return CLI_EXIT_FAILURE;
  status = options.args.format == CLI_FORMAT_JSON ? print_list_json(&list)
                                                  : print_list_text(&list);
  rule_list_release(&list);
  node_close(&opened);
  return status;
}

/* ---- show ---------------------------------------------------------------------- */

/* One line of a rule set: the field name of the JSON (and of 'coop rules
 * publish'), its value, and what it means in Dutch for an officer.  The
 * field name stays first: scripts read these lines by it. */
static void print_row(const char *field, const char *value, const char *dutch)
{
  printf("%-15s %-12s %s\n", field, value, dutch);
}

/* A text field's value by its name: the municipality, the month, the enums. */
static const char *text_value(const ledger_offset_rule_set *rule_set, const char *name,
                              char period[LEDGER_OFFSET_PERIOD_TEXT_BYTES])
{
  if (!strcmp(name, "municipality"))
    return rule_set->municipality;
  if (!strcmp(name, "effective_from")) {
    ledger_offset_period_format(rule_set->effective_from, period);
    return period;
  }
  if (!strcmp(name, "regime"))
    return ledger_offset_regime_name(rule_set->regime);
  if (!strcmp(name, "distribution"))
    return ledger_offset_distribution_name(rule_set->distribution);
  if (!strcmp(name, "loss_rule"))
    return ledger_offset_loss_rule_name(rule_set->loss_rule);
  return "?";
}

/* One field of the shared table (node/wording.h), its value as text. */
static void print_field(const ledger_offset_rule_set *rule_set, const node_rule_field *field)
{
  char text[48], period[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  if (field->kind == NODE_RULE_TEXT) {
    print_row(field->name, text_value(rule_set, field->name, period), field->label);
    return;
  }
  int64_t value = node_rule_field_value(rule_set, field);
  if (field->kind == NODE_RULE_MONEY)
    format_euros(value, text, sizeof text);
  else if (field->kind == NODE_RULE_PERCENT)
    format_percent(value, text, sizeof text);
  else
    snprintf(text, sizeof text, "%" PRId64 " %s", value, field->unit);
  print_row(field->name, text, field->label);
}

static void print_rule_set_text(const rule_list *list, size_t i)
{
  const ledger_offset_rule_set *rule_set = &list->rule_sets[i];
  char hex[2 * LEDGER_HASH_BYTES + 1], index[24];
  size_t count = 0;
  const node_rule_field *fields = node_rule_fields(&count);
  for (size_t f = 0; f < count; f++)
    print_field(rule_set, &fields[f]);
  snprintf(index, sizeof index, "%llu", (unsigned long long)list->entry_index[i]);
  print_row("entry", index, "regel in het log");
  ledger_hex_encode(list->leaf_hash[i], LEDGER_HASH_BYTES, hex);
  printf("%-15s %s\n", "leaf_hash", hex);
  ledger_hex_encode(list->log_id, LEDGER_LOG_ID_BYTES, hex);
  printf("%-15s %s\n", "log", hex);
  printf("\nBedragen in euro per maand (k_year: per kalenderjaar) / amounts in euros per "
         "month (k_year: per calendar year).\n");
}

/* The rule set with the latest effective_from (the later entry on a tie,
 * which publish never makes). */
static size_t latest_rule_set(const rule_list *list)
{
  size_t latest = 0;
  for (size_t i = 1; i < list->count; i++)
    if (ledger_offset_months_between(list->rule_sets[latest].effective_from,
                                     list->rule_sets[i].effective_from) >= 0)
      latest = i;
  return latest;
}

/* Finds entry `index` among the rule sets; says what it is otherwise. */
static int find_entry(node *opened, const rule_list *list, uint64_t index, size_t *found)
{
  for (size_t i = 0; i < list->count; i++) {
    if (list->entry_index[i] == index) {
      *found = i;
      return 0;
    }
  }
  uint64_t size = 0;
  if (node_log_size(opened, list->log_id, &size) == COOP_OK && index >= size) {
    cli_error("entry %llu does not exist (the log has %llu entries)", (unsigned long long)index,
              (unsigned long long)size);
    return -1;
  }
  uint8_t header_bytes[LEDGER_ENTRY_HEADER_BYTES], leaf_hash[LEDGER_HASH_BYTES];
  uint8_t *payload = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  size_t payload_bytes = 0;
  ledger_entry_header header;
  if (payload &&
      node_log_entry(opened, list->log_id, index, header_bytes, payload, &payload_bytes,
                     leaf_hash) == COOP_OK &&
      ledger_entry_header_decode(header_bytes, sizeof header_bytes, &header) == COOP_OK)
    cli_error("entry %llu is not a rule set (kind: %s)", (unsigned long long)index,
              ledger_entry_kind_name(header.kind));
  else
    cli_error("entry %llu is not a rule set", (unsigned long long)index);
  coop_free(payload);
  return -1;
}

static int cmd_show(int argc, char **argv)
{
  static const cli_spec spec = {"rules show", show_usage, CLI_TXT_JSON, 0};
  read_options options;
  int status = parse_read_options(argc, argv, &spec, &options);
  if (status != CLI_GO)
    return status;
  unsigned long long index = 0;
  int has_index = options.args.argc > 0;
  if (options.args.argc > 1)
    return cli_usage_error("rules show", "unexpected argument '%s'", options.args.argv[1]);
  if (has_index && cli_parse_u64(options.args.argv[0], "INDEX", COOP_LOG_ENTRIES_MAX - 1, &index))
    return CLI_EXIT_USAGE;
  node opened;
  rule_list list;
  if (open_and_read(&options, &opened, &list) != 0)
    return CLI_EXIT_FAILURE;
  size_t chosen = 0;
  status = CLI_EXIT_FAILURE;
  if (!has_index && list.count == 0)
    cli_error("no rule set is published on this log");
  else if (!has_index || find_entry(&opened, &list, index, &chosen) == 0) {
    if (!has_index)
      chosen = latest_rule_set(&list);
    if (options.args.format == CLI_FORMAT_JSON) {
      status = cli_print_json(ledger_offset_rule_set_to_json(&list.rule_sets[chosen]));
    } else {
      print_rule_set_text(&list, chosen);
      status = CLI_EXIT_OK;
    }
  }
  rule_list_release(&list);
  node_close(&opened);
  return status;
}

/* ---- rules ----------------------------------------------------------------------- */

int cli_cmd_rules(int argc, char **argv)
{
  /* Stop at the subcommand, whose options are its own; a --dir before it
   * is the subcommand's default. */
  static const cli_spec spec = {"rules", rules_usage, 0, CLI_STOP_AT_OPERAND};
  cli_args args = {0};
  int status = cli_parse(&spec, NULL, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  dir_before_subcommand = args.dir;
  if (args.argc < 1)
    return cli_usage_error("rules", "missing subcommand (publish, list or show)");
  const char *subcommand = args.argv[0];
  int sub_argc = args.argc;
  char **sub_argv = args.argv;
  if (!strcmp(subcommand, "publish"))
    return cmd_publish(sub_argc, sub_argv);
  if (!strcmp(subcommand, "list"))
    return cmd_list(sub_argc, sub_argv);
  if (!strcmp(subcommand, "show"))
    return cmd_show(sub_argc, sub_argv);
  return cli_usage_error("rules", "unknown subcommand '%s' (expected: publish, list or show)",
                         subcommand);
}
