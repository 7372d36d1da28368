/* Witness cosignatures (node/witness.h): a municipality or partner cosigns the
 * coop checkpoints it has checked, and every node checks the cosignatures it
 * receives against its own copies of the logs. */
#include "node/witness.h"

#include <stdio.h>
#include <string.h>

#include "ledger/base/alloc.h"

typedef struct log_list {
  uint8_t (*ids)[LEDGER_LOG_ID_BYTES];
  size_t count;
} log_list;

int node_log_identity(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                      char name[COOP_NAME_BYTES_MAX + 1])
{
  uint8_t header[LEDGER_ENTRY_HEADER_BYTES], leaf[LEDGER_HASH_BYTES];
  /* ledger_store_entry copies whatever entry 0 holds (up to a payload's
   * maximum), not only what a valid identity takes. */
  uint8_t *payload = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  size_t payload_bytes = 0;
  ledger_entry_header decoded;
  ledger_identity_payload identity;
  if (name)
    name[0] = 0;
  bool read = payload &&
              !ledger_store_entry(self->store, log_id, 0, header, payload, &payload_bytes, leaf) &&
              !ledger_entry_header_decode(header, sizeof header, &decoded) &&
              decoded.kind == LEDGER_KIND_IDENTITY &&
              !ledger_identity_payload_decode(payload, payload_bytes, &identity);
  coop_free(payload);
  if (!read)
    return 0;
  if (name)
    memcpy(name, identity.name, COOP_NAME_BYTES_MAX + 1);
  return identity.role;
}

int node_log_role(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  return node_log_identity(self, log_id, NULL);
}

void node_party_text(node *self, const uint8_t key[LEDGER_PUBLIC_KEY_BYTES],
                     char out[NODE_PARTY_TEXT_BYTES])
{
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1], name[COOP_NAME_BYTES_MAX + 1] = "";
  ledger_fingerprint(key, fingerprint);
  if (!memcmp(key, self->identity.public_key, LEDGER_PUBLIC_KEY_BYTES))
    snprintf(name, sizeof name, "%s", self->name);
  else if (!node_log_identity(self, key, name))
    for (size_t i = 0; i < self->peer_count && !name[0]; i++)
      if (!memcmp(self->peers[i].key, key, LEDGER_PUBLIC_KEY_BYTES))
        snprintf(name, sizeof name, "%s", self->peers[i].name);
  if (name[0])
    snprintf(out, NODE_PARTY_TEXT_BYTES, "%s (%s)", name, fingerprint);
  else
    snprintf(out, NODE_PARTY_TEXT_BYTES, "%s", fingerprint);
}

/* Cosignatures found in one log (the witness's), for one cosigned log or
 * all of them. */
typedef struct cosignature_scan {
  node *node;
  const uint8_t *witness;      /* the log being scanned */
  const uint8_t *only_log;     /* NULL: every cosigned log */
  uint64_t above_index;        /* only checkpoints with size > this */
  bool any;
  ledger_cosignature latest;   /* of only_log */
  size_t checked, forks;
  bool check_store;            /* check each against our copy */
  ledger_cosignature *latest_per_log; /* collect the latest of every cosigned log */
  size_t latest_count, latest_capacity;
} cosignature_scan;

/* Keeps the latest cosignature of each cosigned log. */
static void keep_latest(cosignature_scan *scan, const ledger_cosignature *cosignature)
{
  for (size_t i = 0; i < scan->latest_count; i++)
    if (!memcmp(scan->latest_per_log[i].checkpoint.log_id, cosignature->checkpoint.log_id,
                LEDGER_LOG_ID_BYTES)) {
      if (cosignature->checkpoint.size >= scan->latest_per_log[i].checkpoint.size)
        scan->latest_per_log[i] = *cosignature;
      return;
    }
  if (scan->latest_count < scan->latest_capacity)
    scan->latest_per_log[scan->latest_count++] = *cosignature;
}

static coop_err scan_cosignature(void *context, const ledger_stored_entry *entry)
{
  cosignature_scan *scan = context;
  if (entry->header.kind != LEDGER_KIND_COSIGNATURE || entry->erased)
    return COOP_OK;
  ledger_cosignature cosignature;
  if (ledger_cosignature_decode(entry->payload, entry->payload_bytes, scan->witness,
                                &cosignature) ||
      ledger_cosignature_verify(&cosignature))
    return COOP_OK; /* the log verified on ingest; a bad one is ignored, not trusted */
  if (scan->check_store &&
      memcmp(cosignature.checkpoint.log_id, scan->node->identity.public_key,
             LEDGER_LOG_ID_BYTES) != 0) {
    uint64_t before = 0, after = 0;
    coop_err err = ledger_store_fork_count(scan->node->store, cosignature.checkpoint.log_id,
                                           &before);
    if (!err) {
      coop_err checked = ledger_store_check_checkpoint(scan->node->store, &cosignature.checkpoint,
                                                       node_now_ms());
      if (checked && checked != COOP_E_FORK)
        return checked;
      err = ledger_store_fork_count(scan->node->store, cosignature.checkpoint.log_id, &after);
    }
    if (err)
      return err;
    scan->checked++;
    scan->forks += after > before;
  }
  if (scan->latest_per_log)
    keep_latest(scan, &cosignature);
  if (scan->only_log &&
      !memcmp(cosignature.checkpoint.log_id, scan->only_log, LEDGER_LOG_ID_BYTES) &&
      cosignature.checkpoint.size > scan->above_index &&
      (!scan->any || cosignature.checkpoint.size >= scan->latest.checkpoint.size)) {
    scan->latest = cosignature;
    scan->any = true;
  }
  return COOP_OK;
}

coop_err node_cosignature_covering(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                                   uint64_t index, ledger_cosignature *found)
{
  log_list logs = {0};
  coop_err err = ledger_store_log_ids(self->store, &logs.ids, &logs.count);
  cosignature_scan best = {0};
  for (size_t i = 0; i < logs.count && !err; i++) {
    if (!memcmp(logs.ids[i], log_id, LEDGER_LOG_ID_BYTES))
      continue;
    cosignature_scan scan = {.node = self, .witness = logs.ids[i], .only_log = log_id,
                             .above_index = index};
    err = ledger_store_entries(self->store, logs.ids[i], 0, scan_cosignature, &scan);
    if (!err && scan.any && (!best.any || scan.latest.checkpoint.size > best.latest.checkpoint.size))
      best = scan;
  }
  coop_free(logs.ids);
  if (err)
    return err;
  if (!best.any)
    return COOP_E_NOT_FOUND;
  *found = best.latest;
  return COOP_OK;
}

/* Cosigns the latest checkpoint of one coop log if it moved since the last
 * one we cosigned (`last`, NULL for none) and is consistent with it. */
static coop_err cosign_log(node *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES],
                           const ledger_cosignature *last, ledger_append_item *item,
                           uint8_t payload[LEDGER_COSIGNATURE_PAYLOAD_BYTES], bool *append,
                           node_witness_summary *summary)
{
  *append = false;
  ledger_checkpoint latest;
  coop_err err = ledger_store_checkpoint_latest(self->store, log_id, &latest);
  if (err)
    return err == COOP_E_NOT_FOUND ? COOP_OK : err;
  uint64_t forks = 0;
  err = ledger_store_fork_count(self->store, log_id, &forks);
  if (err || forks)
    return err; /* a forked log is not vouched for */
  if (last && last->checkpoint.size >= latest.size)
    return COOP_OK;
  if (last) {
    /* Everything up to `latest` is held and verified against it: the log
     * is consistent with what we cosigned iff its root at the old size is
     * the old root. */
    ledger_hash root;
    err = ledger_store_root_at(self->store, log_id, last->checkpoint.size, root);
    if (err)
      return err;
    if (memcmp(root, last->checkpoint.root, LEDGER_HASH_BYTES)) {
      ledger_fork_evidence evidence = {.first = last->checkpoint, .second = latest,
                                       .found_ms = node_now_ms()};
      summary->forks++;
      return ledger_store_record_fork(self->store, &evidence);
    }
  }
  ledger_cosignature cosignature;
  ledger_cosign(&latest, self->identity.public_key, self->identity.secret_key, &cosignature);
  ledger_cosignature_encode(&cosignature, payload);
  *item = (ledger_append_item){.kind = LEDGER_KIND_COSIGNATURE, .payload = payload,
                               .payload_bytes = LEDGER_COSIGNATURE_PAYLOAD_BYTES};
  *append = true;
  return COOP_OK;
}

/* Where the last run stopped reading a log (progress may be NULL). */
static uint64_t *progress_slot(node_witness_progress *progress,
                               const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  if (!progress)
    return NULL;
  for (size_t i = 0; i < progress->count; i++)
    if (!memcmp(progress->logs[i].log_id, log_id, LEDGER_LOG_ID_BYTES))
      return &progress->logs[i].scanned;
  if (progress->count == NODE_WITNESS_LOGS_TRACKED)
    return NULL;
  memcpy(progress->logs[progress->count].log_id, log_id, LEDGER_LOG_ID_BYTES);
  progress->logs[progress->count].scanned = 0;
  return &progress->logs[progress->count++].scanned;
}

coop_err node_witness_run(node *self, node_witness_progress *progress,
                          node_witness_summary *summary, char message[NODE_MESSAGE_BYTES])
{
  memset(summary, 0, sizeof *summary);
  log_list logs = {0};
  coop_err err = ledger_store_log_ids(self->store, &logs.ids, &logs.count);
  ledger_append_item *items = coop_calloc(logs.count ? logs.count : 1, sizeof *items);
  uint8_t (*payloads)[LEDGER_COSIGNATURE_PAYLOAD_BYTES] =
      coop_calloc(logs.count ? logs.count : 1, sizeof *payloads);
  size_t item_count = 0;
  /* Our own cosignatures, the latest per log, in one pass over our log. */
  cosignature_scan mine = {.node = self, .witness = self->identity.public_key,
                           .latest_capacity = logs.count};
  mine.latest_per_log = coop_calloc(logs.count ? logs.count : 1, sizeof *mine.latest_per_log);
  if (!items || !payloads || !mine.latest_per_log)
    err = COOP_E_NOMEM;
  if (!err && self->witness)
    err = ledger_store_entries(self->store, self->identity.public_key, 0, scan_cosignature,
                               &mine);
  for (size_t i = 0; i < logs.count && !err; i++) {
    if (!memcmp(logs.ids[i], self->identity.public_key, LEDGER_LOG_ID_BYTES))
      continue;
    /* Other witnesses' cosignatures, against our copies.  Only witnesses
     * (municipality and partner logs) write them. */
    int role = node_log_role(self, logs.ids[i]);
    if (role != LEDGER_ROLE_MUNICIPALITY && role != LEDGER_ROLE_PARTNER) {
      if (role == LEDGER_ROLE_COOP && self->witness) {
        const ledger_cosignature *last = NULL;
        for (size_t m = 0; m < mine.latest_count && !last; m++)
          if (!memcmp(mine.latest_per_log[m].checkpoint.log_id, logs.ids[i], LEDGER_LOG_ID_BYTES))
            last = &mine.latest_per_log[m];
        bool append = false;
        err = cosign_log(self, logs.ids[i], last, &items[item_count], payloads[item_count],
                         &append, summary);
        if (!err && append)
          item_count++;
      }
      continue;
    }
    cosignature_scan scan = {.node = self, .witness = logs.ids[i], .check_store = true};
    uint64_t *scanned = progress_slot(progress, logs.ids[i]);
    uint64_t size = 0;
    err = ledger_store_size(self->store, logs.ids[i], &size);
    if (!err)
      err = ledger_store_entries(self->store, logs.ids[i], scanned ? *scanned : 0,
                                 scan_cosignature, &scan);
    if (!err && scanned)
      *scanned = size;
    summary->checked += scan.checked;
    summary->forks += scan.forks;
  }
  if (!err && item_count)
    err = ledger_store_append(self->store, &self->identity, items, item_count, node_now_ms(),
                              NULL);
  if (!err)
    summary->cosigned = item_count;
  else
    snprintf(message, NODE_MESSAGE_BYTES, "witnessing failed: %s", coop_err_message(err));
  coop_free(items);
  coop_free(payloads);
  coop_free(mine.latest_per_log);
  coop_free(logs.ids);
  return err;
}
