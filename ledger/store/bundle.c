#include "ledger/store/bundle.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/base/limits.h"

/* ---- export -------------------------------------------------------------- */

typedef struct exporter {
  ledger_store *store;
  const uint8_t *log_id;
  FILE *out;
  uint64_t cursor;    /* next entry to write */
  uint64_t segment_end;
  uint64_t written;
  /* The segment being written: each entry as `form | header | payload` (form
   * 0) or `form | header | payload hash` (form 1, erased), held until the
   * walk knows whether the segment needs the forms (tag 2) or not (tag 1). */
  coop_buf body;
  bool erased_seen;
} exporter;

static coop_err write_bytes(FILE *out, const void *bytes, size_t count)
{
  return fwrite(bytes, 1, count, out) == count ? COOP_OK : COOP_E_IO;
}

static coop_err hold_entry(void *context, const ledger_stored_entry *entry)
{
  exporter *state = context;
  if (entry->header.index >= state->segment_end)
    return COOP_E_LIMIT; /* end of this segment: stop the walk */
  /* An erased entry travels as its header and payload hash, as in sync:
   * its leaf hash needs nothing else, and its payload is gone. */
  coop_err err = coop_buf_append_u8(&state->body, entry->erased ? 1 : 0);
  if (!err)
    err = coop_buf_append(&state->body, entry->header_bytes, LEDGER_ENTRY_HEADER_BYTES);
  if (!err)
    err = entry->erased ? coop_buf_append(&state->body, entry->payload_hash, LEDGER_HASH_BYTES)
                        : coop_buf_append(&state->body, entry->payload, entry->payload_bytes);
  state->erased_seen |= entry->erased != 0;
  state->cursor = entry->header.index + 1;
  state->written++;
  return err;
}

/* The held entries as tag 1 has them: without their form bytes (no entry
 * of the segment is erased). */
static coop_err write_without_forms(exporter *state)
{
  coop_err err = COOP_OK;
  for (size_t at = 0; at < state->body.len && !err;) {
    const uint8_t *header = state->body.data + at + 1;
    size_t bytes = LEDGER_ENTRY_HEADER_BYTES + coop_get_u32le(header + 4);
    err = write_bytes(state->out, header, bytes);
    at += 1 + bytes;
  }
  return err;
}

static coop_err write_segment(void *context, const ledger_checkpoint *checkpoint)
{
  exporter *state = context;
  uint64_t first = state->cursor;
  coop_buf_reset(&state->body);
  state->erased_seen = false;
  state->segment_end = checkpoint->size;
  coop_err err = ledger_store_entries(state->store, state->log_id, first, hold_entry, state);
  if (err == COOP_E_LIMIT)
    err = COOP_OK;
  if (!err && state->cursor != checkpoint->size)
    err = COOP_E_TAMPERED;
  uint8_t head[5];
  head[0] = state->erased_seen ? 2 : 1;
  coop_put_u32le(head + 1, (uint32_t)(checkpoint->size - first));
  if (!err)
    err = write_bytes(state->out, head, sizeof head);
  if (!err)
    err = state->erased_seen ? write_bytes(state->out, state->body.data, state->body.len)
                             : write_without_forms(state);
  uint8_t encoded[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint_encode(checkpoint, encoded);
  if (!err)
    err = write_bytes(state->out, encoded, sizeof encoded);
  return err;
}

coop_err ledger_bundle_export(ledger_store *store, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                              uint64_t from, FILE *out, uint64_t *entries_written)
{
  *entries_written = 0;
  uint64_t size = 0;
  coop_err err = ledger_store_size(store, log_id, &size);
  if (err)
    return err;
  if (size == 0)
    return COOP_E_NOT_FOUND;
  if (from >= size)
    return COOP_E_RANGE;
  uint8_t head[sizeof LEDGER_BUNDLE_MAGIC + 2 + LEDGER_LOG_ID_BYTES + 8];
  memcpy(head, LEDGER_BUNDLE_MAGIC, sizeof LEDGER_BUNDLE_MAGIC);
  coop_put_u16le(head + 8, LEDGER_BUNDLE_VERSION);
  memcpy(head + 10, log_id, LEDGER_LOG_ID_BYTES);
  coop_put_u64le(head + 42, from);
  exporter state = {.store = store, .log_id = log_id, .out = out, .cursor = from};
  coop_buf_init(&state.body, LEDGER_BUNDLE_SEGMENT_BYTES_MAX);
  err = write_bytes(out, head, sizeof head);
  if (!err)
    err = ledger_store_checkpoints(store, log_id, from, write_segment, &state);
  coop_buf_release(&state.body);
  uint8_t end = 0;
  if (!err)
    err = write_bytes(out, &end, 1);
  if (!err && fflush(out) != 0)
    err = COOP_E_IO;
  *entries_written = state.written;
  return err;
}

/* ---- import -------------------------------------------------------------- */

typedef struct importer {
  ledger_store *store;
  FILE *in;
  char *problem;
  uint64_t offset; /* bytes read so far, for messages */
  coop_buf segment;
  ledger_ingest_entry *entries;
  size_t *offsets; /* where each entry starts in segment: it may move as it grows */
  ledger_checkpoint last_checkpoint; /* to keep fork evidence past a rollback */
  int have_checkpoint;
  ledger_fork_evidence fork; /* filled by ingest when it finds entries that fork */
  int have_fork;
} importer;

static coop_err complain(importer *state, coop_err err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static coop_err complain(importer *state, coop_err err, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(state->problem, 256, format, args);
  va_end(args);
  return err;
}

static coop_err read_exact(importer *state, void *out, size_t count, const char *what)
{
  if (fread(out, 1, count, state->in) != count)
    return complain(state, COOP_E_DECODE, "truncated at byte %llu: %s expected",
                    (unsigned long long)state->offset, what);
  state->offset += count;
  return COOP_OK;
}

/* Reads one segment's entries into state->segment, pointers into entries[].
 * With forms (tag 2) a byte before each says how it comes: 0 with its
 * payload, 1 erased, with its payload hash instead (the header still gives
 * the size that was signed). */
static coop_err read_entries(importer *state, uint32_t count, bool with_forms)
{
  coop_buf_reset(&state->segment);
  size_t *offsets = state->offsets;
  uint32_t erased = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint8_t form = 0, header[LEDGER_ENTRY_HEADER_BYTES];
    coop_err err = with_forms ? read_exact(state, &form, 1, "an entry's form") : COOP_OK;
    if (!err && form > 1)
      return complain(state, COOP_E_DECODE, "unknown entry form %u at byte %llu", form,
                      (unsigned long long)(state->offset - 1));
    if (!err)
      err = read_exact(state, header, sizeof header, "an entry header");
    if (err)
      return err;
    uint32_t payload_bytes = coop_get_u32le(header + 4);
    if (payload_bytes > COOP_PAYLOAD_BYTES_MAX)
      return complain(state, COOP_E_LIMIT, "entry header at byte %llu claims a %u-byte payload",
                      (unsigned long long)(state->offset - sizeof header), payload_bytes);
    size_t carried = form ? LEDGER_HASH_BYTES : payload_bytes;
    size_t start = state->segment.len;
    if (coop_buf_append(&state->segment, header, sizeof header) ||
        coop_buf_append_u8(&state->segment, form) || coop_buf_grow(&state->segment, carried))
      return complain(state, COOP_E_LIMIT, "segment larger than %u bytes",
                      LEDGER_BUNDLE_SEGMENT_BYTES_MAX);
    err = read_exact(state, state->segment.data + state->segment.len, carried,
                     form ? "a payload hash" : "a payload");
    if (err)
      return err;
    state->segment.len += carried;
    offsets[i] = start;
    erased += form;
  }
  if (with_forms && !erased)
    return complain(state, COOP_E_DECODE, "a segment with entry forms before byte %llu has no "
                    "erased entry", (unsigned long long)state->offset);
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *header = state->segment.data + offsets[i];
    const uint8_t *carried = header + LEDGER_ENTRY_HEADER_BYTES + 1;
    bool is_erased = header[LEDGER_ENTRY_HEADER_BYTES] == 1;
    state->entries[i] = (ledger_ingest_entry){.header = header,
                                              .payload = is_erased ? NULL : carried,
                                              .payload_hash = is_erased ? carried : NULL};
  }
  return COOP_OK;
}

static coop_err read_segment(importer *state, bool with_forms, uint64_t *cursor, uint64_t now_ms,
                             ledger_bundle_result *result)
{
  uint8_t count_bytes[4];
  coop_err err = read_exact(state, count_bytes, sizeof count_bytes, "an entry count");
  uint32_t count = coop_get_u32le(count_bytes);
  if (!err && count > LEDGER_BUNDLE_SEGMENT_ENTRIES_MAX)
    err = complain(state, COOP_E_LIMIT, "segment at byte %llu has %u entries (at most %u)",
                   (unsigned long long)state->offset, count, LEDGER_BUNDLE_SEGMENT_ENTRIES_MAX);
  if (!err)
    err = read_entries(state, count, with_forms);
  uint8_t encoded[LEDGER_CHECKPOINT_BYTES];
  ledger_checkpoint checkpoint;
  if (!err)
    err = read_exact(state, encoded, sizeof encoded, "a checkpoint");
  if (!err && ledger_checkpoint_decode(encoded, sizeof encoded, &checkpoint))
    err = complain(state, COOP_E_DECODE, "checkpoint before byte %llu does not decode",
                   (unsigned long long)state->offset);
  if (!err && memcmp(checkpoint.log_id, result->log_id, LEDGER_LOG_ID_BYTES))
    err = complain(state, COOP_E_DECODE, "checkpoint before byte %llu is for another log",
                   (unsigned long long)state->offset);
  uint64_t added = 0;
  if (!err) {
    state->last_checkpoint = checkpoint;
    state->have_checkpoint = 1;
  }
  if (!err)
    err = ledger_store_ingest(state->store, &checkpoint, *cursor, state->entries, count, now_ms,
                              &added, &state->fork, state->problem);
  if (err == COOP_E_FORK && state->fork.first.size)
    state->have_fork = 1;
  *cursor += count;
  result->entries_read += count;
  result->entries_added += added;
  return err;
}

static coop_err import_body(importer *state, const uint8_t *refuse_log, uint64_t now_ms,
                            ledger_bundle_result *result)
{
  uint8_t head[sizeof LEDGER_BUNDLE_MAGIC + 2 + LEDGER_LOG_ID_BYTES + 8];
  coop_err err = read_exact(state, head, sizeof head, "the bundle header");
  if (err)
    return complain(state, COOP_E_DECODE, "not a coop log bundle (too short)");
  if (memcmp(head, LEDGER_BUNDLE_MAGIC, sizeof LEDGER_BUNDLE_MAGIC))
    return complain(state, COOP_E_DECODE, "not a coop log bundle (no COOPLOG header)");
  unsigned version = coop_get_u16le(head + 8);
  if (version < 1 || version > LEDGER_BUNDLE_VERSION)
    return complain(state, COOP_E_VERSION, "bundle version %u is not supported (this coop reads "
                    "versions 1 to %u)", version, LEDGER_BUNDLE_VERSION);
  memcpy(result->log_id, head + 10, LEDGER_LOG_ID_BYTES);
  if (refuse_log && !memcmp(result->log_id, refuse_log, LEDGER_LOG_ID_BYTES))
    return complain(state, COOP_E_EXISTS, "this bundle holds this node's own log");
  uint64_t cursor = coop_get_u64le(head + 42);
  for (;;) {
    uint8_t tag;
    if ((err = read_exact(state, &tag, 1, "a segment or the end marker")))
      return err;
    if (tag == 0)
      break;
    /* Tag 2, a segment with erased entries, came with version 2. */
    if (tag != 1 && !(tag == 2 && version >= 2))
      return complain(state, COOP_E_DECODE, "unknown segment tag %u at byte %llu", tag,
                      (unsigned long long)(state->offset - 1));
    if ((err = read_segment(state, tag == 2, &cursor, now_ms, result)))
      return err;
  }
  if (fgetc(state->in) != EOF)
    return complain(state, COOP_E_TRAILING, "bytes after the end marker");
  return ledger_store_size(state->store, result->log_id, &result->size_after);
}

coop_err ledger_bundle_import(ledger_store *store, FILE *in,
                              const uint8_t refuse_log[LEDGER_LOG_ID_BYTES], uint64_t now_ms,
                              ledger_bundle_result *result, char problem[256])
{
  memset(result, 0, sizeof *result);
  problem[0] = 0;
  importer state = {.store = store, .in = in, .problem = problem};
  coop_buf_init(&state.segment, LEDGER_BUNDLE_SEGMENT_BYTES_MAX);
  state.entries = coop_calloc(LEDGER_BUNDLE_SEGMENT_ENTRIES_MAX, sizeof *state.entries);
  state.offsets = coop_calloc(LEDGER_BUNDLE_SEGMENT_ENTRIES_MAX, sizeof *state.offsets);
  coop_err err = state.entries && state.offsets ? ledger_store_begin(store) : COOP_E_NOMEM;
  if (err) {
    coop_free(state.entries);
    coop_free(state.offsets);
    return complain(&state, err, "cannot start: %s", coop_err_message(err));
  }
  /* One transaction over every segment: an erased entry may come segments
   * before the erasure that covers it, so that is checked at the end. */
  ledger_store_erased_check_defer(store);
  err = import_body(&state, refuse_log, now_ms, result);
  char uncovered[256] = "";
  coop_err covered = ledger_store_erased_check_end(store, uncovered);
  if (!err && covered) {
    err = covered;
    snprintf(problem, 256, "%s", uncovered);
  }
  if (!err)
    err = ledger_store_commit(store);
  if (err) {
    ledger_store_rollback(store);
    result->entries_added = 0;
    /* The rollback took the fork evidence with it: record it again on its
     * own, because evidence of a fork must outlive the refused bundle. */
    if (err == COOP_E_FORK) {
      coop_err recorded = state.have_fork ? ledger_store_record_fork(store, &state.fork)
                          : state.have_checkpoint
                              ? ledger_store_check_checkpoint(store, &state.last_checkpoint, now_ms)
                              : COOP_OK;
      (void)recorded; /* best effort: the import's own error is what matters here */
    }
    if (!problem[0])
      complain(&state, err, "%s", coop_err_message(err));
  }
  coop_buf_release(&state.segment);
  coop_free(state.entries);
  coop_free(state.offsets);
  return err;
}
