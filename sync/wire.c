/* The sync wire format: encoders, the strict decoder, and the two stream
 * readers.  Byte-exact in docs/protocol.md.
 *
 * Encoders write the message and then run the decoder over what they wrote,
 * undoing the append if it refuses: so the encoder accepts exactly what the
 * decoder accepts, by construction, and the rules live in one place. */
#include "sync/wire.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ledger/log/codec.h"

/* ---- Types -------------------------------------------------------------- */

typedef struct message_type_info {
  const char *name;
  size_t body_bytes_max;
} message_type_info;

static const message_type_info type_table[] = {
    [SYNC_MESSAGE_HELLO] = {"hello", SYNC_HELLO_BYTES_MAX},
    [SYNC_MESSAGE_HEADS] = {"heads", SYNC_HEADS_BYTES_MAX},
    [SYNC_MESSAGE_REQUEST] = {"request", SYNC_REQUEST_BYTES},
    [SYNC_MESSAGE_ENTRIES] = {"entries", SYNC_ENTRIES_BYTES_MAX},
    [SYNC_MESSAGE_FORK] = {"fork", SYNC_FORK_BYTES},
    [SYNC_MESSAGE_BYE] = {"bye", SYNC_BYE_BYTES_MAX},
    [SYNC_MESSAGE_PING] = {"ping", SYNC_NONCE_BYTES},
    [SYNC_MESSAGE_PONG] = {"pong", SYNC_NONCE_BYTES},
    [SYNC_MESSAGE_ENTRIES_ERASED] = {"entries-erased", SYNC_ENTRIES_ERASED_BYTES_MAX},
    [SYNC_MESSAGE_ERASURE_PROOF] = {"erasure-proof", SYNC_ERASURE_PROOF_BYTES_MAX},
};

static const message_type_info *type_info(unsigned type)
{
  if (type >= sizeof type_table / sizeof type_table[0] || !type_table[type].name)
    return NULL;
  return &type_table[type];
}

const char *sync_message_type_name(unsigned type)
{
  const message_type_info *info = type_info(type);
  return info ? info->name : "unknown";
}

size_t sync_message_body_bytes_max(unsigned type)
{
  const message_type_info *info = type_info(type);
  return info ? info->body_bytes_max : 0;
}

/* ---- Problems ------------------------------------------------------------- */

static coop_err fail(char *problem, coop_err err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the explanation (when the caller wants one) and returns `err`. */
static coop_err fail(char *problem, coop_err err, const char *format, ...)
{
  if (problem) {
    va_list args;
    va_start(args, format);
    vsnprintf(problem, SYNC_PROBLEM_BYTES, format, args);
    va_end(args);
  }
  return err;
}

/* A short-or-long length mismatch: too short is malformed, too long has
 * trailing bytes. */
static coop_err wrong_length(char *problem, const char *type, size_t found, size_t expected)
{
  if (found < expected)
    return fail(problem, COOP_E_DECODE, "'%s' message: %zu bytes, expected %zu", type, found,
                expected);
  return fail(problem, COOP_E_TRAILING, "'%s' message: %zu bytes, expected %zu (trailing bytes)",
              type, found, expected);
}

/* ---- Text --------------------------------------------------------------- */

/* One line of text for a log file: valid UTF-8, no control characters at all
 * (ledger_note_check allows newline and tab; names and reasons do not, as the
 * identity payload's name rule). */
static bool clean_line(const uint8_t *text, size_t text_bytes)
{
  if (text_bytes == 0 || ledger_note_check(text, text_bytes) != COOP_OK)
    return false;
  return !memchr(text, '\n', text_bytes) && !memchr(text, '\t', text_bytes);
}

static void copy_text(char *out, const uint8_t *text, size_t text_bytes)
{
  memcpy(out, text, text_bytes);
  out[text_bytes] = 0;
}

/* ---- Decoders, one per type ------------------------------------------------- */

static coop_err decode_hello(const uint8_t *body, size_t body_bytes, sync_hello *hello,
                             char *problem)
{
  /* The version comes first and is checked first: the first two bytes of
   * HELLO are the same in every version, so a node can always tell a newer
   * peer from a broken one. */
  if (body_bytes < 2)
    return wrong_length(problem, "hello", body_bytes, SYNC_HELLO_FIXED_BYTES);
  uint16_t version = coop_get_u16le(body);
  if (version != SYNC_PROTOCOL_VERSION)
    return fail(problem, COOP_E_VERSION, "'hello' message: protocol version %u, this node speaks %u",
                version, SYNC_PROTOCOL_VERSION);
  if (body_bytes < SYNC_HELLO_FIXED_BYTES)
    return wrong_length(problem, "hello", body_bytes, SYNC_HELLO_FIXED_BYTES);
  uint8_t role = body[2];
  uint32_t flags = coop_get_u32le(body + 3);
  size_t name_bytes = body[7];
  if (body_bytes != SYNC_HELLO_FIXED_BYTES + name_bytes)
    return wrong_length(problem, "hello", body_bytes, SYNC_HELLO_FIXED_BYTES + name_bytes);
  if (!ledger_role_name(role))
    return fail(problem, COOP_E_DECODE, "'hello' message: unknown role %u", role);
  if (flags != 0)
    return fail(problem, COOP_E_DECODE, "'hello' message: reserved flags 0x%08x set", flags);
  if (name_bytes > SYNC_NAME_BYTES_MAX)
    return fail(problem, COOP_E_LIMIT, "'hello' message: name of %zu bytes, at most %u",
                name_bytes, SYNC_NAME_BYTES_MAX);
  if (!clean_line(body + SYNC_HELLO_FIXED_BYTES, name_bytes))
    return fail(problem, COOP_E_DECODE,
                "'hello' message: name is empty, not UTF-8 or has control characters");
  hello->protocol_version = version;
  hello->role = role;
  hello->flags = flags;
  copy_text(hello->name, body + SYNC_HELLO_FIXED_BYTES, name_bytes);
  return COOP_OK;
}

/* Decodes one encoded checkpoint found in a message, naming it on failure. */
static coop_err decode_checkpoint(const uint8_t *bytes, ledger_checkpoint *checkpoint,
                                  char *problem, const char *type, const char *which)
{
  coop_err err = ledger_checkpoint_decode(bytes, LEDGER_CHECKPOINT_BYTES, checkpoint);
  if (err)
    return fail(problem, err, "'%s' message: %s does not decode: %s", type, which,
                coop_err_message(err));
  return COOP_OK;
}

static coop_err decode_heads(const uint8_t *body, size_t body_bytes, sync_heads *heads,
                             char *problem)
{
  if (body_bytes < SYNC_HEADS_FIXED_BYTES)
    return wrong_length(problem, "heads", body_bytes, SYNC_HEADS_FIXED_BYTES);
  uint32_t count = coop_get_u32le(body);
  if (count > SYNC_HEADS_MAX)
    return fail(problem, COOP_E_LIMIT, "'heads' message: %u checkpoints, at most %u", count,
                SYNC_HEADS_MAX);
  size_t expected = SYNC_HEADS_FIXED_BYTES + (size_t)count * LEDGER_CHECKPOINT_BYTES;
  if (body_bytes != expected)
    return wrong_length(problem, "heads", body_bytes, expected);
  const uint8_t *checkpoints = body + SYNC_HEADS_FIXED_BYTES;
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *bytes = checkpoints + (size_t)i * LEDGER_CHECKPOINT_BYTES;
    ledger_checkpoint checkpoint;
    char which[32];
    snprintf(which, sizeof which, "checkpoint %u", i);
    coop_err err = decode_checkpoint(bytes, &checkpoint, problem, "heads", which);
    if (err)
      return err;
    /* Strictly ascending log ids: one checkpoint per log, one encoding per
     * set of heads, and duplicates found in one pass. */
    const uint8_t *log_id = bytes + 2;
    if (i > 0 && memcmp(log_id - LEDGER_CHECKPOINT_BYTES, log_id, LEDGER_LOG_ID_BYTES) >= 0)
      return fail(problem, COOP_E_DECODE,
                  "'heads' message: checkpoint %u is not in ascending log id order", i);
  }
  heads->count = count;
  heads->checkpoints = checkpoints;
  return COOP_OK;
}

static coop_err decode_request(const uint8_t *body, size_t body_bytes, sync_request *request,
                               char *problem)
{
  if (body_bytes != SYNC_REQUEST_BYTES)
    return wrong_length(problem, "request", body_bytes, SYNC_REQUEST_BYTES);
  uint64_t from_index = coop_get_u64le(body + 32);
  uint32_t max_entries = coop_get_u32le(body + 40);
  if (from_index >= COOP_LOG_ENTRIES_MAX)
    return fail(problem, COOP_E_LIMIT, "'request' message: from index %llu past the log limit",
                (unsigned long long)from_index);
  if (max_entries == 0)
    return fail(problem, COOP_E_DECODE, "'request' message: asks for 0 entries");
  if (max_entries > SYNC_BATCH_ENTRIES_MAX)
    return fail(problem, COOP_E_LIMIT, "'request' message: asks for %u entries, at most %u",
                max_entries, SYNC_BATCH_ENTRIES_MAX);
  memcpy(request->log_id, body, LEDGER_LOG_ID_BYTES);
  request->from_index = from_index;
  request->max_entries = max_entries;
  return COOP_OK;
}

/* What decode_entries knows while it walks the entries. */
typedef struct entries_walk {
  const uint8_t *body;
  size_t end; /* where the entries must stop: the checkpoint starts here */
  const uint8_t *log_id;
  uint64_t first_index;
  ledger_ingest_entry *out; /* NULL: only validate */
  int with_forms;           /* ENTRIES_ERASED: a form byte before each entry */
  char *problem;
} entries_walk;

/* The form byte of entry `i` in ENTRIES_ERASED (0: payload, 1: erased);
 * always 0 in ENTRIES. */
static coop_err walk_form(const entries_walk *walk, uint32_t i, size_t *position, int *erased)
{
  *erased = 0;
  if (!walk->with_forms)
    return COOP_OK;
  if (walk->end - *position < 1)
    return fail(walk->problem, COOP_E_DECODE, "'entries' message: entry %u is cut short", i);
  uint8_t form = walk->body[(*position)++];
  if (form > 1)
    return fail(walk->problem, COOP_E_DECODE, "'entries' message: entry %u: form %u", i, form);
  *erased = form == 1;
  return COOP_OK;
}

/* Checks entry `i` at *position and moves past it; *erased says its form. */
static coop_err walk_entry(const entries_walk *walk, uint32_t i, size_t *position,
                           size_t *entries_bytes, int *erased_out)
{
  int erased;
  coop_err err = walk_form(walk, i, position, &erased);
  *erased_out = erased;
  if (err)
    return err;
  size_t start = *position;
  if (walk->end - start < LEDGER_ENTRY_HEADER_BYTES)
    return fail(walk->problem, COOP_E_DECODE, "'entries' message: entry %u is cut short", i);
  const uint8_t *header_bytes = walk->body + start;
  ledger_entry_header header;
  err = ledger_entry_header_decode(header_bytes, LEDGER_ENTRY_HEADER_BYTES, &header);
  if (err)
    return fail(walk->problem, err, "'entries' message: entry %u: header does not decode: %s", i,
                coop_err_message(err));
  if (memcmp(header.log_id, walk->log_id, LEDGER_LOG_ID_BYTES) != 0)
    return fail(walk->problem, COOP_E_DECODE, "'entries' message: entry %u names another log", i);
  if (header.index != walk->first_index + i)
    return fail(walk->problem, COOP_E_DECODE,
                "'entries' message: entry %u names index %llu, expected %llu", i,
                (unsigned long long)header.index,
                (unsigned long long)(walk->first_index + i));
  size_t payload_start = start + LEDGER_ENTRY_HEADER_BYTES;
  size_t carried = erased ? LEDGER_HASH_BYTES : header.payload_bytes;
  if (walk->end - payload_start < carried)
    return fail(walk->problem, COOP_E_DECODE,
                "'entries' message: entry %u: payload of %zu bytes is cut short", i, carried);
  *entries_bytes += (walk->with_forms ? 1u : 0u) + LEDGER_ENTRY_HEADER_BYTES + carried;
  if (*entries_bytes > SYNC_BATCH_BYTES_MAX)
    return fail(walk->problem, COOP_E_LIMIT,
                "'entries' message: entries pass %u bytes at entry %u", SYNC_BATCH_BYTES_MAX, i);
  if (walk->out)
    walk->out[i] = (ledger_ingest_entry){
        .header = header_bytes,
        .payload = erased ? NULL : walk->body + payload_start,
        .payload_hash = erased ? walk->body + payload_start : NULL};
  *position = payload_start + carried;
  return COOP_OK;
}

static coop_err decode_entries(const uint8_t *body, size_t body_bytes, int with_forms,
                               ledger_ingest_entry *entries, size_t entries_capacity,
                               sync_entries *decoded, char *problem)
{
  if (body_bytes < SYNC_ENTRIES_FIXED_BYTES)
    return wrong_length(problem, "entries", body_bytes, SYNC_ENTRIES_FIXED_BYTES);
  uint64_t first_index = coop_get_u64le(body + 32);
  uint32_t count = coop_get_u32le(body + 40);
  if (count > SYNC_BATCH_ENTRIES_MAX)
    return fail(problem, COOP_E_LIMIT, "'entries' message: %u entries, at most %u", count,
                SYNC_BATCH_ENTRIES_MAX);
  if (entries && count > entries_capacity)
    return fail(problem, COOP_E_LIMIT, "'entries' message: %u entries, room for %zu", count,
                entries_capacity);
  if (first_index > COOP_LOG_ENTRIES_MAX || count > COOP_LOG_ENTRIES_MAX - first_index)
    return fail(problem, COOP_E_LIMIT, "'entries' message: entries from index %llu past the log limit",
                (unsigned long long)first_index);
  entries_walk walk = {.body = body,
                       .end = body_bytes - LEDGER_CHECKPOINT_BYTES,
                       .log_id = body,
                       .first_index = first_index,
                       .out = entries,
                       .with_forms = with_forms,
                       .problem = problem};
  size_t position = 44;
  size_t entries_bytes = 0;
  uint32_t erased = 0;
  for (uint32_t i = 0; i < count; i++) {
    int this_erased = 0;
    coop_err err = walk_entry(&walk, i, &position, &entries_bytes, &this_erased);
    if (err)
      return err;
    erased += (uint32_t)this_erased;
  }
  /* One encoding per batch: without an erased entry it is an ENTRIES. */
  if (with_forms && !erased)
    return fail(problem, COOP_E_DECODE, "'entries-erased' message without an erased entry");
  if (position != walk.end)
    return fail(problem, COOP_E_TRAILING,
                "'entries' message: %zu bytes between the last entry and the checkpoint",
                walk.end - position);
  ledger_checkpoint checkpoint;
  coop_err err = decode_checkpoint(body + walk.end, &checkpoint, problem, "entries", "checkpoint");
  if (err)
    return err;
  if (memcmp(checkpoint.log_id, body, LEDGER_LOG_ID_BYTES) != 0)
    return fail(problem, COOP_E_DECODE, "'entries' message: checkpoint names another log");
  if (checkpoint.size != first_index + count)
    return fail(problem, COOP_E_DECODE,
                "'entries' message: checkpoint of size %llu, expected %llu",
                (unsigned long long)checkpoint.size,
                (unsigned long long)(first_index + count));
  memcpy(decoded->log_id, body, LEDGER_LOG_ID_BYTES);
  decoded->first_index = first_index;
  decoded->count = count;
  decoded->entries = entries;
  decoded->checkpoint = checkpoint;
  return COOP_OK;
}

static coop_err decode_fork(const uint8_t *body, size_t body_bytes, sync_fork *fork,
                            char *problem)
{
  if (body_bytes != SYNC_FORK_BYTES)
    return wrong_length(problem, "fork", body_bytes, SYNC_FORK_BYTES);
  ledger_checkpoint first;
  ledger_checkpoint second;
  coop_err err = decode_checkpoint(body, &first, problem, "fork", "first checkpoint");
  if (!err)
    err = decode_checkpoint(body + LEDGER_CHECKPOINT_BYTES, &second, problem, "fork",
                            "second checkpoint");
  if (err)
    return err;
  if (memcmp(first.log_id, second.log_id, LEDGER_LOG_ID_BYTES) != 0)
    return fail(problem, COOP_E_DECODE, "'fork' message: the checkpoints name different logs");
  if (first.size == second.size && !ledger_checkpoint_same_size_fork(&first, &second))
    return fail(problem, COOP_E_DECODE,
                "'fork' message: the checkpoints of size %llu have the same root",
                (unsigned long long)first.size);
  fork->first = first;
  fork->second = second;
  return COOP_OK;
}

static coop_err decode_bye(const uint8_t *body, size_t body_bytes, sync_bye *bye, char *problem)
{
  if (body_bytes < SYNC_BYE_FIXED_BYTES)
    return wrong_length(problem, "bye", body_bytes, SYNC_BYE_FIXED_BYTES);
  uint16_t reason_code = coop_get_u16le(body);
  size_t reason_bytes = body[2];
  if (body_bytes != SYNC_BYE_FIXED_BYTES + reason_bytes)
    return wrong_length(problem, "bye", body_bytes, SYNC_BYE_FIXED_BYTES + reason_bytes);
  if (reason_code == 0)
    return fail(problem, COOP_E_DECODE, "'bye' message: reason code 0");
  if (reason_bytes > SYNC_REASON_BYTES_MAX)
    return fail(problem, COOP_E_LIMIT, "'bye' message: reason of %zu bytes, at most %u",
                reason_bytes, SYNC_REASON_BYTES_MAX);
  if (reason_bytes && !clean_line(body + SYNC_BYE_FIXED_BYTES, reason_bytes))
    return fail(problem, COOP_E_DECODE, "'bye' message: reason is not UTF-8 or has control characters");
  bye->reason_code = reason_code;
  copy_text(bye->reason, body + SYNC_BYE_FIXED_BYTES, reason_bytes);
  return COOP_OK;
}

static coop_err decode_nonce(const uint8_t *body, size_t body_bytes, uint64_t *nonce,
                             char *problem, const char *type)
{
  if (body_bytes != SYNC_NONCE_BYTES)
    return wrong_length(problem, type, body_bytes, SYNC_NONCE_BYTES);
  *nonce = coop_get_u64le(body);
  return COOP_OK;
}

/* Checks the shape only: the checkpoint and header decode, the lengths
 * add up.  Whether it proves anything is the store's to say. */
static coop_err decode_erasure_proof(const uint8_t *body, size_t body_bytes,
                                     ledger_erasure_proof *proof, char *problem)
{
  if (body_bytes < SYNC_ERASURE_PROOF_FIXED_BYTES)
    return wrong_length(problem, "erasure-proof", body_bytes, SYNC_ERASURE_PROOF_FIXED_BYTES);
  coop_err err = decode_checkpoint(body, &proof->checkpoint, problem, "erasure-proof",
                                   "checkpoint");
  if (err)
    return err;
  size_t position = LEDGER_CHECKPOINT_BYTES;
  proof->index = coop_get_u64le(body + position);
  unsigned count = body[position + 8];
  position += 9;
  if (count > COOP_PROOF_HASHES_MAX)
    return fail(problem, COOP_E_LIMIT, "'erasure-proof' message: %u proof hashes, at most %u",
                count, COOP_PROOF_HASHES_MAX);
  size_t fixed = SYNC_ERASURE_PROOF_FIXED_BYTES + (size_t)count * LEDGER_HASH_BYTES;
  if (body_bytes < fixed)
    return wrong_length(problem, "erasure-proof", body_bytes, fixed);
  proof->proof.count = count;
  memcpy(proof->proof.hashes, body + position, (size_t)count * LEDGER_HASH_BYTES);
  position += (size_t)count * LEDGER_HASH_BYTES;
  ledger_entry_header header;
  err = ledger_entry_header_decode(body + position, LEDGER_ENTRY_HEADER_BYTES, &header);
  if (err)
    return fail(problem, err, "'erasure-proof' message: the entry header does not decode");
  proof->header = body + position;
  proof->payload = body + fixed;
  if (body_bytes != fixed + header.payload_bytes)
    return wrong_length(problem, "erasure-proof", body_bytes, fixed + header.payload_bytes);
  return COOP_OK;
}

/* The decoder proper.  `entries` NULL validates an ENTRIES body without
 * keeping pointers (the encoders' self-check). */
static coop_err decode_body(unsigned type, const uint8_t *body, size_t body_bytes,
                            ledger_ingest_entry *entries, size_t entries_capacity,
                            sync_message *message, char *problem)
{
  switch (type) {
  case SYNC_MESSAGE_HELLO:
    return decode_hello(body, body_bytes, &message->as.hello, problem);
  case SYNC_MESSAGE_HEADS:
    return decode_heads(body, body_bytes, &message->as.heads, problem);
  case SYNC_MESSAGE_REQUEST:
    return decode_request(body, body_bytes, &message->as.request, problem);
  case SYNC_MESSAGE_ENTRIES:
  case SYNC_MESSAGE_ENTRIES_ERASED:
    return decode_entries(body, body_bytes, type == SYNC_MESSAGE_ENTRIES_ERASED, entries,
                          entries_capacity, &message->as.entries, problem);
  case SYNC_MESSAGE_FORK:
    return decode_fork(body, body_bytes, &message->as.fork, problem);
  case SYNC_MESSAGE_BYE:
    return decode_bye(body, body_bytes, &message->as.bye, problem);
  case SYNC_MESSAGE_PING:
    return decode_nonce(body, body_bytes, &message->as.nonce, problem, "ping");
  case SYNC_MESSAGE_PONG:
    return decode_nonce(body, body_bytes, &message->as.nonce, problem, "pong");
  case SYNC_MESSAGE_ERASURE_PROOF:
    return decode_erasure_proof(body, body_bytes, &message->as.erasure_proof, problem);
  default:
    return fail(problem, COOP_E_DECODE, "unknown message type %u", type);
  }
}

coop_err sync_message_decode(unsigned type, const uint8_t *body, size_t body_bytes,
                             ledger_ingest_entry *entries, size_t entries_capacity,
                             sync_message *message, char problem[SYNC_PROBLEM_BYTES])
{
  memset(message, 0, sizeof *message);
  if (problem)
    problem[0] = 0;
  /* An ENTRIES decode always needs somewhere to put the entries; an empty
   * array still takes a batch of 0 (a bare checkpoint). */
  static ledger_ingest_entry no_entries[1];
  if (!entries) {
    entries = no_entries;
    entries_capacity = 0;
  }
  coop_err err = decode_body(type, body, body_bytes, entries, entries_capacity, message, problem);
  if (err) {
    memset(message, 0, sizeof *message);
    return err;
  }
  message->type = (sync_message_type)type;
  return COOP_OK;
}

void sync_heads_checkpoint(const sync_heads *heads, uint32_t index,
                           ledger_checkpoint *checkpoint)
{
  assert(index < heads->count);
  coop_err err = ledger_checkpoint_decode(heads->checkpoints + (size_t)index *
                                              LEDGER_CHECKPOINT_BYTES,
                                          LEDGER_CHECKPOINT_BYTES, checkpoint);
  /* The decoder checked every checkpoint of the message already. */
  assert(err == COOP_OK);
  (void)err;
}

/* ---- Encoders ----------------------------------------------------------------- */

/* Reserves room for the whole message and writes its length and type, so the
 * field appends that follow cannot fail. */
static coop_err begin_message(coop_buf *out, unsigned type, size_t body_bytes, size_t *start)
{
  assert(type_info(type));
  if (body_bytes > sync_message_body_bytes_max(type))
    return COOP_E_LIMIT;
  coop_err err = coop_buf_grow(out, SYNC_MESSAGE_HEADER_BYTES + body_bytes);
  if (err)
    return err;
  *start = out->len;
  err = coop_buf_append_u32le(out, (uint32_t)body_bytes);
  assert(err == COOP_OK);
  err = coop_buf_append_u8(out, (uint8_t)type);
  assert(err == COOP_OK);
  return err;
}

static void put(coop_buf *out, const void *bytes, size_t count)
{
  coop_err err = coop_buf_append(out, bytes, count);
  assert(err == COOP_OK); /* room was reserved by begin_message */
  (void)err;
}

static void put_u8(coop_buf *out, uint8_t value) { put(out, &value, 1); }

static void put_u16(coop_buf *out, uint16_t value)
{
  uint8_t bytes[2];
  coop_put_u16le(bytes, value);
  put(out, bytes, sizeof bytes);
}

static void put_u32(coop_buf *out, uint32_t value)
{
  uint8_t bytes[4];
  coop_put_u32le(bytes, value);
  put(out, bytes, sizeof bytes);
}

static void put_u64(coop_buf *out, uint64_t value)
{
  uint8_t bytes[8];
  coop_put_u64le(bytes, value);
  put(out, bytes, sizeof bytes);
}

static void put_checkpoint(coop_buf *out, const ledger_checkpoint *checkpoint)
{
  uint8_t bytes[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(checkpoint, bytes);
  put(out, bytes, sizeof bytes);
}

/* Checks the message just written with the decoder; takes it back out of the
 * buffer when the decoder refuses it. */
static coop_err finish_message(coop_buf *out, size_t start)
{
  const uint8_t *message = out->data + start;
  size_t body_bytes = coop_get_u32le(message);
  assert(out->len - start == SYNC_MESSAGE_HEADER_BYTES + body_bytes);
  sync_message decoded;
  coop_err err = decode_body(message[4], message + SYNC_MESSAGE_HEADER_BYTES, body_bytes, NULL, 0,
                             &decoded, NULL);
  if (err) {
    out->len = start;
    out->data[start] = 0;
    return COOP_E_BAD_INPUT;
  }
  return COOP_OK;
}

static coop_err encode_hello(coop_buf *out, uint16_t version, uint8_t role, uint32_t flags,
                             const char *name)
{
  /* strnlen: a hand-filled sync_hello need not hold a NUL in its array. */
  size_t name_bytes = strnlen(name, SYNC_NAME_BYTES_MAX + 1);
  if (name_bytes > SYNC_NAME_BYTES_MAX)
    return COOP_E_LIMIT;
  size_t start;
  coop_err err = begin_message(out, SYNC_MESSAGE_HELLO, SYNC_HELLO_FIXED_BYTES + name_bytes,
                               &start);
  if (err)
    return err;
  put_u16(out, version);
  put_u8(out, role);
  put_u32(out, flags);
  put_u8(out, (uint8_t)name_bytes);
  put(out, name, name_bytes);
  return finish_message(out, start);
}

coop_err sync_encode_hello(coop_buf *out, uint8_t role, const char *name)
{
  return encode_hello(out, SYNC_PROTOCOL_VERSION, role, 0, name);
}

coop_err sync_encode_heads(coop_buf *out, const ledger_checkpoint *checkpoints, size_t count)
{
  if (count > SYNC_HEADS_MAX)
    return COOP_E_LIMIT;
  size_t start;
  coop_err err = begin_message(out, SYNC_MESSAGE_HEADS,
                               SYNC_HEADS_FIXED_BYTES + count * LEDGER_CHECKPOINT_BYTES, &start);
  if (err)
    return err;
  put_u32(out, (uint32_t)count);
  for (size_t i = 0; i < count; i++)
    put_checkpoint(out, &checkpoints[i]);
  return finish_message(out, start);
}

/* HEADS from a decoded message: the checkpoints are already encoded. */
static coop_err encode_heads_raw(coop_buf *out, const sync_heads *heads)
{
  if (heads->count > SYNC_HEADS_MAX)
    return COOP_E_LIMIT;
  size_t checkpoints_bytes = (size_t)heads->count * LEDGER_CHECKPOINT_BYTES;
  size_t start;
  coop_err err = begin_message(out, SYNC_MESSAGE_HEADS,
                               SYNC_HEADS_FIXED_BYTES + checkpoints_bytes, &start);
  if (err)
    return err;
  put_u32(out, heads->count);
  put(out, heads->checkpoints, checkpoints_bytes);
  return finish_message(out, start);
}

coop_err sync_encode_request(coop_buf *out, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                             uint64_t from_index, uint32_t max_entries)
{
  size_t start;
  coop_err err = begin_message(out, SYNC_MESSAGE_REQUEST, SYNC_REQUEST_BYTES, &start);
  if (err)
    return err;
  put(out, log_id, LEDGER_LOG_ID_BYTES);
  put_u64(out, from_index);
  put_u32(out, max_entries);
  return finish_message(out, start);
}

coop_err sync_encode_entries(coop_buf *out, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                             uint64_t first_index, const ledger_ingest_entry *entries,
                             size_t count, const ledger_checkpoint *checkpoint)
{
  if (count > SYNC_BATCH_ENTRIES_MAX)
    return COOP_E_LIMIT;
  /* Measure first: a batch that does not fit is refused before anything is
   * copied, and a header's payload length is checked before it says how much
   * of the caller's payload to read. */
  int any_erased = 0;
  for (size_t i = 0; i < count; i++)
    any_erased |= !entries[i].payload;
  size_t entries_bytes = 0;
  for (size_t i = 0; i < count; i++) {
    uint32_t payload_bytes = coop_get_u32le(entries[i].header + 4);
    if (payload_bytes > COOP_PAYLOAD_BYTES_MAX || (!entries[i].payload && !entries[i].payload_hash))
      return COOP_E_BAD_INPUT;
    entries_bytes += (any_erased ? 1u : 0u) + LEDGER_ENTRY_HEADER_BYTES +
                     (entries[i].payload ? payload_bytes : LEDGER_HASH_BYTES);
    if (entries_bytes > SYNC_BATCH_BYTES_MAX)
      return COOP_E_LIMIT;
  }
  size_t start;
  coop_err err = begin_message(out, any_erased ? SYNC_MESSAGE_ENTRIES_ERASED : SYNC_MESSAGE_ENTRIES,
                               SYNC_ENTRIES_FIXED_BYTES + entries_bytes, &start);
  if (err)
    return err;
  put(out, log_id, LEDGER_LOG_ID_BYTES);
  put_u64(out, first_index);
  put_u32(out, (uint32_t)count);
  for (size_t i = 0; i < count; i++) {
    if (any_erased) {
      uint8_t form = entries[i].payload ? 0 : 1;
      put(out, &form, 1);
    }
    put(out, entries[i].header, LEDGER_ENTRY_HEADER_BYTES);
    if (entries[i].payload)
      put(out, entries[i].payload, coop_get_u32le(entries[i].header + 4));
    else
      put(out, entries[i].payload_hash, LEDGER_HASH_BYTES);
  }
  put_checkpoint(out, checkpoint);
  return finish_message(out, start);
}

coop_err sync_encode_erasure_proof(coop_buf *out, const ledger_erasure_proof *proof)
{
  if (!proof->header)
    return COOP_E_BAD_INPUT;
  uint32_t payload_bytes = coop_get_u32le(proof->header + 4);
  if (payload_bytes > COOP_PAYLOAD_BYTES_MAX || (payload_bytes && !proof->payload) ||
      proof->proof.count > COOP_PROOF_HASHES_MAX)
    return COOP_E_BAD_INPUT;
  size_t hashes_bytes = (size_t)proof->proof.count * LEDGER_HASH_BYTES;
  size_t start;
  coop_err err = begin_message(out, SYNC_MESSAGE_ERASURE_PROOF,
                               SYNC_ERASURE_PROOF_FIXED_BYTES + hashes_bytes + payload_bytes,
                               &start);
  if (err)
    return err;
  put_checkpoint(out, &proof->checkpoint);
  put_u64(out, proof->index);
  put_u8(out, (uint8_t)proof->proof.count);
  put(out, proof->proof.hashes, hashes_bytes);
  put(out, proof->header, LEDGER_ENTRY_HEADER_BYTES);
  put(out, proof->payload, payload_bytes);
  return finish_message(out, start);
}

coop_err sync_encode_fork(coop_buf *out, const ledger_checkpoint *first,
                          const ledger_checkpoint *second)
{
  size_t start;
  coop_err err = begin_message(out, SYNC_MESSAGE_FORK, SYNC_FORK_BYTES, &start);
  if (err)
    return err;
  put_checkpoint(out, first);
  put_checkpoint(out, second);
  return finish_message(out, start);
}

coop_err sync_encode_bye(coop_buf *out, uint16_t reason_code, const char *reason)
{
  size_t reason_bytes = strnlen(reason, SYNC_REASON_BYTES_MAX + 1);
  if (reason_bytes > SYNC_REASON_BYTES_MAX)
    return COOP_E_LIMIT;
  size_t start;
  coop_err err = begin_message(out, SYNC_MESSAGE_BYE, SYNC_BYE_FIXED_BYTES + reason_bytes,
                               &start);
  if (err)
    return err;
  put_u16(out, reason_code);
  put_u8(out, (uint8_t)reason_bytes);
  put(out, reason, reason_bytes);
  return finish_message(out, start);
}

static coop_err encode_nonce(coop_buf *out, unsigned type, uint64_t nonce)
{
  size_t start;
  coop_err err = begin_message(out, type, SYNC_NONCE_BYTES, &start);
  if (err)
    return err;
  put_u64(out, nonce);
  return finish_message(out, start);
}

coop_err sync_encode_ping(coop_buf *out, uint64_t nonce)
{
  return encode_nonce(out, SYNC_MESSAGE_PING, nonce);
}

coop_err sync_encode_pong(coop_buf *out, uint64_t nonce)
{
  return encode_nonce(out, SYNC_MESSAGE_PONG, nonce);
}

coop_err sync_message_encode(coop_buf *out, const sync_message *message)
{
  const sync_hello *hello = &message->as.hello;
  const sync_entries *entries = &message->as.entries;
  switch (message->type) {
  case SYNC_MESSAGE_HELLO:
    return encode_hello(out, hello->protocol_version, hello->role, hello->flags, hello->name);
  case SYNC_MESSAGE_HEADS:
    return encode_heads_raw(out, &message->as.heads);
  case SYNC_MESSAGE_REQUEST:
    return sync_encode_request(out, message->as.request.log_id, message->as.request.from_index,
                               message->as.request.max_entries);
  case SYNC_MESSAGE_ENTRIES:
  case SYNC_MESSAGE_ENTRIES_ERASED:
    return sync_encode_entries(out, entries->log_id, entries->first_index, entries->entries,
                               entries->count, &entries->checkpoint);
  case SYNC_MESSAGE_FORK:
    return sync_encode_fork(out, &message->as.fork.first, &message->as.fork.second);
  case SYNC_MESSAGE_BYE:
    return sync_encode_bye(out, message->as.bye.reason_code, message->as.bye.reason);
  case SYNC_MESSAGE_PING:
  case SYNC_MESSAGE_PONG:
    return encode_nonce(out, message->type, message->as.nonce);
  case SYNC_MESSAGE_ERASURE_PROOF:
    return sync_encode_erasure_proof(out, &message->as.erasure_proof);
  }
  return COOP_E_BAD_INPUT;
}

/* ---- Message reader -------------------------------------------------------------- */

static void message_reader_clear(sync_message_reader *reader)
{
  reader->header_bytes = 0;
  reader->body_bytes = 0;
  reader->yielded = false;
  coop_buf_reset(&reader->body);
}

void sync_message_reader_init(sync_message_reader *reader)
{
  memset(reader, 0, sizeof *reader);
  coop_buf_init(&reader->body, SYNC_MESSAGE_BYTES_MAX);
}

void sync_message_reader_release(sync_message_reader *reader)
{
  coop_buf_release(&reader->body);
  sync_message_reader_init(reader);
}

static coop_err message_reader_fail(sync_message_reader *reader, coop_err err,
                                    const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static coop_err message_reader_fail(sync_message_reader *reader, coop_err err,
                                    const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(reader->problem, sizeof reader->problem, format, args);
  va_end(args);
  reader->error = err;
  return err;
}

/* Takes one header byte; checks the length as soon as it is complete and the
 * type as soon as it arrives, so nothing past a limit is ever buffered. */
static coop_err message_reader_header_byte(sync_message_reader *reader, uint8_t byte,
                                           uint64_t offset)
{
  reader->header[reader->header_bytes++] = byte;
  if (reader->header_bytes == 4) {
    uint32_t body_bytes = coop_get_u32le(reader->header);
    if (body_bytes > SYNC_MESSAGE_BYTES_MAX)
      return message_reader_fail(reader, COOP_E_LIMIT,
                                 "message at stream byte %llu: body of %u bytes, at most %u",
                                 (unsigned long long)offset, body_bytes, SYNC_MESSAGE_BYTES_MAX);
    reader->body_bytes = body_bytes;
  }
  if (reader->header_bytes < SYNC_MESSAGE_HEADER_BYTES)
    return COOP_OK;
  unsigned type = reader->header[4];
  size_t body_bytes_max = sync_message_body_bytes_max(type);
  if (!body_bytes_max)
    return message_reader_fail(reader, COOP_E_DECODE,
                               "message at stream byte %llu: unknown message type %u",
                               (unsigned long long)offset, type);
  if (reader->body_bytes > body_bytes_max)
    return message_reader_fail(reader, COOP_E_LIMIT,
                               "'%s' message at stream byte %llu: body of %zu bytes, at most %zu",
                               sync_message_type_name(type), (unsigned long long)offset,
                               reader->body_bytes, body_bytes_max);
  if (coop_buf_grow(&reader->body, reader->body_bytes) != COOP_OK)
    return message_reader_fail(reader, COOP_E_NOMEM,
                               "'%s' message at stream byte %llu: no memory for %zu bytes",
                               sync_message_type_name(type), (unsigned long long)offset,
                               reader->body_bytes);
  return COOP_OK;
}

coop_err sync_message_reader_push(sync_message_reader *reader, const uint8_t *bytes,
                                  size_t bytes_count, size_t *consumed, bool *complete,
                                  sync_raw_message *message)
{
  *consumed = 0;
  *complete = false;
  *message = (sync_raw_message){0, reader->body.data, 0};
  if (reader->error)
    return reader->error;
  if (reader->yielded)
    message_reader_clear(reader);
  uint64_t message_offset = reader->stream_offset - reader->header_bytes - reader->body.len;
  size_t used = 0;
  coop_err err = COOP_OK;
  while (!err && reader->header_bytes < SYNC_MESSAGE_HEADER_BYTES && used < bytes_count)
    err = message_reader_header_byte(reader, bytes[used++], message_offset);
  if (!err && reader->header_bytes == SYNC_MESSAGE_HEADER_BYTES) {
    size_t wanted = reader->body_bytes - reader->body.len;
    size_t take = bytes_count - used < wanted ? bytes_count - used : wanted;
    err = coop_buf_append(&reader->body, bytes + used, take);
    assert(err == COOP_OK); /* grown to body_bytes when the header completed */
    used += take;
    if (reader->body.len == reader->body_bytes) {
      reader->yielded = true;
      reader->messages++;
      *complete = true;
      *message = (sync_raw_message){reader->header[4], reader->body.data, reader->body.len};
    }
  }
  reader->stream_offset += used;
  *consumed = used;
  return err;
}

bool sync_message_reader_is_idle(const sync_message_reader *reader)
{
  return !reader->error && (reader->yielded || reader->header_bytes == 0);
}

/* ---- Frame reader ---------------------------------------------------------------- */

void sync_frame_reader_init(sync_frame_reader *reader)
{
  memset(reader, 0, sizeof *reader);
  coop_buf_init(&reader->frame, SYNC_FRAME_BYTES_MAX);
}

void sync_frame_reader_release(sync_frame_reader *reader)
{
  coop_buf_release(&reader->frame);
  sync_frame_reader_init(reader);
}

static coop_err frame_reader_fail(sync_frame_reader *reader, coop_err err, const char *what,
                                  uint64_t offset)
{
  snprintf(reader->problem, sizeof reader->problem, "frame at stream byte %llu: %s",
           (unsigned long long)offset, what);
  reader->error = err;
  return err;
}

static coop_err frame_reader_fail_length(sync_frame_reader *reader, uint64_t offset)
{
  char what[64];
  snprintf(what, sizeof what, "length %zu, expected %zu", reader->frame_bytes,
           reader->expected_bytes);
  return frame_reader_fail(reader, COOP_E_DECODE, what, offset);
}

coop_err sync_frame_reader_push(sync_frame_reader *reader, const uint8_t *bytes,
                                size_t bytes_count, size_t *consumed, bool *complete,
                                sync_frame *frame)
{
  *consumed = 0;
  *complete = false;
  *frame = (sync_frame){reader->frame.data, 0};
  if (reader->error)
    return reader->error;
  if (reader->yielded) {
    reader->length_prefix_bytes = 0;
    reader->frame_bytes = 0;
    reader->yielded = false;
    coop_buf_reset(&reader->frame);
  }
  uint64_t frame_offset = reader->stream_offset - reader->length_prefix_bytes - reader->frame.len;
  size_t used = 0;
  coop_err err = COOP_OK;
  while (reader->length_prefix_bytes < SYNC_FRAME_LENGTH_BYTES && used < bytes_count) {
    reader->length_prefix[reader->length_prefix_bytes++] = bytes[used++];
    if (reader->length_prefix_bytes < SYNC_FRAME_LENGTH_BYTES)
      continue;
    reader->frame_bytes = coop_get_u16le(reader->length_prefix);
    if (reader->frame_bytes == 0)
      err = frame_reader_fail(reader, COOP_E_DECODE, "length 0", frame_offset);
    else if (reader->expected_bytes && reader->frame_bytes != reader->expected_bytes)
      err = frame_reader_fail_length(reader, frame_offset);
    else if (coop_buf_grow(&reader->frame, reader->frame_bytes) != COOP_OK)
      err = frame_reader_fail(reader, COOP_E_NOMEM, "no memory", frame_offset);
  }
  if (!err && reader->length_prefix_bytes == SYNC_FRAME_LENGTH_BYTES) {
    size_t wanted = reader->frame_bytes - reader->frame.len;
    size_t take = bytes_count - used < wanted ? bytes_count - used : wanted;
    err = coop_buf_append(&reader->frame, bytes + used, take);
    assert(err == COOP_OK); /* grown to frame_bytes when the prefix completed */
    used += take;
    if (reader->frame.len == reader->frame_bytes) {
      reader->yielded = true;
      reader->frames++;
      *complete = true;
      *frame = (sync_frame){reader->frame.data, reader->frame.len};
    }
  }
  reader->stream_offset += used;
  *consumed = used;
  return err;
}

void sync_frame_reader_expect(sync_frame_reader *reader, size_t bytes)
{
  reader->expected_bytes = bytes;
}

bool sync_frame_reader_is_idle(const sync_frame_reader *reader)
{
  return !reader->error && (reader->yielded || reader->length_prefix_bytes == 0);
}

/* ---- Writing frames ----------------------------------------------------------------- */

void sync_prologue(const uint8_t network_id[SYNC_NETWORK_ID_BYTES],
                   uint8_t out[SYNC_PROLOGUE_BYTES])
{
  memcpy(out, SYNC_PROLOGUE_TAG, SYNC_PROLOGUE_TAG_BYTES);
  memcpy(out + SYNC_PROLOGUE_TAG_BYTES, network_id, SYNC_NETWORK_ID_BYTES);
}

coop_err sync_frame_encode(coop_buf *out, const uint8_t *data, size_t data_bytes)
{
  if (data_bytes == 0)
    return COOP_E_BAD_INPUT;
  if (data_bytes > SYNC_FRAME_BYTES_MAX)
    return COOP_E_LIMIT;
  coop_err err = coop_buf_grow(out, SYNC_FRAME_LENGTH_BYTES + data_bytes);
  if (err)
    return err;
  err = coop_buf_append_u16le(out, (uint16_t)data_bytes);
  if (!err)
    err = coop_buf_append(out, data, data_bytes);
  assert(err == COOP_OK);
  return err;
}

coop_err sync_transport_seal(sync_noise_cipher *send, const uint8_t *plaintext,
                             size_t plaintext_bytes, coop_buf *out)
{
  if (plaintext_bytes == 0)
    return COOP_OK;
  size_t chunk_max = SYNC_NOISE_PLAINTEXT_BYTES_MAX;
  size_t chunks = plaintext_bytes / chunk_max + (plaintext_bytes % chunk_max != 0);
  size_t overhead = SYNC_FRAME_LENGTH_BYTES + SYNC_NOISE_TAG_BYTES;
  if (chunks > (SIZE_MAX - plaintext_bytes) / overhead)
    return COOP_E_LIMIT;
  coop_err err = coop_buf_grow(out, plaintext_bytes + chunks * overhead);
  if (err)
    return err;
  size_t start = out->len;
  for (size_t offset = 0; offset < plaintext_bytes;) {
    size_t chunk = plaintext_bytes - offset < chunk_max ? plaintext_bytes - offset : chunk_max;
    uint8_t *frame = out->data + out->len;
    size_t ciphertext_bytes = 0;
    size_t room = out->capacity - out->len - SYNC_FRAME_LENGTH_BYTES;
    err = sync_noise_encrypt(send, plaintext + offset, chunk, frame + SYNC_FRAME_LENGTH_BYTES,
                             room, &ciphertext_bytes);
    if (err) {
      out->len = start;
      out->data[start] = 0;
      return err;
    }
    assert(ciphertext_bytes == chunk + SYNC_NOISE_TAG_BYTES);
    coop_put_u16le(frame, (uint16_t)ciphertext_bytes);
    out->len += SYNC_FRAME_LENGTH_BYTES + ciphertext_bytes;
    offset += chunk;
  }
  out->data[out->len] = 0;
  return COOP_OK;
}
