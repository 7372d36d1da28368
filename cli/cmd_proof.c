/* coop proof: inclusion and consistency proofs, made from the store and
 * checked offline.  The file format is in docs/log-format.md §Proof files. */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/base/limits.h"
#include "node/logs.h"
#include "node/node.h"

#define INCLUSION_FORMAT "coop-inclusion-proof-v1"
#define CONSISTENCY_FORMAT "coop-consistency-proof-v1"

static const char usage[] =
    "usage: coop proof inclusion INDEX [--size N] [--dir DIR]\n"
    "       coop proof consistency OLD NEW [--dir DIR]\n"
    "       coop proof verify FILE\n"
    "\n"
    "inclusion    prints (JSON) a proof that entry INDEX is in the log as signed at\n"
    "             size N (default: the latest checkpoint).  N must be a size this\n"
    "             node signed a checkpoint for.\n"
    "consistency  prints (JSON) a proof that the log at size NEW extends the log at\n"
    "             size OLD: nothing signed at OLD was changed or removed.  Both\n"
    "             sizes must have signed checkpoints.\n"
    "verify       checks a proof file offline, without a node or database: the\n"
    "             checkpoint signatures, the hashes, and the proof path.  Prints\n"
    "             one line saying what it proves; exit status 1 if it does not hold.\n"
    "             FILE may be '-' for standard input.\n";

/* ---- making proofs ------------------------------------------------------ */

static json_t *proof_json(const ledger_proof *proof)
{
  json_t *array = json_array();
  for (unsigned i = 0; array && i < proof->count; i++)
    if (json_array_append_new(array, cli_hex_json(proof->hashes[i], LEDGER_HASH_BYTES))) {
      json_decref(array);
      return NULL;
    }
  return array;
}

static json_t *checkpoint_bytes_json(const ledger_checkpoint *checkpoint)
{
  uint8_t encoded[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(checkpoint, encoded);
  return cli_hex_json(encoded, sizeof encoded);
}

static int checkpoint_at(node *opened, uint64_t size, ledger_checkpoint *checkpoint)
{
  coop_err err = node_checkpoint_at(opened, opened->identity.public_key, size, checkpoint);
  if (err == COOP_E_NOT_FOUND)
    cli_error("no signed checkpoint at size %llu (each append batch signs one; "
              "see 'coop log' and 'coop checkpoint')", (unsigned long long)size);
  else if (err)
    cli_error("cannot read checkpoint at size %llu: %s", (unsigned long long)size,
              coop_err_message(err));
  return err ? -1 : 0;
}

static int make_inclusion(node *opened, uint64_t index, int have_size, uint64_t size)
{
  ledger_checkpoint checkpoint;
  if (!have_size) {
    if (node_checkpoint_latest(opened, opened->identity.public_key, &checkpoint)) {
      cli_error("this log has no checkpoint");
      return CLI_EXIT_FAILURE;
    }
    size = checkpoint.size;
  } else if (checkpoint_at(opened, size, &checkpoint)) {
    return CLI_EXIT_FAILURE;
  }
  if (index >= size) {
    cli_error("entry %llu is not in the log at size %llu", (unsigned long long)index,
              (unsigned long long)size);
    return CLI_EXIT_FAILURE;
  }
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES], leaf[LEDGER_HASH_BYTES];
  uint8_t *payload = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  size_t payload_bytes = 0;
  ledger_proof proof;
  coop_err err = payload ? COOP_OK : COOP_E_NOMEM;
  if (!err)
    err = node_log_entry(opened, opened->identity.public_key, index, header, payload,
                         &payload_bytes, leaf);
  if (!err)
    err = node_inclusion_proof(opened, opened->identity.public_key, index, size, &proof);
  if (err) {
    coop_free(payload);
    cli_error("cannot make the proof for entry %llu: %s", (unsigned long long)index,
              coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  ledger_entry_header decoded;
  uint8_t payload_hash[LEDGER_HASH_BYTES];
  ledger_payload_hash(payload, payload_bytes, payload_hash);
  int is_public = ledger_entry_header_decode(header, sizeof header, &decoded) == COOP_OK &&
                  ledger_entry_is_public(&decoded);
  json_t *document = json_pack(
      "{s:s, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "format", INCLUSION_FORMAT, "log_id",
      cli_hex_json(checkpoint.log_id, LEDGER_LOG_ID_BYTES), "index", (json_int_t)index, "tree_size",
      (json_int_t)size, "entry_header", cli_hex_json(header, sizeof header), "payload_hash",
      cli_hex_json(payload_hash, sizeof payload_hash), "leaf_hash", cli_hex_json(leaf, sizeof leaf),
      "proof", proof_json(&proof), "checkpoint", cli_checkpoint_json(&checkpoint),
      "checkpoint_bytes", checkpoint_bytes_json(&checkpoint));
  /* A public payload travels with the proof so the reader sees what was
   * proven; a sealed one stays out (the proof must not leak it). */
  if (document && is_public && payload_bytes <= 4096) {
    char *payload_hex = coop_malloc(2 * payload_bytes + 1);
    if (payload_hex) {
      ledger_hex_encode(payload, payload_bytes, payload_hex);
      json_object_set_new(document, "payload", json_string(payload_hex));
    }
    coop_free(payload_hex);
  }
  coop_free(payload);
  return cli_print_json(document);
}

static int make_consistency(node *opened, uint64_t old_size, uint64_t new_size)
{
  if (old_size == 0 || old_size > new_size) {
    cli_error("need 0 < OLD <= NEW, got OLD %llu and NEW %llu", (unsigned long long)old_size,
              (unsigned long long)new_size);
    return CLI_EXIT_FAILURE;
  }
  ledger_checkpoint old_checkpoint, new_checkpoint;
  if (checkpoint_at(opened, old_size, &old_checkpoint) ||
      checkpoint_at(opened, new_size, &new_checkpoint))
    return CLI_EXIT_FAILURE;
  ledger_proof proof;
  coop_err err = node_consistency_proof(opened, opened->identity.public_key, old_size, new_size,
                                        &proof);
  if (err) {
    cli_error("cannot make the proof: %s", coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  return cli_print_json(json_pack(
      "{s:s, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "format", CONSISTENCY_FORMAT, "log_id",
      cli_hex_json(old_checkpoint.log_id, LEDGER_LOG_ID_BYTES), "old_size", (json_int_t)old_size,
      "new_size", (json_int_t)new_size, "old_checkpoint", cli_checkpoint_json(&old_checkpoint),
      "old_checkpoint_bytes", checkpoint_bytes_json(&old_checkpoint), "new_checkpoint",
      cli_checkpoint_json(&new_checkpoint), "new_checkpoint_bytes",
      checkpoint_bytes_json(&new_checkpoint), "proof", proof_json(&proof)));
}

/* ---- checking proofs ---------------------------------------------------- */

/* Reads a hex field of exactly `count` bytes; prints what is wrong. */
static int field_hex(json_t *document, const char *name, uint8_t *out, size_t count)
{
  json_t *value = json_object_get(document, name);
  if (!json_is_string(value)) {
    cli_error("proof: field '%s' is missing or not a string", name);
    return -1;
  }
  if (ledger_hex_decode(json_string_value(value), out, count)) {
    cli_error("proof: field '%s' must be %zu bytes of hex", name, count);
    return -1;
  }
  return 0;
}

static int field_u64(json_t *document, const char *name, uint64_t *out)
{
  json_t *value = json_object_get(document, name);
  if (!json_is_integer(value) || json_integer_value(value) < 0) {
    cli_error("proof: field '%s' is missing or not a non-negative integer", name);
    return -1;
  }
  *out = (uint64_t)json_integer_value(value);
  return 0;
}

static int field_proof(json_t *document, ledger_proof *proof)
{
  json_t *array = json_object_get(document, "proof");
  memset(proof, 0, sizeof *proof);
  if (!json_is_array(array) || json_array_size(array) > COOP_PROOF_HASHES_MAX) {
    cli_error("proof: field 'proof' must be an array of at most %u hashes",
              COOP_PROOF_HASHES_MAX);
    return -1;
  }
  for (size_t i = 0; i < json_array_size(array); i++) {
    json_t *item = json_array_get(array, i);
    if (!json_is_string(item) ||
        ledger_hex_decode(json_string_value(item), proof->hashes[i], LEDGER_HASH_BYTES)) {
      cli_error("proof: proof[%zu] must be a 32-byte hash in hex", i);
      return -1;
    }
  }
  proof->count = (unsigned)json_array_size(array);
  return 0;
}

/* Decodes and checks a signed checkpoint field; the readable copy beside it
 * (if present) must say the same, so nobody is shown one thing and proven
 * another. */
static int field_checkpoint(json_t *document, const char *bytes_name, const char *object_name,
                            ledger_checkpoint *checkpoint)
{
  uint8_t encoded[LEDGER_CHECKPOINT_BYTES];
  if (field_hex(document, bytes_name, encoded, sizeof encoded))
    return -1;
  coop_err err = ledger_checkpoint_decode(encoded, sizeof encoded, checkpoint);
  if (err) {
    cli_error("proof: '%s' does not decode: %s", bytes_name, coop_err_message(err));
    return -1;
  }
  if (ledger_checkpoint_verify(checkpoint)) {
    cli_error("proof: '%s' has a bad signature", bytes_name);
    return -1;
  }
  json_t *shown = json_object_get(document, object_name);
  json_t *expected = cli_checkpoint_json(checkpoint);
  int differs = shown && !json_equal(shown, expected);
  json_decref(expected);
  if (differs) {
    cli_error("proof: '%s' does not match the signed '%s'", object_name, bytes_name);
    return -1;
  }
  return 0;
}

static int same_log(const uint8_t *log_id, const ledger_checkpoint *checkpoint)
{
  if (memcmp(log_id, checkpoint->log_id, LEDGER_LOG_ID_BYTES)) {
    cli_error("proof: the checkpoint is for another log than 'log_id'");
    return 0;
  }
  return 1;
}

static int verify_entry_fields(json_t *document, const uint8_t *log_id, uint64_t index,
                               ledger_entry_header *header, uint8_t leaf[LEDGER_HASH_BYTES])
{
  uint8_t header_bytes[LEDGER_ENTRY_HEADER_BYTES], payload_hash[LEDGER_HASH_BYTES];
  uint8_t stated_leaf[LEDGER_HASH_BYTES];
  if (field_hex(document, "entry_header", header_bytes, sizeof header_bytes) ||
      field_hex(document, "payload_hash", payload_hash, sizeof payload_hash) ||
      field_hex(document, "leaf_hash", stated_leaf, sizeof stated_leaf))
    return -1;
  coop_err err = ledger_entry_header_decode(header_bytes, sizeof header_bytes, header);
  if (err) {
    cli_error("proof: 'entry_header' does not decode: %s", coop_err_message(err));
    return -1;
  }
  if (header->index != index || memcmp(header->log_id, log_id, LEDGER_LOG_ID_BYTES)) {
    cli_error("proof: 'entry_header' is for another index or log than the proof states");
    return -1;
  }
  ledger_leaf_hash(header_bytes, payload_hash, leaf);
  if (memcmp(leaf, stated_leaf, LEDGER_HASH_BYTES)) {
    cli_error("proof: 'leaf_hash' does not match the entry header and payload hash");
    return -1;
  }
  json_t *payload = json_object_get(document, "payload");
  if (payload) {
    size_t payload_bytes = json_is_string(payload) ? strlen(json_string_value(payload)) / 2 : 0;
    uint8_t *bytes = coop_malloc(payload_bytes + 1);
    uint8_t computed[LEDGER_HASH_BYTES];
    int bad = !bytes || !json_is_string(payload) ||
              ledger_hex_decode(json_string_value(payload), bytes, payload_bytes);
    if (!bad) {
      ledger_payload_hash(bytes, payload_bytes, computed);
      bad = memcmp(computed, payload_hash, LEDGER_HASH_BYTES) != 0;
    }
    coop_free(bytes);
    if (bad) {
      cli_error("proof: 'payload' does not match 'payload_hash'");
      return -1;
    }
  }
  return 0;
}

static int verify_inclusion(json_t *document)
{
  uint8_t log_id[LEDGER_LOG_ID_BYTES], leaf[LEDGER_HASH_BYTES];
  uint64_t index, size;
  ledger_checkpoint checkpoint;
  ledger_entry_header header;
  ledger_proof proof;
  if (field_hex(document, "log_id", log_id, sizeof log_id) ||
      field_u64(document, "index", &index) || field_u64(document, "tree_size", &size) ||
      field_proof(document, &proof) ||
      field_checkpoint(document, "checkpoint_bytes", "checkpoint", &checkpoint) ||
      !same_log(log_id, &checkpoint) || verify_entry_fields(document, log_id, index, &header, leaf))
    return CLI_EXIT_FAILURE;
  if (checkpoint.size != size) {
    cli_error("proof: 'tree_size' %llu differs from the checkpoint's size %llu",
              (unsigned long long)size, (unsigned long long)checkpoint.size);
    return CLI_EXIT_FAILURE;
  }
  if (ledger_merkle_verify_inclusion(leaf, index, size, &proof, checkpoint.root)) {
    cli_error("proof: the inclusion proof does not lead to the signed root");
    return CLI_EXIT_FAILURE;
  }
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1], time_text[32];
  ledger_fingerprint(log_id, fingerprint);
  cli_format_time(checkpoint.timestamp_ms, time_text);
  printf("ok: entry %llu (%s) is in log %s as signed at size %llu on %s\n",
         (unsigned long long)index, ledger_entry_kind_name(header.kind), fingerprint,
         (unsigned long long)size, time_text);
  return CLI_EXIT_OK;
}

static int verify_consistency(json_t *document)
{
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint64_t old_size, new_size;
  ledger_checkpoint old_checkpoint, new_checkpoint;
  ledger_proof proof;
  if (field_hex(document, "log_id", log_id, sizeof log_id) ||
      field_u64(document, "old_size", &old_size) || field_u64(document, "new_size", &new_size) ||
      field_proof(document, &proof) ||
      field_checkpoint(document, "old_checkpoint_bytes", "old_checkpoint", &old_checkpoint) ||
      field_checkpoint(document, "new_checkpoint_bytes", "new_checkpoint", &new_checkpoint) ||
      !same_log(log_id, &old_checkpoint) || !same_log(log_id, &new_checkpoint))
    return CLI_EXIT_FAILURE;
  if (old_checkpoint.size != old_size || new_checkpoint.size != new_size) {
    cli_error("proof: 'old_size'/'new_size' differ from the checkpoints' sizes");
    return CLI_EXIT_FAILURE;
  }
  if (ledger_merkle_verify_consistency(old_size, new_size, old_checkpoint.root,
                                       new_checkpoint.root, &proof)) {
    cli_error("proof: the consistency proof does not hold: the log at size %llu does not "
              "extend the log at size %llu", (unsigned long long)new_size,
              (unsigned long long)old_size);
    return CLI_EXIT_FAILURE;
  }
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_fingerprint(log_id, fingerprint);
  printf("ok: log %s at size %llu extends its signed state at size %llu; nothing was "
         "rewritten\n", fingerprint, (unsigned long long)new_size, (unsigned long long)old_size);
  return CLI_EXIT_OK;
}

static int verify_file(const char *path)
{
  json_error_t error;
  FILE *file = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!file) {
    cli_error("cannot open proof file '%s'", path);
    return CLI_EXIT_FAILURE;
  }
  char *text = coop_malloc(COOP_PROOF_FILE_BYTES_MAX + 1);
  size_t length = text ? fread(text, 1, COOP_PROOF_FILE_BYTES_MAX + 1, file) : 0;
  if (file != stdin)
    fclose(file);
  if (!text || length > COOP_PROOF_FILE_BYTES_MAX) {
    coop_free(text);
    cli_error("proof file '%s' is larger than %u bytes", path, COOP_PROOF_FILE_BYTES_MAX);
    return CLI_EXIT_FAILURE;
  }
  json_t *document = json_loadb(text, length, JSON_REJECT_DUPLICATES, &error);
  coop_free(text);
  if (!json_is_object(document)) {
    cli_error("proof file '%s':%d:%d: %s", path, error.line, error.column,
              document ? "not a JSON object" : error.text);
    json_decref(document);
    return CLI_EXIT_FAILURE;
  }
  const char *format = json_string_value(json_object_get(document, "format"));
  int status;
  if (format && !strcmp(format, INCLUSION_FORMAT))
    status = verify_inclusion(document);
  else if (format && !strcmp(format, CONSISTENCY_FORMAT))
    status = verify_consistency(document);
  else {
    cli_error("proof file '%s': unknown 'format' (expected %s or %s)", path, INCLUSION_FORMAT,
              CONSISTENCY_FORMAT);
    status = CLI_EXIT_FAILURE;
  }
  json_decref(document);
  return status;
}

/* ---- the command -------------------------------------------------------- */

int cli_cmd_proof(int argc, char **argv)
{
  static const cli_spec spec = {"proof", usage, 0, 0};
  const char *size_text = NULL;
  const cli_option options[] = {
      CLI_VALUE("size", 0, "N", &size_text, "tree size for an inclusion proof"),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  unsigned long long size = 0, first = 0, second = 0;
  int have_size = size_text != NULL;
  if (have_size && cli_parse_u64(size_text, "--size", COOP_LOG_ENTRIES_MAX, &size))
    return CLI_EXIT_USAGE;
  const char *dir = args.dir;
  int positional = args.argc;
  char **operands = args.argv;
  const char *action = positional ? operands[0] : "";
  if (!strcmp(action, "verify") && positional == 2)
    return verify_file(operands[1]);
  if (!strcmp(action, "inclusion") && positional == 2) {
    if (cli_parse_u64(operands[1], "INDEX", COOP_LOG_ENTRIES_MAX, &first))
      return CLI_EXIT_USAGE;
  } else if (!strcmp(action, "consistency") && positional == 3) {
    if (cli_parse_u64(operands[1], "OLD", COOP_LOG_ENTRIES_MAX, &first) ||
        cli_parse_u64(operands[2], "NEW", COOP_LOG_ENTRIES_MAX, &second))
      return CLI_EXIT_USAGE;
  } else {
    return cli_usage_error("proof", "expected 'inclusion INDEX', 'consistency OLD NEW' or "
                                    "'verify FILE'");
  }
  if (have_size && strcmp(action, "inclusion"))
    return cli_usage_error("proof", "--size goes with 'inclusion' only");
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  status = !strcmp(action, "inclusion") ? make_inclusion(&opened, first, have_size, size)
                                            : make_consistency(&opened, first, second);
  node_close(&opened);
  return status;
}
