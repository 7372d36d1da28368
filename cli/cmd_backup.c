/* coop backup (an online copy of the database) and coop restore (putting one
 * back, and the operator's confirmation afterwards): node/backup.h. */
#include <jansson.h>

#include "cli/cli.h"
#include "node/backup.h"
#include "node/node.h"

static const char backup_usage[] =
    "usage: coop backup FILE [-O txt|json] [--dir DIR]\n"
    "\n"
    "Writes a copy of this node's database (coop.db) to FILE, a new file of mode\n"
    "0600, while the daemon and other commands keep running (SQLite's online\n"
    "backup).  The copy is marked as a backup: when it was made and how long\n"
    "this node's own log was.  It holds the same personal data as the node:\n"
    "keep it as safe as the node itself.\n"
    "\n"
    "Not in the copy: identity.key and node.conf.  Back them up once, apart\n"
    "(the key never changes; node.conf changes with 'coop peer'): the key is\n"
    "this node's signature, and a copy of it beside every database copy is a\n"
    "second signer waiting to happen.  See docs/user-guide.md, \"Personal data\".\n";

static const char restore_usage[] =
    "usage: coop restore FILE | --status | --confirm [-O txt|json] [--dir DIR]\n"
    "\n"
    "FILE: replaces this node's database with a backup made by 'coop backup' of\n"
    "this node (another node's backup is refused).  The node may have signed\n"
    "more of its log after the backup, and its peers may hold it: so from now\n"
    "on every append (record, close, note, audit, ...) is refused until 'coop\n"
    "sync' has synced with every peer, taking in whatever they hold of this\n"
    "node's own log, or the operator confirms.  Stop 'coop node run' first\n"
    "and start it again afterwards.\n"
    "\n"
    "--status: says whether the database is a restored backup still waiting.\n"
    "--confirm: the operator's word that no peer holds a newer history of this\n"
    "node's log (for example: it has no peers); appends work again.  Wrong, it\n"
    "makes this node sign a second history, which every peer records as a fork.\n";

static void print_info(const char *what, const ledger_store_backup_info *info)
{
  char when[32];
  cli_format_time(info->made_ms, when);
  printf("%s: backup made %s, own log size %llu\n", what, when,
         (unsigned long long)info->log_size);
}

static void add_info_json(json_t *out, const ledger_store_backup_info *info)
{
  char when[32];
  cli_format_time(info->made_ms, when);
  json_object_set_new(out, "made_ms", json_integer((json_int_t)info->made_ms));
  json_object_set_new(out, "made", json_string(when));
  json_object_set_new(out, "log_id", cli_hex_json(info->log_id, sizeof info->log_id));
  json_object_set_new(out, "log_size", json_integer((json_int_t)info->log_size));
}

static int print_info_json(const char *state, const ledger_store_backup_info *info)
{
  json_t *out = json_pack("{s:s}", "state", state);
  if (out && info)
    add_info_json(out, info);
  return cli_print_json(out);
}

/* On stderr, in both formats: members erased after the backup was made are
 * in the restored database again until their erasures return by sync. */
static void warn_lost_erasures(const node_restore_lost *lost)
{
  if (lost->unchecked)
    cli_notice("warning: the replaced database's own log did not read (%s): if a member was erased "
             "after this backup was made, she is back in it until 'coop sync' brings the "
             "erasure back from the peers; do not use 'coop restore --confirm' before that",
             coop_err_message(lost->unchecked));
  if (!lost->count)
    return;
  char list[NODE_RESTORE_ERASURES_MAX * 22] = "";
  size_t used = 0;
  for (size_t i = 0; i < lost->shown && used < sizeof list; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%llu", i ? ", " : "",
                             (unsigned long long)lost->indexes[i]);
  cli_notice("warning: %llu erasure(s) were signed after this backup was made (entry %s%s): the members "
           "they erased are in the restored database again. 'coop sync' with every peer "
           "brings the erasures back and erases them again; do not use 'coop restore "
           "--confirm' before that: it would drop the erasures. The backup file itself still "
           "holds their data",
           (unsigned long long)lost->count, list, lost->count > lost->shown ? ", ..." : "");
}

static int print_restored_json(const ledger_store_backup_info *info,
                               const node_restore_lost *lost)
{
  json_t *out = json_pack("{s:s}", "state", "waiting");
  json_t *indexes = json_array();
  for (size_t i = 0; indexes && i < lost->shown; i++)
    json_array_append_new(indexes, json_integer((json_int_t)lost->indexes[i]));
  if (out) {
    add_info_json(out, info);
    json_object_set_new(out, "erasures_after_backup", json_integer((json_int_t)lost->count));
    json_object_set_new(out, "erasure_entries", indexes ? indexes : json_null());
  }
  return cli_print_json(out);
}

int cli_cmd_backup(int argc, char **argv)
{
  static const cli_spec spec = {"backup", backup_usage, CLI_TXT_JSON, 0};
  cli_args args = {0};
  int status = cli_parse(&spec, NULL, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc != 1)
    return cli_usage_error("backup", "expected exactly one FILE argument");
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char message[NODE_MESSAGE_BYTES] = "";
  ledger_store_backup_info info;
  coop_err err = node_backup(&opened, args.argv[0], &info, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  if (args.format == CLI_FORMAT_JSON)
    return print_info_json("backup", &info);
  print_info(args.argv[0], &info);
  return CLI_EXIT_OK;
}

/* --status and --confirm: the mark of a restored database. */
static int restore_mark(node *opened, bool confirm, cli_format format)
{
  char message[NODE_MESSAGE_BYTES] = "";
  bool restored = false;
  ledger_store_backup_info info;
  coop_err err = node_restore_status(opened, &restored, &info, message);
  if (!err && confirm)
    err = node_restore_confirm(opened, &restored, message);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  const char *state = !restored ? "not restored" : confirm ? "confirmed" : "waiting";
  if (format == CLI_FORMAT_JSON)
    return print_info_json(state, restored ? &info : NULL);
  if (!restored)
    printf("this database is not a restored backup: appending works\n");
  else if (confirm)
    print_info("confirmed; appending works again", &info);
  else
    print_info("restored, waiting: appending refused until 'coop sync' with every peer or "
               "'coop restore --confirm'",
               &info);
  return CLI_EXIT_OK;
}

int cli_cmd_restore(int argc, char **argv)
{
  static const cli_spec spec = {"restore", restore_usage, CLI_TXT_JSON, 0};
  int show = 0, confirm = 0;
  const cli_option options[] = {
      CLI_FLAG("status", 0, &show, "say whether the database is a restored backup"),
      CLI_FLAG("confirm", 0, &confirm, "no newer history of this node's log exists: append again"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (show + confirm + args.argc != 1)
    return cli_usage_error("restore", "expected one of FILE, --status or --confirm");
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  if (show || confirm) {
    status = restore_mark(&opened, confirm, args.format);
    node_close(&opened);
    return status;
  }
  char message[NODE_MESSAGE_BYTES] = "";
  ledger_store_backup_info info;
  node_restore_lost lost = {0};
  coop_err err = node_restore(&opened, args.argv[0], &info, &lost, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  warn_lost_erasures(&lost);
  if (args.format == CLI_FORMAT_JSON)
    return print_restored_json(&info, &lost);
  print_info("restored", &info);
  printf("appending is refused until 'coop sync' has synced with every peer, or "
         "'coop restore --confirm'\n");
  return CLI_EXIT_OK;
}
