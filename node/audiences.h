/* The audiences of a batch enrolment, made ahead (node_member_add_many).
 *
 * Each new member gets an audience: a random id and key, and the key
 * granted to each reader (the coop, her municipality, her own key) in a
 * sealed box - an ephemeral key pair and a shared secret per reader, about
 * two thirds of a batch enrolment's CPU.  The members are made sixteen at
 * a time: their ephemeral pairs together (ledger/base/box_seal.h: the
 * public keys by fixed-base multiplication, one field inversion for all),
 * their ids, keys and ephemeral secrets from a keystream under one seed
 * the batch draws once (one getrandom, not four per member).  The grants
 * do not depend on the books, so worker threads make them while the
 * enrolling thread checks, indexes and appends the members one after the
 * other; it takes each member's audience when it reaches her, making her
 * block itself if no worker has started on it.  The entries and their
 * order are those of an enrolment one at a time.
 *
 * The batch's keys, its ephemeral secrets and its seed are in secure
 * memory (sodium_allocarray), wiped and freed with the batch, whatever its
 * outcome; each block's ephemeral pairs are wiped as soon as it is granted. */
#ifndef COOP_NODE_AUDIENCES_H
#define COOP_NODE_AUDIENCES_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/base/error.h"
#include "ledger/base/limits.h"
#include "ledger/log/seal.h"
#include "node/books.h"

typedef struct node_audiences node_audiences;

/* One member's audience as made: its id, its key (in the batch's secure
 * memory, valid until node_audiences_free) and its key grants' payloads
 * (public), in the order of the readers. */
typedef struct node_audience {
  const uint8_t *audience_id;
  const uint8_t *key;
  const uint8_t (*grants)[LEDGER_KEY_GRANT_BYTES];
  size_t grant_count;
} node_audience;

/* Starts making an audience for each of `count` enrolments, read by the
 * workers until node_audiences_free (the caller keeps them unchanged),
 * granted to `coop_key`, the request's municipality and member key.  Uses
 * up to `workers` threads (0: none, the caller's thread makes each one
 * when it takes it; fewer when threads cannot be started).  COOP_E_NOMEM. */
COOP_MUST_USE coop_err node_audiences_start(const uint8_t coop_key[LEDGER_PUBLIC_KEY_BYTES],
                                            const node_member_enrolment *enrolments,
                                            size_t count, size_t workers,
                                            node_audiences **audiences);

/* Enrolment `index`'s audience: waits for its worker, or makes it now.
 * COOP_E_CRYPTO when a reader's key is not a valid node key (the request's
 * checks refuse it first). */
COOP_MUST_USE coop_err node_audiences_take(node_audiences *audiences, size_t index,
                                           node_audience *audience);

/* Stops the workers; wipes and frees every key (NULL: nothing). */
void node_audiences_free(node_audiences *audiences);

/* How many workers a batch of `count` enrolments is worth: one per CPU (up
 * to four), none for a small batch (starting threads costs more). */
size_t node_audiences_workers(size_t count);

#endif
