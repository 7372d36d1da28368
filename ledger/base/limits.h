/* Every size limit in one place, each with the reason for its number
 * (SQLite's sqliteLimit.h).  Decoders reject input past these limits, so
 * changing one is a format decision: document it in docs/log-format.md. */
#ifndef COOP_LEDGER_LIMITS_H
#define COOP_LEDGER_LIMITS_H

#include <stdint.h>

/* Largest payload of one entry, after encryption.  A monthly statement with
 * its inputs and the identities of a few hundred summed entries fits easily;
 * anything larger is a bug or an attack, and a replicating peer must be able
 * to hold a whole batch of maximal entries in bounded memory. */
#define COOP_PAYLOAD_BYTES_MAX (64u * 1024u)

/* Largest text of a public note, in bytes of UTF-8.  Notes are for short,
 * human remarks ("opened the books for 2026"), not documents. */
#define COOP_NOTE_BYTES_MAX 4096u

/* Largest node or member display name, in bytes of UTF-8. */
#define COOP_NAME_BYTES_MAX 128u

/* Most entries appended in one transaction (one checkpoint).  Keeps a batch's
 * memory and the SQLite transaction bounded; bulk imports split into batches. */
#define COOP_BATCH_ENTRIES_MAX 10000u

/* Most bytes (headers and payloads) in one append batch, that is under one
 * checkpoint.  A batch travels as one sync message (docs/protocol.md), so
 * this keeps every message of a replicating peer within 1 MiB; a single
 * entry of the largest payload is always allowed on its own. */
#define COOP_BATCH_BYTES_MAX (1024u * 1024u)

/* Largest log: 2^48 entries.  Far beyond any coop (a million entries a year
 * would take 280 million years) and keeps tree heights, so proof lengths,
 * at most 48 hashes. */
#define COOP_LOG_ENTRIES_MAX (UINT64_C(1) << 48)

/* Longest inclusion or consistency proof, in hashes.  A consistency proof can
 * need up to two hashes per level beyond the first, so allow twice the height. */
#define COOP_PROOF_HASHES_MAX 98u

/* Most bytes a single proof or checkpoint file may have; JSON proofs of the
 * largest log stay under 16 KiB. */
#define COOP_PROOF_FILE_BYTES_MAX (64u * 1024u)

/* Largest tree height, used to size the compact frontier on the stack. */
#define COOP_TREE_HEIGHT_MAX 48u

/* Most readers an audience is granted to at its creation (the coop, a
 * municipality, the member: three), sizing the grants on the stack. */
#define COOP_AUDIENCE_READERS_MAX 16u

_Static_assert(COOP_NOTE_BYTES_MAX + 16u < COOP_PAYLOAD_BYTES_MAX,
               "a note with its header must fit in one payload");
_Static_assert(COOP_PROOF_HASHES_MAX >= 2u * COOP_TREE_HEIGHT_MAX,
               "consistency proofs need up to two hashes per level");

#endif
