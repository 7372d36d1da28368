/* coop note: append a public note. */
#include <string.h>

#include "cli/cli.h"
#include "ledger/log/entry.h"
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
  /* The text is checked before the node is opened: a bad note is a usage
   * error, and the node says why without being touched. */
  const char *text = args.argv[0];
  char message[NODE_MESSAGE_BYTES] = "";
  if (node_note_check(text, message))
    return cli_usage_error("note", "%s", message);
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  uint64_t size = 0;
  coop_err err = node_note_append(&opened, text, &size, message);
  if (err)
    cli_error("%s", message);
  else
    printf("appended entry %llu; log size %llu\n", (unsigned long long)(size - 1),
           (unsigned long long)size);
  node_close(&opened);
  return err ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
