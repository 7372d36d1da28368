/* coop member erase and coop retention: a member's data under the AVG
 * (node/erase.h). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/base/alloc.h"
#include "node/erase.h"

static const char erase_usage[] =
    "usage: coop member erase ID --reason TEXT [--before-retention] [-O txt|json]\n"
    "\n"
    "Erases a member's personal data on this coop node and, once synced, on every\n"
    "node that holds it: a signed erasure entry names her audiences, and every node\n"
    "destroys those keys and drops the sealed payloads (her enrolment, details,\n"
    "records, statements and the municipality's verdicts).  Headers, hashes and\n"
    "signed checkpoints stay, so 'coop verify', every proof and other members'\n"
    "receipts stay valid.  The books keep her amounts per day and account, as\n"
    "\"erased member m-xxxxxx\", so every balance stays the same.  It cannot be undone.\n"
    "\n"
    "Her data is kept until her retention ends: 1 January of the year after she\n"
    "left plus retention_years (node.conf, default 7: art. 52 AWR).  Before that,\n"
    "--before-retention is needed (a court order, a mistaken enrolment).\n"
    "TEXT is public to every node that holds the log: say why without personal\n"
    "data (\"verzoek art. 17 AVG\", \"bewaartermijn verstreken\", \"uitspraak rechter\").\n"
    "ID is her member id, client ref, or a name only she has.\n";

static const char retention_usage[] =
    "usage: coop retention [list] [-O txt|json]\n"
    "       coop retention apply [--reason TEXT]\n"
    "\n"
    "list   every member who left, the day her retention ends (1 January of the\n"
    "       year after she left plus retention_years from node.conf, default 7),\n"
    "       and whether it has ended.\n"
    "apply  erases every member whose retention has ended, as 'coop member erase'\n"
    "       does (default reason: \"bewaartermijn verstreken\").\n"
    "\n"
    "On a municipality's node: its former residents in every coop log it holds\n"
    "(she left the coop, or moved to another municipality: whichever came\n"
    "first), and 'apply' erases this node's own copies of their data (its copy\n"
    "of the coop's log and its verdicts on them), independently of the coop.\n";

static void print_erased(const char *member_id, const node_erase_result *result, cli_format format)
{
  if (format == CLI_FORMAT_JSON) {
    json_t *out = json_pack("{s:s, s:I, s:i, s:i, s:I, s:i}", "member_id", member_id,
                            "erasure_index", (json_int_t)result->erasure_index, "audiences",
                            (int)result->audiences, "key_grants", (int)result->grants,
                            "entries_erased", (json_int_t)result->entries_erased,
                            "day_records", (int)result->day_records);
    (void)cli_print_json(out);
    return;
  }
  printf("erased %s: erasure entry %llu; %llu entries' payloads dropped, %u key grant(s) and "
         "%u audience(s) destroyed; the books keep her amounts in %u erased-member record(s)\n",
         member_id, (unsigned long long)result->erasure_index,
         (unsigned long long)result->entries_erased, result->grants, result->audiences,
         result->day_records);
}

int cli_member_erase(int argc, char **argv)
{
  static const cli_spec spec = {"member erase", erase_usage, CLI_TXT_JSON, 0};
  const char *reason = NULL;
  int before_retention = 0;
  const cli_option table[] = {
      CLI_VALUE("reason", 0, "TEXT", &reason, "why (public: no personal data)"),
      CLI_FLAG("before-retention", 0, &before_retention,
               "erase before her retention ends (court order, mistaken enrolment)"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, table, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc != 1)
    return cli_usage_error("member erase", "expected one member: 'member erase ID --reason TEXT'");
  if (!reason || !reason[0])
    return cli_usage_error("member erase", "an erasure needs --reason TEXT");
  char member_id[CLI_MEMBER_ID_BYTES];
  const char *who = cli_member_arg(args.dir, args.argv[0], member_id);
  if (!who)
    return CLI_EXIT_FAILURE;
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  node_erase_request request = {.member_id = who, .reason = reason,
                                .before_retention = before_retention};
  node_erase_result result;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_member_erase(&opened, &request, &result, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  print_erased(who, &result, args.format);
  if (message[0])
    cli_error("%s", message);
  return CLI_EXIT_OK;
}

/* ---- coop retention ------------------------------------------------------- */

typedef struct retention_output {
  cli_format format;
  json_t *rows;
  size_t listed;
  size_t due;
  node_retention_row *due_rows;
  size_t due_capacity;
} retention_output;

static coop_err print_retention_row(void *context, const node_retention_row *row)
{
  retention_output *out = context;
  out->listed++;
  char until[16], left[16];
  snprintf(until, sizeof until, "%04u-%02u-%02u", row->retention_until / 10000u,
           row->retention_until / 100u % 100u, row->retention_until % 100u);
  snprintf(left, sizeof left, "%04u-%02u", row->left_period / 100u, row->left_period % 100u);
  if (row->due && coop_grow((void **)&out->due_rows, &out->due_capacity, out->due,
                            sizeof *out->due_rows) == COOP_OK)
    out->due_rows[out->due++] = *row;
  if (out->format == CLI_FORMAT_JSON) {
    json_t *item = json_pack("{s:s, s:s, s:s, s:s, s:b}", "member_id", row->member_id, "name",
                             row->name, "left", left, "retention_until", until, "due", row->due);
    if (item && row->coop_name[0])
      json_object_set_new(item, "coop", json_string(row->coop_name));
    return item && !json_array_append_new(out->rows, item) ? COOP_OK : COOP_E_NOMEM;
  }
  printf("%-9s %-30s %s%s%sleft %s  kept until %s  %s\n", row->member_id, row->name,
         row->coop_name[0] ? "(" : "", row->coop_name, row->coop_name[0] ? ") " : "", left, until,
         row->due ? "DUE: erase with 'coop retention apply'" : "");
  return COOP_OK;
}

/* One due member: on the coop her data everywhere (node_member_erase); on
 * a municipality its own copies (node_copy_erase). */
static coop_err erase_due(node *opened, const node_retention_row *row, const char *reason,
                          node_erase_result *result, char message[NODE_MESSAGE_BYTES])
{
  if (opened->role == LEDGER_ROLE_MUNICIPALITY)
    return node_copy_erase(opened, row, reason, result, message);
  node_erase_request request = {.member_id = row->member_id, .reason = reason,
                                .retention_ended = true};
  return node_member_erase(opened, &request, result, message);
}

static int retention_apply(node *opened, retention_output *out, const char *reason)
{
  int code = CLI_EXIT_OK;
  for (size_t i = 0; i < out->due; i++) {
    node_erase_result result;
    char message[NODE_MESSAGE_BYTES] = "";
    if (erase_due(opened, &out->due_rows[i], reason ? reason : "bewaartermijn verstreken",
                  &result, message)) {
      cli_error("%s: %s", out->due_rows[i].member_id, message);
      code = CLI_EXIT_FAILURE;
      continue;
    }
    print_erased(out->due_rows[i].member_id, &result, CLI_FORMAT_TEXT);
  }
  if (!out->due)
    printf("no member's retention has ended: nothing to erase\n");
  return code;
}

int cli_cmd_retention(int argc, char **argv)
{
  static const cli_spec spec = {"retention", retention_usage, CLI_TXT_JSON, 0};
  const char *reason = NULL;
  const cli_option table[] = {
      CLI_VALUE("reason", 0, "TEXT", &reason, "apply: why (default: bewaartermijn verstreken)"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, table, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  const char *action = args.argc ? args.argv[0] : "list";
  bool apply = !strcmp(action, "apply");
  if (args.argc > 1 || (!apply && strcmp(action, "list")))
    return cli_usage_error("retention", "expected 'retention [list]' or 'retention apply'");
  if (reason && !apply)
    return cli_usage_error("retention", "--reason goes with 'retention apply'");
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  retention_output out = {.format = apply ? CLI_FORMAT_TEXT : args.format,
                          .rows = json_array()};
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_retention_list(&opened, print_retention_row, &out, message);
  int code = err ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
  if (err)
    cli_error("%s", message);
  else if (apply)
    code = retention_apply(&opened, &out, reason);
  else if (out.format == CLI_FORMAT_JSON)
    code = cli_print_json(json_incref(out.rows));
  else if (!out.listed)
    printf("no member has left: no retention period runs yet\n");
  node_close(&opened);
  json_decref(out.rows);
  coop_free(out.due_rows);
  return code;
}
