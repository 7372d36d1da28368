/* The sync wire format, version 1: frames on the TCP stream, application
 * messages inside the Noise transport messages, and their strict encoders and
 * decoders.  Byte-exact in docs/protocol.md; what a node does with the
 * messages (the state machine) is there too.
 *
 *   TCP stream:  frame*                 frame   = u16 length (1..65535) | bytes
 *   frames 1-3:  Noise_XX handshake messages (sync/noise.h), prologue below
 *   frames 4-:   one Noise transport message each (ciphertext)
 *   plaintexts of one direction, concatenated:  message*
 *                message = u32 body_bytes | u8 type | body
 *
 * A message may span several frames and a frame may hold the end of one
 * message and the start of the next: the message reader reassembles them.
 *
 * Memory: encoders append to a caller's bounded coop_buf; decoders point into
 * the body they are given (no copies of entries); the two readers each hold
 * at most one frame or one message, allocated through coop_buf (so through
 * coop_malloc, and tests can make it fail).  Nothing here does I/O. */
#ifndef COOP_SYNC_WIRE_H
#define COOP_SYNC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/base/buffer.h"
#include "ledger/base/error.h"
#include "ledger/base/limits.h"
#include "ledger/log/checkpoint.h"
#include "ledger/log/entry.h"
#include "ledger/store/store.h"
#include "sync/noise.h"

/* ---- Version, prologue, handshake ------------------------------------------ */

/* The protocol version carried in HELLO.  Version 1 nodes speak only 1. */
#define SYNC_PROTOCOL_VERSION 1u

/* The Noise prologue is these 12 ASCII bytes (no NUL) followed by the 32-byte
 * network id (node.h: SHA-256("coop-network-v1" 0x00 || network name)), so a
 * handshake between different protocol generations or different networks
 * fails instead of producing a session. */
#define SYNC_PROLOGUE_TAG "coop-sync-v1"
#define SYNC_PROLOGUE_TAG_BYTES 12u
#define SYNC_NETWORK_ID_BYTES 32u
#define SYNC_PROLOGUE_BYTES (SYNC_PROLOGUE_TAG_BYTES + SYNC_NETWORK_ID_BYTES)

_Static_assert(sizeof SYNC_PROLOGUE_TAG == SYNC_PROLOGUE_TAG_BYTES + 1,
               "the prologue tag is 12 bytes without its NUL");

/* Handshake payloads are empty in version 1, so the three XX messages have
 * exactly these sizes: e; e, ee, s (encrypted), es, empty payload's tag;
 * s (encrypted), se, empty payload's tag. */
#define SYNC_HANDSHAKE_MESSAGE_1_BYTES 32u
#define SYNC_HANDSHAKE_MESSAGE_2_BYTES 96u
#define SYNC_HANDSHAKE_MESSAGE_3_BYTES 64u

/* ---- Limits (each with its reason; they may move to ledger/base/limits.h) ------- */

/* A frame's length prefix is a u16, and a Noise message is at most 65535
 * bytes: one frame holds exactly one handshake or transport message. */
#define SYNC_FRAME_LENGTH_BYTES 2u
#define SYNC_FRAME_BYTES_MAX SYNC_NOISE_MESSAGE_BYTES_MAX

/* Entries in one ENTRIES message.  At least a whole append batch
 * (COOP_BATCH_ENTRIES_MAX), so that every signed segment can travel in one
 * message when its bytes fit too. */
#define SYNC_BATCH_ENTRIES_MAX 10000u

/* Bytes of entries (72-byte headers plus payloads) in one ENTRIES message.
 * 1 MiB keeps a peer's buffer per connection small while a single maximal
 * entry (72 + 65536 bytes) always fits; senders cut batches to fit. */
#define SYNC_BATCH_BYTES_MAX (1024u * 1024u)

/* Checkpoints in one HEADS message.  Hundreds of logs is a large network;
 * 4096 x 146 bytes (584 KiB) stays under the message limit, and a node that
 * holds more logs sends several HEADS messages. */
#define SYNC_HEADS_MAX 4096u

/* A HELLO's node name: the identity payload's name rule (1..128 bytes). */
#define SYNC_NAME_BYTES_MAX COOP_NAME_BYTES_MAX

/* A BYE's reason text: one line for a log file. */
#define SYNC_REASON_BYTES_MAX 128u

/* Fixed parts of message bodies. */
#define SYNC_MESSAGE_HEADER_BYTES 5u /* u32 body_bytes | u8 type */
#define SYNC_HELLO_FIXED_BYTES 8u    /* version 2 | role 1 | flags 4 | name length 1 */
#define SYNC_HEADS_FIXED_BYTES 4u    /* count */
#define SYNC_REQUEST_BYTES 44u       /* log_id 32 | from_index 8 | max_entries 4 */
#define SYNC_ENTRIES_FIXED_BYTES (44u + LEDGER_CHECKPOINT_BYTES) /* + entries */
#define SYNC_FORK_BYTES (2u * LEDGER_CHECKPOINT_BYTES)
#define SYNC_BYE_FIXED_BYTES 3u      /* reason code 2 | reason length 1 */
#define SYNC_NONCE_BYTES 8u          /* PING and PONG */

#define SYNC_HELLO_BYTES_MAX (SYNC_HELLO_FIXED_BYTES + SYNC_NAME_BYTES_MAX)
#define SYNC_HEADS_BYTES_MAX (SYNC_HEADS_FIXED_BYTES + SYNC_HEADS_MAX * LEDGER_CHECKPOINT_BYTES)
#define SYNC_ENTRIES_BYTES_MAX (SYNC_ENTRIES_FIXED_BYTES + SYNC_BATCH_BYTES_MAX)
/* ENTRIES_ERASED: its form bytes count in SYNC_BATCH_BYTES_MAX. */
#define SYNC_ENTRIES_ERASED_BYTES_MAX SYNC_ENTRIES_BYTES_MAX
#define SYNC_BYE_BYTES_MAX (SYNC_BYE_FIXED_BYTES + SYNC_REASON_BYTES_MAX)
/* ERASURE_PROOF: checkpoint | index 8 | proof count 1 | proof hashes |
 * header 72 | payload. */
#define SYNC_ERASURE_PROOF_FIXED_BYTES (LEDGER_CHECKPOINT_BYTES + 9u + LEDGER_ENTRY_HEADER_BYTES)
#define SYNC_ERASURE_PROOF_BYTES_MAX                                                          \
  (SYNC_ERASURE_PROOF_FIXED_BYTES + COOP_PROOF_HASHES_MAX * LEDGER_HASH_BYTES +               \
   COOP_PAYLOAD_BYTES_MAX)

/* The largest message body any version may send on this prologue: a full
 * ENTRIES message with 4 KiB to spare.  The message reader refuses a longer
 * length prefix as soon as it has read it, before buffering anything, and
 * each type has its own, smaller maximum (sync_message_body_bytes_max). */
#define SYNC_MESSAGE_BYTES_MAX (SYNC_BATCH_BYTES_MAX + 4096u)

/* Room for a decoder's or reader's explanation of a failure. */
#define SYNC_PROBLEM_BYTES 256u

_Static_assert(SYNC_BATCH_ENTRIES_MAX >= COOP_BATCH_ENTRIES_MAX,
               "every append batch's entry count must fit one ENTRIES message");
_Static_assert(LEDGER_ENTRY_HEADER_BYTES + COOP_PAYLOAD_BYTES_MAX <= SYNC_BATCH_BYTES_MAX,
               "a single maximal entry must always fit one ENTRIES message");
_Static_assert(SYNC_ENTRIES_BYTES_MAX <= SYNC_MESSAGE_BYTES_MAX,
               "a full ENTRIES message must fit the message limit");
_Static_assert(SYNC_ERASURE_PROOF_BYTES_MAX <= SYNC_MESSAGE_BYTES_MAX,
               "an erasure proof must fit the message limit");
_Static_assert(COOP_PROOF_HASHES_MAX <= 255u, "a proof's hash count is one byte");
_Static_assert(SYNC_HEADS_BYTES_MAX <= SYNC_MESSAGE_BYTES_MAX,
               "a full HEADS message must fit the message limit");
_Static_assert(SYNC_NAME_BYTES_MAX <= 255u && SYNC_REASON_BYTES_MAX <= 255u,
               "names and reasons carry a one-byte length");
_Static_assert(SYNC_MESSAGE_BYTES_MAX <= UINT32_MAX, "body lengths are u32");

/* ---- Messages ---------------------------------------------------------------- */

/* Message types, version 1.  Values are on the wire: never renumber. */
typedef enum sync_message_type {
  SYNC_MESSAGE_HELLO = 1,   /* version, role, flags, node name; sent first */
  SYNC_MESSAGE_HEADS = 2,   /* the latest checkpoint of each log the sender holds */
  SYNC_MESSAGE_REQUEST = 3, /* send me entries of this log from this index */
  SYNC_MESSAGE_ENTRIES = 4, /* entries and the checkpoint covering exactly them */
  SYNC_MESSAGE_FORK = 5,    /* two contradicting checkpoints of one log */
  SYNC_MESSAGE_BYE = 6,     /* clean close, with a reason */
  SYNC_MESSAGE_PING = 7,    /* keepalive; answered by PONG with the same nonce */
  SYNC_MESSAGE_PONG = 8,
  /* ENTRIES where some entries were erased: each entry carries a form byte
   * (0: its payload follows the header; 1: erased, its 32-byte payload hash
   * follows).  Sent only for a batch with an erased entry, so logs without
   * erasures still travel as ENTRIES to nodes that predate it. */
  SYNC_MESSAGE_ENTRIES_ERASED = 9,
  /* An erasure entry of a log, proven ahead of its place: sent right before
   * an ENTRIES_ERASED batch whose erased entries it covers when it lies
   * beyond the batch (ledger_store_erasure_proofs).  Sent only then, so
   * logs without such erasures still travel to nodes that predate it. */
  SYNC_MESSAGE_ERASURE_PROOF = 10,
} sync_message_type;

/* BYE reason codes.  Informational: a receiver logs them and closes.  0 is
 * invalid; codes this version does not know are accepted (a later version may
 * add some) and logged as numbers. */
typedef enum sync_bye_reason {
  SYNC_BYE_SHUTDOWN = 1,            /* the node is stopping, or was asked to disconnect */
  SYNC_BYE_UNSUPPORTED_VERSION = 2, /* the peer's HELLO names a version this node lacks */
  SYNC_BYE_NOT_ALLOWED = 3,         /* the peer's key is not on the allowlist */
  SYNC_BYE_IDLE = 4,                /* nothing received for too long */
  SYNC_BYE_BUSY = 5,                /* too many connections */
  SYNC_BYE_DUPLICATE = 6,           /* already connected to this peer */
} sync_bye_reason;

typedef struct sync_hello {
  uint16_t protocol_version; /* SYNC_PROTOCOL_VERSION */
  uint8_t role;              /* ledger_role, 1..4 */
  uint32_t flags;            /* reserved, 0 */
  char name[SYNC_NAME_BYTES_MAX + 1];
} sync_hello;

/* Decoded HEADS: the checkpoints stay encoded where they are in the body
 * (validated: each decodes, log ids strictly ascending).  Read one with
 * sync_heads_checkpoint(). */
typedef struct sync_heads {
  uint32_t count;
  const uint8_t *checkpoints; /* count x LEDGER_CHECKPOINT_BYTES */
} sync_heads;

typedef struct sync_request {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint64_t from_index;  /* < COOP_LOG_ENTRIES_MAX */
  uint32_t max_entries; /* 1..SYNC_BATCH_ENTRIES_MAX */
} sync_request;

/* Decoded ENTRIES (or ENTRIES_ERASED): entries[i] points into the body
 * (header, then payload of the header's payload_bytes, or for an erased
 * entry payload NULL and payload_hash), ready for ledger_store_ingest(&checkpoint,
 * first_index, entries, count, ...).  The checkpoint's signature is not
 * checked here: ledger_store_ingest does that. */
typedef struct sync_entries {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint64_t first_index;
  uint32_t count;
  const ledger_ingest_entry *entries; /* the caller's array, count filled */
  ledger_checkpoint checkpoint;       /* size == first_index + count */
} sync_entries;

/* Two checkpoints of one log that cannot both be true.  The decoder checks
 * that they name the same log and, when their sizes are equal, that their
 * roots differ; signatures and forks across sizes are the receiver's to
 * check against its store. */
typedef struct sync_fork {
  ledger_checkpoint first;
  ledger_checkpoint second;
} sync_fork;

typedef struct sync_bye {
  uint16_t reason_code; /* sync_bye_reason, nonzero */
  char reason[SYNC_REASON_BYTES_MAX + 1];
} sync_bye;

/* One decoded message: `type` says which member of the union is valid (PING
 * and PONG both use `nonce`). */
typedef struct sync_message {
  sync_message_type type;
  union {
    sync_hello hello;
    sync_heads heads;
    sync_request request;
    sync_entries entries;
    sync_fork fork;
    sync_bye bye;
    uint64_t nonce;
    /* ERASURE_PROOF: header and payload point into the body; the
     * signature, the entry and the proof are the store's to check
     * (ledger_store_keep_erasure_proof). */
    ledger_erasure_proof erasure_proof;
  } as;
} sync_message;

/* "hello", "heads", ...; "unknown" for a type not in the enum.  Never NULL. */
const char *sync_message_type_name(unsigned type);

/* The largest body this version accepts for `type`; 0 for an unknown type. */
size_t sync_message_body_bytes_max(unsigned type);

/* ---- Encoders ------------------------------------------------------------------
 *
 * Each appends one complete message (u32 body_bytes | u8 type | body) to
 * `out`.  They refuse exactly what the decoder refuses, so everything they
 * write decodes: COOP_E_BAD_INPUT for a value outside its rule, COOP_E_LIMIT
 * for counts or sizes past the limits (or past out->max), COOP_E_NOMEM.  On
 * failure `out` is as it was before the call. */

COOP_MUST_USE coop_err sync_encode_hello(coop_buf *out, uint8_t role, const char *name);

/* `checkpoints` must be sorted by log id, strictly ascending (one per log). */
COOP_MUST_USE coop_err sync_encode_heads(coop_buf *out, const ledger_checkpoint *checkpoints,
                                         size_t count);

COOP_MUST_USE coop_err sync_encode_request(coop_buf *out,
                                           const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                           uint64_t from_index, uint32_t max_entries);

/* Entries [first_index, first_index + count) of log_id, each a 72-byte header
 * and a payload of the header's payload_bytes, with the checkpoint whose size
 * is first_index + count.  An entry with payload NULL is erased (its
 * payload_hash is sent instead) and makes the message ENTRIES_ERASED.  COOP_E_LIMIT when count passes
 * SYNC_BATCH_ENTRIES_MAX or the entries' bytes pass SYNC_BATCH_BYTES_MAX
 * (checked before anything is written: cut the batch and try again). */
COOP_MUST_USE coop_err sync_encode_entries(coop_buf *out,
                                           const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                           uint64_t first_index,
                                           const ledger_ingest_entry *entries, size_t count,
                                           const ledger_checkpoint *checkpoint);

/* One proven erasure (ledger/store/store.h), as ledger_store_erasure_proofs
 * gives it. */
COOP_MUST_USE coop_err sync_encode_erasure_proof(coop_buf *out,
                                                 const ledger_erasure_proof *proof);

COOP_MUST_USE coop_err sync_encode_fork(coop_buf *out, const ledger_checkpoint *first,
                                        const ledger_checkpoint *second);

COOP_MUST_USE coop_err sync_encode_bye(coop_buf *out, uint16_t reason_code, const char *reason);

COOP_MUST_USE coop_err sync_encode_ping(coop_buf *out, uint64_t nonce);
COOP_MUST_USE coop_err sync_encode_pong(coop_buf *out, uint64_t nonce);

/* Encodes a decoded (or hand-filled) message: a decoded message encodes back
 * to exactly the bytes it came from.  Same errors as the encoders; a HELLO
 * whose version or flags are not those of version 1 is COOP_E_BAD_INPUT. */
COOP_MUST_USE coop_err sync_message_encode(coop_buf *out, const sync_message *message);

/* ---- Decoder ------------------------------------------------------------------- */

/* Decodes one complete message, given its type and body (without the length
 * prefix; sync_message_reader yields exactly that).  Strict: every field is
 * checked against its rule and the body must be used exactly.
 *
 * ENTRIES are not copied: message->as.entries.entries is `entries`, filled
 * with pointers into `body`, which must outlive the message; at most
 * `entries_capacity` entries are accepted (pass SYNC_BATCH_ENTRIES_MAX to
 * take any valid message; `entries` NULL takes only ENTRIES of count 0).
 * HEADS likewise point into `body`.
 *
 * Errors: COOP_E_DECODE (unknown type, body too short, a field outside its
 * rule, an entry or checkpoint that names another log or index, HEADS out of
 * order), COOP_E_TRAILING (bytes after the last field), COOP_E_LIMIT (a count
 * or size past its limit or past entries_capacity), COOP_E_VERSION (HELLO of
 * another protocol version, or an entry header or checkpoint of another
 * format version).  On failure *message is zeroed and, when `problem` is not
 * NULL, it says what and where ("'entries' message: entry 3 names index 8,
 * expected 7"). */
COOP_MUST_USE coop_err sync_message_decode(unsigned type, const uint8_t *body, size_t body_bytes,
                                           ledger_ingest_entry *entries, size_t entries_capacity,
                                           sync_message *message,
                                           char problem[SYNC_PROBLEM_BYTES]);

/* Checkpoint `index` (< heads->count, asserted) of a decoded HEADS. */
void sync_heads_checkpoint(const sync_heads *heads, uint32_t index,
                           ledger_checkpoint *checkpoint);

/* ---- Message reader: plaintext stream -> messages ------------------------------
 *
 * Feed it the decrypted transport plaintexts of one direction, in chunks of
 * any size; it yields complete messages one at a time.  It holds at most one
 * message (the length prefix is checked against SYNC_MESSAGE_BYTES_MAX and
 * the type's maximum before any body byte is buffered).  Errors are sticky:
 * after one, every push returns it again; drop the connection.
 *
 *   size_t offset = 0;
 *   while (offset < chunk_bytes) {
 *     size_t used; bool complete; sync_raw_message raw;
 *     if (sync_message_reader_push(&reader, chunk + offset, chunk_bytes - offset,
 *                                  &used, &complete, &raw)) drop(reader.problem);
 *     offset += used;
 *     if (complete) handle(raw.type, raw.body, raw.body_bytes);
 *   } */

typedef struct sync_raw_message {
  uint8_t type;
  const uint8_t *body; /* valid until the next push or release; never NULL */
  size_t body_bytes;
} sync_raw_message;

typedef struct sync_message_reader {
  uint8_t header[SYNC_MESSAGE_HEADER_BYTES]; /* the length prefix and type so far */
  size_t header_bytes;
  size_t body_bytes;  /* from the header, once it is complete */
  coop_buf body;      /* the body so far (max SYNC_MESSAGE_BYTES_MAX) */
  bool yielded;       /* the last push completed a message: start afresh */
  coop_err error;     /* sticky */
  uint64_t stream_offset;  /* bytes consumed, for problem messages */
  uint64_t messages;       /* messages yielded */
  char problem[SYNC_PROBLEM_BYTES];
} sync_message_reader;

/* Starts an empty reader.  Allocates nothing. */
void sync_message_reader_init(sync_message_reader *reader);

/* Frees the buffer; the reader may be initialized again. */
void sync_message_reader_release(sync_message_reader *reader);

/* Consumes bytes until one message is complete or `bytes` is used up, and
 * says how many it took in *consumed.  When *complete, *message is the
 * message (its body stays valid until the next push).  Errors (sticky; the
 * bytes up to the fault are counted in *consumed, reader->problem says what):
 * COOP_E_LIMIT (a length past SYNC_MESSAGE_BYTES_MAX or the type's maximum),
 * COOP_E_DECODE (an unknown type), COOP_E_NOMEM. */
COOP_MUST_USE coop_err sync_message_reader_push(sync_message_reader *reader,
                                                const uint8_t *bytes, size_t bytes_count,
                                                size_t *consumed, bool *complete,
                                                sync_raw_message *message);

/* True when no message is partly read: the stream may end here.  A stream
 * that ends otherwise was cut in the middle of a message. */
bool sync_message_reader_is_idle(const sync_message_reader *reader);

/* ---- Frame reader: TCP bytes -> frames ---------------------------------------- */

typedef struct sync_frame {
  const uint8_t *data; /* valid until the next push or release; never NULL */
  size_t data_bytes;   /* 1..SYNC_FRAME_BYTES_MAX */
} sync_frame;

/* Same shape as the message reader, for the raw socket side: holds at most
 * one frame (SYNC_FRAME_LENGTH_BYTES + SYNC_FRAME_BYTES_MAX bytes); errors
 * are sticky. */
typedef struct sync_frame_reader {
  uint8_t length_prefix[SYNC_FRAME_LENGTH_BYTES];
  size_t length_prefix_bytes;
  size_t frame_bytes; /* from the prefix, once it is complete */
  size_t expected_bytes; /* 0, or the only length the next frame may have */
  coop_buf frame;     /* the frame so far (max SYNC_FRAME_BYTES_MAX) */
  bool yielded;
  coop_err error;
  uint64_t stream_offset;
  uint64_t frames;
  char problem[SYNC_PROBLEM_BYTES];
} sync_frame_reader;

void sync_frame_reader_init(sync_frame_reader *reader);
void sync_frame_reader_release(sync_frame_reader *reader);

/* Like sync_message_reader_push.  Errors: COOP_E_DECODE (a zero length),
 * COOP_E_NOMEM. */
COOP_MUST_USE coop_err sync_frame_reader_push(sync_frame_reader *reader, const uint8_t *bytes,
                                              size_t bytes_count, size_t *consumed,
                                              bool *complete, sync_frame *frame);

bool sync_frame_reader_is_idle(const sync_frame_reader *reader);

/* The next frame must be exactly `bytes` long (0: any length).  A handshake
 * message has one fixed size, so a stranger's length prefix is judged as
 * soon as its two bytes arrive, before anything is buffered; fails then
 * with COOP_E_DECODE. */
void sync_frame_reader_expect(sync_frame_reader *reader, size_t bytes);

/* ---- Writing frames -------------------------------------------------------------- */

/* The Noise prologue for a network: SYNC_PROLOGUE_TAG || network_id. */
void sync_prologue(const uint8_t network_id[SYNC_NETWORK_ID_BYTES],
                   uint8_t out[SYNC_PROLOGUE_BYTES]);

/* Appends one frame (u16 length | data) to `out`: 1..SYNC_FRAME_BYTES_MAX
 * bytes.  COOP_E_BAD_INPUT for 0 bytes, COOP_E_LIMIT past the maximum or
 * out->max, COOP_E_NOMEM; `out` is then unchanged. */
COOP_MUST_USE coop_err sync_frame_encode(coop_buf *out, const uint8_t *data, size_t data_bytes);

/* Cuts `plaintext` (encoded messages) into transport messages of at most
 * SYNC_NOISE_PLAINTEXT_BYTES_MAX bytes, encrypts each with `send` and appends
 * each as a frame to `out` (which `plaintext` must not point into: `out` may
 * move when it grows).  Room for all of it is reserved first, so a
 * COOP_E_LIMIT or COOP_E_NOMEM leaves `out` and the cipher as they were.
 * Zero bytes append nothing.  COOP_E_USAGE (cipher without a key) and a
 * cipher whose nonces run out (COOP_E_LIMIT after 2^64 - 1 messages) leave
 * the cipher out of step with the peer: drop the connection. */
COOP_MUST_USE coop_err sync_transport_seal(sync_noise_cipher *send, const uint8_t *plaintext,
                                           size_t plaintext_bytes, coop_buf *out);

#endif
