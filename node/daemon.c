/* The node's sync: node.conf's peers and address handed to sync/net.h, log
 * lines to stderr, SIGHUP re-reading node.conf. */
#include "node/daemon.h"

#include "node/backup.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ledger/base/alloc.h"
#include "node/audit.h"
#include "node/witness.h"
#include "sync/net.h"

/* The audit and the witness read whole logs: at most once a second. */
#define AUDIT_INTERVAL_MS 1000u

/* On the heap (coop_calloc): its tables are NODE_PEERS_MAX long. */
typedef struct daemon_state {
  node *node;
  bool work_pending;
  uint64_t last_work_ms;
  node_witness_progress witness;
  sync_net_peer peers[NODE_PEERS_MAX];
  size_t peer_count;
  uint8_t authors[NODE_PEERS_MAX][LEDGER_LOG_ID_BYTES]; /* every peer node.conf names */
  sync_net_outcome outcomes[NODE_PEERS_MAX]; /* one-shot: each peer's */
  bool quiet;
} daemon_state;

static void log_line(void *context, const char *line)
{
  daemon_state *state = context;
  if (state->quiet)
    return;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct tm utc;
  gmtime_r(&now.tv_sec, &utc);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  fprintf(stderr, "%s.%03ldZ coop[%s]: %s\n", stamp, now.tv_nsec / 1000000L, state->node->name,
          line);
  fflush(stderr);
}

static uint64_t wall_now(void *context)
{
  (void)context;
  return node_now_ms();
}

/* node.conf's peers as the sync layer wants them.  A peer key that is not a
 * valid curve point cannot be on the wire: named, not loaded. */
static coop_err load_peers(daemon_state *state, const char *only, char message[SYNC_LINE_BYTES])
{
  state->peer_count = 0;
  for (size_t i = 0; i < state->node->peer_count; i++) {
    const node_peer *peer = &state->node->peers[i];
    if (only && strcmp(only, peer->name))
      continue;
    sync_net_peer *out = &state->peers[state->peer_count];
    memset(out, 0, sizeof *out);
    snprintf(out->peer.name, sizeof out->peer.name, "%s", peer->name);
    memcpy(out->peer.key, peer->key, sizeof out->peer.key);
    out->peer.role = peer->role;
    snprintf(out->address, sizeof out->address, "%s", peer->address);
    if (sync_noise_public_from_ed25519(out->peer.noise_key, peer->key)) {
      snprintf(message, SYNC_LINE_BYTES, "peer '%s': its key is not a valid node key",
               peer->name);
      return COOP_E_CONFIG;
    }
    state->peer_count++;
  }
  if (only && !state->peer_count) {
    snprintf(message, SYNC_LINE_BYTES, "no peer named '%s' in node.conf (see 'coop peer list')",
             only);
    return COOP_E_NOT_FOUND;
  }
  return COOP_OK;
}

static coop_err reload(void *context, const sync_net_peer **peers, size_t *count,
                       char message[SYNC_LINE_BYTES])
{
  daemon_state *state = context;
  char problem[NODE_MESSAGE_BYTES];
  coop_err err = node_reload_config(state->node, problem);
  if (err) {
    snprintf(message, SYNC_LINE_BYTES, "%.500s", problem);
    return err;
  }
  err = load_peers(state, NULL, message);
  *peers = state->peers;
  *count = state->peer_count;
  return err;
}

/* A municipality answers new statements of its residents as they arrive;
 * witnesses cosign coop checkpoints; everyone checks cosignatures.  What is
 * appended is announced at the next tick like any growth. */
static void audit_and_witness(daemon_state *state)
{
  char message[NODE_MESSAGE_BYTES] = "";
  char line[SYNC_LINE_BYTES];
  node_witness_summary witnessed;
  if (node_witness_run(state->node, &state->witness, &witnessed, message)) {
    snprintf(line, sizeof line, "witness: %.480s", message);
    log_line(state, line);
  } else if (witnessed.cosigned || witnessed.forks) {
    snprintf(line, sizeof line, "witness: %zu coop checkpoints cosigned%s", witnessed.cosigned,
             witnessed.forks ? "; FORK found through a cosigned checkpoint (see 'coop forks')"
                             : "");
    log_line(state, line);
  }
  if (state->node->role != LEDGER_ROLE_MUNICIPALITY)
    return;
  node_audit_summary summary;
  if (node_audit_run(state->node, &summary, message)) {
    snprintf(line, sizeof line, "audit: %.480s", message);
    log_line(state, line);
  } else if (summary.acknowledged || summary.disputed) {
    snprintf(line, sizeof line, "audit: %zu statements acknowledged, %zu disputed",
             summary.acknowledged, summary.disputed);
    log_line(state, line);
  }
}

static uint64_t monotonic_ms(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

/* Runs once logs stop growing for a tick (not in the middle of a bulk
 * transfer) and at most once a second. */
static void on_tick(void *context, bool logs_grew)
{
  daemon_state *state = context;
  state->work_pending |= logs_grew;
  uint64_t now = monotonic_ms();
  if (!state->work_pending || logs_grew || now - state->last_work_ms < AUDIT_INTERVAL_MS)
    return;
  state->work_pending = false;
  state->last_work_ms = now;
  audit_and_witness(state);
}

static sync_net_options options_for(daemon_state *state)
{
  node *self = state->node;
  sync_net_options options = {.store = self->store,
                              .identity = &self->identity,
                              .role = self->role,
                              .name = self->name,
                              .peers = state->peers,
                              .peer_count = state->peer_count,
                              .context = state,
                              .log = log_line,
                              .tick = on_tick,
                              .now_ms = wall_now};
  memcpy(options.network_id, self->network_id, sizeof options.network_id);
  return options;
}

coop_err node_run(node *self, const char *listen, char message[NODE_MESSAGE_BYTES])
{
  daemon_state *state = coop_calloc(1, sizeof *state);
  if (!state) {
    snprintf(message, NODE_MESSAGE_BYTES, "out of memory");
    return COOP_E_NOMEM;
  }
  state->node = self;
  /* A long-running audit skips the logs it judged completely and that did
   * not grow since: a new month of one coop costs that coop's log only. */
  self->audit_incremental = true;
  char problem[SYNC_LINE_BYTES] = "";
  coop_err err = load_peers(state, NULL, problem);
  if (!err) {
    sync_net_options options = options_for(state);
    options.listen = listen ? listen : self->listen;
    options.reload = reload;
    char line[SYNC_LINE_BYTES];
    snprintf(line, sizeof line, "node '%s' (%s) starting, network '%s', %zu peers", self->name,
             ledger_role_name(self->role), self->network, state->peer_count);
    log_line(state, line);
    audit_and_witness(state); /* what arrived while it was down */
    err = sync_net_run(&options, problem);
    if (!err)
      log_line(state, "stopped cleanly");
  }
  if (err)
    snprintf(message, NODE_MESSAGE_BYTES, "%s", problem);
  coop_free(state);
  return err;
}

static void print_outcomes(const sync_net_outcome *outcomes, size_t count)
{
  for (size_t i = 0; i < count; i++)
    if (outcomes[i].ok)
      printf("%s: in sync (%llu entries received, %llu sent)\n", outcomes[i].name,
             (unsigned long long)outcomes[i].entries_received,
             (unsigned long long)outcomes[i].entries_sent);
    else if (outcomes[i].not_dialed)
      printf("%s: not dialed: no address in node.conf (it connects to this node, or its log "
             "comes through another peer)\n", outcomes[i].name);
    else
      printf("%s: FAILED: %s\n", outcomes[i].name, outcomes[i].problem);
}

static coop_err count_one_fork(void *context, const ledger_fork_evidence *evidence)
{
  (void)evidence;
  (*(uint64_t *)context)++;
  return COOP_OK;
}

static coop_err count_forks(node *self, uint64_t *count, char problem[SYNC_LINE_BYTES])
{
  *count = 0;
  coop_err err = ledger_store_forks(self->store, count_one_fork, count);
  if (err)
    snprintf(problem, SYNC_LINE_BYTES, "cannot read fork evidence: %s", coop_err_message(err));
  return err;
}

/* A sync that recorded new fork evidence did not succeed: some author
 * signed two histories, and whoever watches the exit code must know. */
static coop_err check_new_forks(node *self, uint64_t before, char problem[SYNC_LINE_BYTES])
{
  uint64_t after = 0;
  coop_err err = count_forks(self, &after, problem);
  if (err || after <= before)
    return err;
  snprintf(problem, SYNC_LINE_BYTES,
           "FORK: %llu new fork evidence recorded during this sync (see 'coop forks')",
           (unsigned long long)(after - before));
  return COOP_E_FORK;
}

/* A restored node (node/backup.h) has caught up when a sync with every
 * configured peer succeeded: whatever any of them held of its own log has
 * been taken in and verified, so its next append continues that history.
 * A sync with one peer, or with a peer not dialed, proves nothing. */
static coop_err finish_restore(node *self, const char *peer_name,
                               const sync_net_outcome *outcomes, size_t count,
                               char problem[SYNC_LINE_BYTES])
{
  bool restored = false;
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_restore_status(self, &restored, NULL, message);
  if (err || !restored)
    goto out;
  bool everyone = !peer_name;
  for (size_t i = 0; i < count; i++)
    everyone = everyone && outcomes[i].ok;
  if (!everyone) {
    printf("restored backup: not caught up yet (sync with every peer, all reached); "
           "appending stays refused\n");
    return COOP_OK;
  }
  uint64_t size = 0;
  err = ledger_store_size(self->store, self->identity.public_key, &size);
  if (!err)
    err = node_restore_confirm(self, &restored, message);
  if (!err)
    printf("restored backup caught up with every peer: own log at size %llu, appending "
           "allowed again\n",
           (unsigned long long)size);
out:
  if (err)
    snprintf(problem, SYNC_LINE_BYTES, "%s", message[0] ? message : coop_err_message(err));
  return err;
}

coop_err node_sync(node *self, const char *peer_name, uint64_t timeout_ms, bool quiet,
                   char message[NODE_MESSAGE_BYTES])
{
  daemon_state *state = coop_calloc(1, sizeof *state);
  if (!state) {
    snprintf(message, NODE_MESSAGE_BYTES, "out of memory");
    return COOP_E_NOMEM;
  }
  state->node = self;
  state->quiet = quiet;
  char problem[SYNC_LINE_BYTES] = "";
  /* On the heap with the state (NODE_PEERS_MAX of them is ~600 KiB). */
  sync_net_outcome *outcomes = state->outcomes;
  uint64_t forks_before = 0;
  coop_err err = count_forks(self, &forks_before, problem);
  if (!err)
    err = load_peers(state, peer_name, problem);
  if (!err && peer_name && !state->peers[0].address[0]) {
    snprintf(problem, sizeof problem,
             "peer '%s' has no address in node.conf: it connects to this node, so it syncs "
             "while 'coop node run' runs here",
             peer_name);
    err = COOP_E_NOT_FOUND;
  }
  if (!err && !state->peer_count) {
    snprintf(problem, sizeof problem, "no peers configured (add one with 'coop peer add')");
    err = COOP_E_NOT_FOUND;
  }
  if (!err) {
    for (size_t i = 0; i < state->peer_count; i++)
      snprintf(outcomes[i].name, sizeof outcomes[i].name, "%s", state->peers[i].peer.name);
    sync_net_options options = options_for(state);
    options.oneshot = true;
    options.timeout_ms = timeout_ms;
    /* --peer dials one peer; the logs this node keeps are still those of
     * every author node.conf names. */
    for (size_t i = 0; i < self->peer_count; i++)
      memcpy(state->authors[i], self->peers[i].key, LEDGER_LOG_ID_BYTES);
    options.authors = (const uint8_t(*)[LEDGER_LOG_ID_BYTES])state->authors;
    options.author_count = self->peer_count;
    options.outcomes = outcomes;
    err = sync_net_run(&options, problem);
    if (state->work_pending)
      audit_and_witness(state); /* what the last batches brought */
    print_outcomes(outcomes, state->peer_count);
    if (!err)
      err = check_new_forks(self, forks_before, problem);
    if (!err)
      err = finish_restore(self, peer_name, outcomes, state->peer_count, problem);
  }
  if (err)
    snprintf(message, NODE_MESSAGE_BYTES, "%s", problem);
  coop_free(state);
  return err;
}
