/* coop verify: re-check the whole store. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "node/audit_index.h"
#include "node/books.h"
#include "node/logs.h"
#include "node/node.h"

static const char usage[] =
    "usage: coop verify [-v] [--dir DIR]\n"
    "\n"
    "Re-checks every log in the database, this node's own and those it holds from\n"
    "others: every entry decodes and sits at its index, every payload hash and\n"
    "leaf hash, every stored tree node, every checkpoint's signature and root, and\n"
    "that the latest signed checkpoint covers every entry; that entry 0 of each\n"
    "log is its author's identity; that no payload is missing; and, on a coop\n"
    "node, that the books (members, records, postings, closed months,\n"
    "statements) are exactly what a replay of the log gives.  Silent with exit\n"
    "status 0 when all is well; otherwise names the first problem (entry index\n"
    "or table and row, what was expected, what was found) and exits with\n"
    "status 1.\n";

typedef struct verify_all {
  node *node;
  int verbose;
} verify_all;

/* Verifies one log; prints the first problem (naming the log when it is not
 * this node's own) or, verbose, what was checked. */
static coop_err verify_log(verify_all *all, const uint8_t *log_id, int own)
{
  ledger_verify_report report;
  coop_err err = node_log_verify(all->node, log_id, &report);
  char where[64] = "";
  if (!own) {
    char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
    ledger_fingerprint(log_id, fingerprint);
    snprintf(where, sizeof where, " in log %s", fingerprint);
  }
  if (err == COOP_E_TAMPERED && report.has_index)
    cli_error("verify failed%s at entry %llu: %s", where, (unsigned long long)report.index,
              report.what);
  else if (err == COOP_E_TAMPERED)
    cli_error("verify failed%s: %s", where, report.what);
  else if (!err && all->verbose)
    printf("verified %llu entries and %llu checkpoints%s\n",
           (unsigned long long)report.entries_checked,
           (unsigned long long)report.checkpoints_checked, own ? "" : where);
  /* Always said: a missing payload passes only because an erasure covers it. */
  if (!err && report.entries_erased)
    printf("%s: %llu entries erased (payloads removed) by %llu erasure entr%s\n",
           own ? "this node's log" : where + 8, (unsigned long long)report.entries_erased,
           (unsigned long long)report.erasures, report.erasures == 1 ? "y" : "ies");
  return err;
}

static coop_err verify_own_log(verify_all *all)
{
  return verify_log(all, all->node->identity.public_key, 1);
}

/* The derived tables against a replay of the own log (after the log itself
 * verified: a replay of a damaged log proves nothing). */
static coop_err verify_books(verify_all *all)
{
  char message[NODE_MESSAGE_BYTES];
  coop_err err = node_books_check(all->node, message);
  if (err == COOP_E_BOOKS_MISMATCH || err == COOP_E_PAYLOAD_MISSING)
    cli_error("verify failed: %s", message);
  if (!err && all->verbose && node_books_kept(all->node))
    printf("verified the books against a replay of the log\n");
  return err == COOP_E_BOOKS_MISMATCH || err == COOP_E_PAYLOAD_MISSING ? COOP_E_TAMPERED : err;
}

/* A municipality's audit tables against a fold of the logs they cache
 * (node/audit_index.h). */
static coop_err verify_audit_tables(verify_all *all)
{
  if (all->node->role != LEDGER_ROLE_MUNICIPALITY)
    return COOP_OK;
  coop_err err = audit_index_check(all->node);
  if (err == COOP_E_BOOKS_MISMATCH || err == COOP_E_PAYLOAD_MISSING)
    cli_error("verify failed: %s", node_store_problem(all->node));
  if (!err && all->verbose)
    printf("verified the audit tables against a replay of the logs\n");
  return err == COOP_E_BOOKS_MISMATCH || err == COOP_E_PAYLOAD_MISSING ? COOP_E_TAMPERED : err;
}

static coop_err verify_other_log(void *context, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  verify_all *all = context;
  if (!memcmp(log_id, all->node->identity.public_key, LEDGER_LOG_ID_BYTES))
    return COOP_OK;
  return verify_log(all, log_id, 0);
}

int cli_cmd_verify(int argc, char **argv)
{
  static const cli_spec spec = {"verify", usage, 0, 0};
  int verbose = 0;
  const cli_option options[] = {
      CLI_FLAG("verbose", 'v', &verbose, "print what was checked when all is well"),
      CLI_END};
  cli_args args = {0};
  node opened;
  int status = cli_parse_and_open(&spec, options, argc, argv, &args, &opened);
  if (status != CLI_GO)
    return status;
  verify_all all = {.node = &opened, .verbose = verbose};
  coop_err err = verify_own_log(&all);
  if (!err)
    err = node_logs(&opened, verify_other_log, &all);
  if (!err)
    err = verify_books(&all);
  if (!err)
    err = verify_audit_tables(&all);
  err = node_store_failure(&opened, err);
  if (err && err != COOP_E_TAMPERED)
    cli_error("verify failed: %s (%s)", coop_err_message(err), node_store_error_message(&opened));
  node_close(&opened);
  return err ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
