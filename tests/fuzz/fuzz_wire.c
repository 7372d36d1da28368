/* libFuzzer target for the sync wire format (sync/wire.h): the decoder, the
 * message reader and the frame reader.  The first input byte picks the mode
 * and, for the streaming modes, how the rest is cut into pushes:
 *
 *   mode 0  data[1] is a message type, the rest its body: decode it.
 *   mode 1  the rest is a decrypted plaintext stream: message reader, then
 *           the decoder for every message it yields.
 *   mode 2  the rest is a raw TCP stream: frame reader; each frame's bytes
 *           are taken as a transport plaintext (no decryption: a fuzzer
 *           cannot forge Poly1305 tags) and go through mode 1's path.
 *
 * Every message that decodes must encode back to exactly its bytes
 * (canonical), every yielded frame and message must respect its limits, and
 * the readers must account for every byte they consume.
 *
 * Build: CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_wire
 * (add -Dc_args=-fsanitize=fuzzer-no-link so the libraries are instrumented too)
 * Run:   build-fuzz/tests/fuzz/fuzz_wire tests/fuzz/corpus/wire -max_total_time=120 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/base/buffer.h"
#include "sync/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ledger_ingest_entry entries[SYNC_BATCH_ENTRIES_MAX];

/* Decodes one message; if it decodes, re-encodes and compares. */
static void decode_and_compare(unsigned type, const uint8_t *body, size_t body_bytes)
{
  sync_message message;
  char problem[SYNC_PROBLEM_BYTES];
  coop_err err = sync_message_decode(type, body, body_bytes, entries, SYNC_BATCH_ENTRIES_MAX,
                                     &message, problem);
  if (err) {
    assert(problem[0] != 0);
    return;
  }
  assert(type >= SYNC_MESSAGE_HELLO && type <= SYNC_MESSAGE_ERASURE_PROOF);
  assert(body_bytes <= sync_message_body_bytes_max(type));
  if (message.type == SYNC_MESSAGE_HEADS) {
    for (uint32_t i = 0; i < message.as.heads.count; i++) {
      ledger_checkpoint checkpoint;
      sync_heads_checkpoint(&message.as.heads, i, &checkpoint);
    }
  }
  if (message.type == SYNC_MESSAGE_ENTRIES || message.type == SYNC_MESSAGE_ENTRIES_ERASED) {
    for (uint32_t i = 0; i < message.as.entries.count; i++) {
      const ledger_ingest_entry *entry = &message.as.entries.entries[i];
      assert(entry->header >= body && entry->header + LEDGER_ENTRY_HEADER_BYTES <= body + body_bytes);
      assert(entry->payload ? entry->payload == entry->header + LEDGER_ENTRY_HEADER_BYTES
                            : entry->payload_hash == entry->header + LEDGER_ENTRY_HEADER_BYTES);
    }
  }
  if (message.type == SYNC_MESSAGE_ERASURE_PROOF) {
    const ledger_erasure_proof *proof = &message.as.erasure_proof;
    assert(proof->header >= body && proof->payload == proof->header + LEDGER_ENTRY_HEADER_BYTES);
    assert(proof->payload + coop_get_u32le(proof->header + 4) == body + body_bytes);
  }
  coop_buf again;
  coop_buf_init(&again, SYNC_MESSAGE_HEADER_BYTES + SYNC_MESSAGE_BYTES_MAX);
  err = sync_message_encode(&again, &message);
  assert(err == COOP_OK);
  assert(again.len == SYNC_MESSAGE_HEADER_BYTES + body_bytes);
  assert(coop_get_u32le(again.data) == body_bytes);
  assert(again.data[4] == type);
  assert(memcmp(again.data + SYNC_MESSAGE_HEADER_BYTES, body, body_bytes) == 0);
  coop_buf_release(&again);
}

/* Push sizes: a short repeating pattern from the selector byte, so the same
 * bytes get cut in many ways (1, 2, 3, ... bytes, or everything at once). */
static size_t chunk_size(uint8_t selector, size_t step, size_t remaining)
{
  size_t period = 1 + (selector >> 2) % 8;
  if (period == 8)
    return remaining;
  size_t chunk = 1 + (step * 7 + selector) % (period * 97);
  return chunk < remaining ? chunk : remaining;
}

/* Feeds plaintext bytes to the message reader.  Returns 0 once the reader
 * has failed (the connection would be dropped). */
static int feed_messages(sync_message_reader *reader, const uint8_t *bytes, size_t count)
{
  size_t offset = 0;
  while (offset < count) {
    size_t used = 0;
    bool complete = false;
    sync_raw_message raw;
    coop_err err = sync_message_reader_push(reader, bytes + offset, count - offset, &used,
                                            &complete, &raw);
    assert(used <= count - offset);
    offset += used;
    if (err) {
      assert(!complete);
      assert(reader->problem[0] != 0);
      return 0;
    }
    assert(used > 0);
    if (complete) {
      assert(raw.body != NULL);
      assert(raw.body_bytes <= sync_message_body_bytes_max(raw.type));
      decode_and_compare(raw.type, raw.body, raw.body_bytes);
    }
  }
  return 1;
}

static void message_stream(uint8_t selector, const uint8_t *bytes, size_t count)
{
  sync_message_reader reader;
  sync_message_reader_init(&reader);
  size_t offset = 0;
  for (size_t step = 0; offset < count; step++) {
    size_t chunk = chunk_size(selector, step, count - offset);
    if (!feed_messages(&reader, bytes + offset, chunk))
      break;
    offset += chunk;
    assert(reader.stream_offset == offset);
  }
  assert(reader.body.capacity <= SYNC_MESSAGE_BYTES_MAX);
  sync_message_reader_release(&reader);
}

static void frame_stream(uint8_t selector, const uint8_t *bytes, size_t count)
{
  sync_frame_reader frames;
  sync_message_reader messages;
  sync_frame_reader_init(&frames);
  sync_message_reader_init(&messages);
  size_t offset = 0;
  int alive = 1;
  for (size_t step = 0; alive && offset < count; step++) {
    size_t chunk = chunk_size(selector, step, count - offset);
    size_t chunk_offset = 0;
    while (alive && chunk_offset < chunk) {
      size_t used = 0;
      bool complete = false;
      sync_frame frame;
      coop_err err = sync_frame_reader_push(&frames, bytes + offset + chunk_offset,
                                            chunk - chunk_offset, &used, &complete, &frame);
      chunk_offset += used;
      if (err) {
        assert(err == COOP_E_DECODE);
        alive = 0;
        break;
      }
      assert(used > 0);
      if (!complete)
        continue;
      assert(frame.data_bytes >= 1 && frame.data_bytes <= SYNC_FRAME_BYTES_MAX);
      alive = feed_messages(&messages, frame.data, frame.data_bytes);
    }
    offset += chunk;
  }
  assert(frames.frame.capacity <= SYNC_FRAME_BYTES_MAX);
  sync_frame_reader_release(&frames);
  sync_message_reader_release(&messages);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  uint8_t selector = data[0];
  switch (selector % 3) {
  case 0:
    if (size >= 2)
      decode_and_compare(data[1], data + 2, size - 2);
    break;
  case 1:
    message_stream(selector, data + 1, size - 1);
    break;
  default:
    frame_stream(selector, data + 1, size - 1);
    break;
  }
  return 0;
}
