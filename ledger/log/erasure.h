/* The erasure entry (kind 26): the signed, authorised removal of audiences'
 * payloads from a log (crypto-shredding a member's data).
 *
 * An erasure names one target log, the audiences whose sealed payloads go,
 * and the key-grant entries of the target log that carried those audiences'
 * keys (a grant is public, so its audience is not in its header: the erasure
 * lists it by index).  Headers, payload hashes, leaf hashes and checkpoints
 * stay, so every proof still verifies.  Byte layout: docs/log-format.md
 * §Erasure.  The payload is public: every node holding the log must be able
 * to apply it, so its reason is a code and a short text without personal
 * data. */
#ifndef COOP_LEDGER_ERASURE_H
#define COOP_LEDGER_ERASURE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/buffer.h"
#include "ledger/base/error.h"
#include "ledger/log/entry.h"

#define LEDGER_ERASURE_VERSION 1u
#define LEDGER_ERASURE_AUDIENCES_MAX 16u
#define LEDGER_ERASURE_GRANTS_MAX 256u
#define LEDGER_ERASURE_REASON_BYTES_MAX 200u

typedef enum ledger_erasure_reason {
  LEDGER_ERASURE_ON_REQUEST = 1,       /* the member asked (AVG art. 17) */
  LEDGER_ERASURE_RETENTION_ENDED = 2,  /* the retention period is over */
  LEDGER_ERASURE_BEFORE_RETENTION = 3, /* early: a court order, a mistaken enrolment */
} ledger_erasure_reason;

typedef struct ledger_erasure {
  uint8_t reason; /* ledger_erasure_reason */
  uint8_t target_log_id[LEDGER_LOG_ID_BYTES];
  uint8_t audience_count; /* 1..LEDGER_ERASURE_AUDIENCES_MAX, strictly ascending, nonzero */
  uint8_t audiences[LEDGER_ERASURE_AUDIENCES_MAX][LEDGER_AUDIENCE_ID_BYTES];
  uint16_t grant_count; /* 0..LEDGER_ERASURE_GRANTS_MAX, strictly ascending */
  uint64_t grants[LEDGER_ERASURE_GRANTS_MAX];
  char reason_text[LEDGER_ERASURE_REASON_BYTES_MAX + 1]; /* 1..200 bytes of clean UTF-8 */
} ledger_erasure;

/* "on request", "retention ended", "before retention"; NULL when unknown. */
const char *ledger_erasure_reason_name(uint8_t reason);

/* Encode checks every rule first; decode checks the same after (a value the
 * encoder refuses never decodes).  COOP_E_BAD_INPUT / COOP_E_DECODE,
 * COOP_E_TRAILING, COOP_E_NOMEM. */
COOP_MUST_USE coop_err ledger_erasure_encode(const ledger_erasure *erasure, coop_buf *out);
COOP_MUST_USE coop_err ledger_erasure_decode(const uint8_t *bytes, size_t count,
                                             ledger_erasure *erasure);

/* Whether the erasure removes the payload of entry `index` of its target
 * log, whose header is `header`: sealed to one of its audiences, or one of
 * its listed key grants. */
int ledger_erasure_covers(const ledger_erasure *erasure, const ledger_entry_header *header);

#endif
