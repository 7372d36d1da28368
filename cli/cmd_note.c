/* coop note: append a public note. */
#include <string.h>

#include "cli/cli.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "node/node.h"

static const char usage[] =
    "usage: coop note TEXT [--dir DIR]\n"
    "\n"
    "Appends a public note (readable by every node that holds this log) and signs\n"
    "a new checkpoint.  TEXT is 1 to 4096 bytes of UTF-8; newlines and tabs are\n"
    "allowed, other control characters are not.  Notes are signed history: they\n"
    "can never be edited or removed, so never put personal data in one.\n";

int cli_cmd_note(int argc, char **argv)
{
  static const cli_spec spec = {"note", usage, 0, 0};
  cli_args args = {0};
  int status = cli_parse(&spec, NULL, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc != 1)
    return cli_usage_error("note", "expected exactly one TEXT argument (quote it)");
  const char *text = args.argv[0];
  size_t text_bytes = strlen(text);
  coop_err err = ledger_note_check((const uint8_t *)text, text_bytes);
  if (err == COOP_E_LIMIT)
    return cli_usage_error("note", "note is %zu bytes; at most %u are allowed", text_bytes,
                           COOP_NOTE_BYTES_MAX);
  if (err)
    return cli_usage_error("note", "note must be non-empty UTF-8 without control characters");
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  ledger_append_item item = {
      .kind = LEDGER_KIND_NOTE, .payload = (const uint8_t *)text, .payload_bytes = text_bytes};
  ledger_checkpoint checkpoint;
  err = ledger_store_append(opened.store, &opened.identity, &item, 1, node_now_ms(), &checkpoint);
  if (err)
    cli_error("cannot append note: %s (%s)", coop_err_message(err),
              ledger_store_error_message(opened.store));
  else
    printf("appended entry %llu; log size %llu\n", (unsigned long long)(checkpoint.size - 1),
           (unsigned long long)checkpoint.size);
  node_close(&opened);
  return err ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
