/* libuv around sync_session: sockets, timers, signals, and the few things
 * that concern several connections at once (claims, live heads, forks). */
#include "sync/net.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>

#include <sodium.h>
#include <uv.h>

#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"

typedef struct net net;
typedef struct dialer dialer;

typedef struct connection {
  uv_tcp_t tcp;
  net *owner;
  dialer *dialer; /* the peer we dialed, or NULL for an inbound connection */
  sync_session session;
  bool session_ready;   /* sync_session_init succeeded */
  bool was_open;        /* the handshake completed */
  bool closing;         /* uv_close called or pending shutdown */
  bool shut;            /* uv_shutdown issued */
  char remote_ip[INET6_ADDRSTRLEN]; /* inbound: the address it came from */
  uint64_t accepted_ms; /* monotonic: TCP accepted or connected */
  uint64_t opened_ms;   /* monotonic: the handshake completed */
  uint8_t read_buffer[65536];
  struct connection *next;
} connection;

struct dialer {
  sync_net_peer config;
  connection *live;       /* current connection, or NULL */
  uv_connect_t connect;
  bool connecting;
  bool removed;           /* dropped from the config by a reload */
  bool done;              /* one-shot: finished (ok or failed) */
  uint64_t next_attempt_ms;
  uint64_t backoff_ms;
  sync_net_outcome *outcome; /* one-shot */
  unsigned handshake_retries; /* one-shot: connections cut before the handshake ended */
  bool retry_pending;         /* one-shot: dial again at next_attempt_ms */
  uint64_t healthy_lost_ms;   /* when a healthy connection to it last ended; 0: never */
  struct dialer *next;
};

typedef struct claim {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  const sync_session *holder;
} claim;

typedef struct announced {
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  uint64_t size;
} announced;

struct net {
  const sync_net_options *options;
  uv_loop_t loop;
  uv_tcp_t listener;
  bool listening;
  uv_timer_t tick;
  uv_signal_t signals[3];
  sync_host host;
  const sync_net_peer *peers; /* current allowlist */
  size_t peer_count;
  connection *connections;
  size_t connection_count;
  dialer *dialers;
  claim *claims;
  size_t claim_count, claim_capacity;
  announced *heads; /* what we last told peers about each log */
  size_t head_count, head_capacity;
  /* Logs of authors nobody named that we said we ignore (up to
   * SYNC_STRANGERS_LOGGED_MAX). */
  uint8_t (*strangers)[LEDGER_LOG_ID_BYTES];
  size_t stranger_count;
  bool store_dirty;
  bool stopping;
  uint64_t started_ms;
  /* Pending handshakes dropped to make room, reported once a second. */
  uint64_t handshakes_dropped;
  uint64_t handshakes_dropped_reported_ms;
  char *message;
};

static uint64_t monotonic_ms(net *self)
{
  return uv_now(&self->loop);
}

static void say(net *self, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void say(net *self, const char *format, ...)
{
  if (!self->options->log)
    return;
  char line[SYNC_LINE_BYTES];
  va_list args;
  va_start(args, format);
  vsnprintf(line, sizeof line, format, args);
  va_end(args);
  self->options->log(self->options->context, line);
}

int sync_net_split_address(const char *address, char host[SYNC_ADDRESS_BYTES_MAX + 1],
                           char port[8])
{
  const char *colon = strrchr(address, ':');
  if (!colon || colon == address || strlen(colon + 1) == 0 || strlen(colon + 1) > 5)
    return -1;
  size_t host_bytes = (size_t)(colon - address);
  if (address[0] == '[' && colon[-1] == ']') {
    address++;
    host_bytes -= 2;
  }
  if (!host_bytes || host_bytes > SYNC_ADDRESS_BYTES_MAX)
    return -1;
  memcpy(host, address, host_bytes);
  host[host_bytes] = 0;
  char *end = NULL;
  unsigned long number = strtoul(colon + 1, &end, 10);
  if (*end || number == 0 || number > 65535)
    return -1;
  snprintf(port, 8, "%lu", number);
  return 0;
}

/* Resolves HOST:PORT (numeric or a name; blocking, as peers are few and
 * mostly numeric).  0 on success. */
static int resolve(net *self, const char *address, struct sockaddr_storage *out,
                   char problem[SYNC_LINE_BYTES])
{
  char host[SYNC_ADDRESS_BYTES_MAX + 1], port[8];
  if (sync_net_split_address(address, host, port)) {
    snprintf(problem, SYNC_LINE_BYTES, "'%s' is not HOST:PORT", address);
    return -1;
  }
  uv_getaddrinfo_t request;
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  int status = uv_getaddrinfo(&self->loop, &request, NULL, host, port, &hints);
  if (status) {
    snprintf(problem, SYNC_LINE_BYTES, "cannot resolve '%s': %s", host, uv_strerror(status));
    return -1;
  }
  memcpy(out, request.addrinfo->ai_addr, request.addrinfo->ai_addrlen);
  uv_freeaddrinfo(request.addrinfo);
  return 0;
}

/* ---- Host callbacks for sessions ------------------------------------------------- */

static bool host_find_peer(void *context, const uint8_t noise_key[SYNC_NOISE_KEY_BYTES],
                           sync_peer *peer)
{
  net *self = context;
  for (size_t i = 0; i < self->peer_count; i++)
    if (!sodium_memcmp(self->peers[i].peer.noise_key, noise_key, SYNC_NOISE_KEY_BYTES)) {
      *peer = self->peers[i].peer;
      return true;
    }
  return false;
}

/* Our own log, and those of the authors node.conf names. */
static bool named_author(net *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  if (!memcmp(log_id, self->options->identity->public_key, LEDGER_LOG_ID_BYTES))
    return true;
  const sync_net_options *options = self->options;
  if (options->authors) {
    for (size_t i = 0; i < options->author_count; i++)
      if (!memcmp(options->authors[i], log_id, LEDGER_LOG_ID_BYTES))
        return true;
    return false;
  }
  for (size_t i = 0; i < self->peer_count; i++)
    if (!memcmp(self->peers[i].peer.key, log_id, LEDGER_LOG_ID_BYTES))
      return true;
  return false;
}

/* Says once per log (and once more when there are too many to list) that
 * a stranger's log is ignored. */
static void note_stranger(net *self, const sync_session *session,
                          const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  /* stranger_count goes one past the array once "no longer logged" was
   * said: only the first SYNC_STRANGERS_LOGGED_MAX slots hold logs. */
  size_t held = self->stranger_count < SYNC_STRANGERS_LOGGED_MAX ? self->stranger_count
                                                                 : SYNC_STRANGERS_LOGGED_MAX;
  for (size_t i = 0; i < held; i++)
    if (!memcmp(self->strangers[i], log_id, LEDGER_LOG_ID_BYTES))
      return;
  if (self->stranger_count > SYNC_STRANGERS_LOGGED_MAX)
    return;
  if (self->stranger_count == SYNC_STRANGERS_LOGGED_MAX) {
    say(self, "more logs of authors node.conf does not name: ignored, no longer logged one by one");
    self->stranger_count++;
    return;
  }
  if (!self->strangers) {
    self->strangers = coop_calloc(SYNC_STRANGERS_LOGGED_MAX, sizeof *self->strangers);
    if (!self->strangers)
      return;
  }
  memcpy(self->strangers[self->stranger_count++], log_id, LEDGER_LOG_ID_BYTES);
  char label[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_fingerprint(log_id, label);
  say(self,
      "%s: log %s is by an author node.conf does not name: neither stored nor relayed "
      "(name it with 'coop peer add', without --addr if it is not to be dialed)",
      session->label, label);
}

static bool host_accepts_log(void *context, const sync_session *session,
                             const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  net *self = context;
  if (named_author(self, log_id))
    return true;
  note_stranger(self, session, log_id);
  return false;
}

static void host_log(void *context, const sync_session *session, const char *line)
{
  (void)session;
  say(context, "%s", line);
}

static bool host_claim(void *context, const sync_session *session,
                       const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  net *self = context;
  for (size_t i = 0; i < self->claim_count; i++)
    if (!memcmp(self->claims[i].log_id, log_id, LEDGER_LOG_ID_BYTES))
      return self->claims[i].holder == session;
  if (coop_grow((void **)&self->claims, &self->claim_capacity, self->claim_count,
                sizeof *self->claims))
    return false;
  memcpy(self->claims[self->claim_count].log_id, log_id, LEDGER_LOG_ID_BYTES);
  self->claims[self->claim_count++].holder = session;
  return true;
}

static void pull_all(net *self, const sync_session *except);

static void host_release(void *context, const sync_session *session,
                         const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  net *self = context;
  for (size_t i = 0; i < self->claim_count; i++)
    if (!memcmp(self->claims[i].log_id, log_id, LEDGER_LOG_ID_BYTES) &&
        self->claims[i].holder == session) {
      self->claims[i] = self->claims[--self->claim_count];
      if (!self->stopping)
        pull_all(self, session);
      return;
    }
}

static void host_log_grew(void *context, const sync_session *session,
                          const ledger_checkpoint *latest)
{
  (void)session;
  (void)latest;
  net *self = context;
  self->store_dirty = true; /* announced at the next tick, coalesced */
}

static void after_session(connection *conn);

static void host_fork_found(void *context, const sync_session *session,
                            const ledger_fork_evidence *evidence)
{
  net *self = context;
  for (connection *conn = self->connections; conn; conn = conn->next)
    if (&conn->session != session && conn->session_ready && sync_session_is_open(&conn->session)) {
      coop_err err = sync_session_forward_fork(&conn->session, evidence);
      (void)err; /* a failure is in the session's state; after_session handles it */
      after_session(conn);
    }
}

static uint64_t host_now(void *context)
{
  net *self = context;
  return self->options->now_ms ? self->options->now_ms(self->options->context) : 0;
}

/* ---- Connections ------------------------------------------------------------------ */

static void dialer_ended(net *self, dialer *peer, const connection *conn);

static void on_closed(uv_handle_t *handle)
{
  connection *conn = handle->data;
  net *self = conn->owner;
  for (connection **link = &self->connections; *link; link = &(*link)->next)
    if (*link == conn) {
      *link = conn->next;
      break;
    }
  self->connection_count--;
  if (conn->dialer && conn->dialer->live == conn) {
    conn->dialer->live = NULL;
    dialer_ended(self, conn->dialer, conn);
  }
  if (conn->session_ready)
    sync_session_release(&conn->session);
  coop_free(conn);
}

static void close_connection(connection *conn)
{
  if (conn->closing && !conn->shut)
    return;
  conn->closing = true;
  if (!uv_is_closing((uv_handle_t *)&conn->tcp))
    uv_close((uv_handle_t *)&conn->tcp, on_closed);
}

static void on_shutdown(uv_shutdown_t *request, int status)
{
  (void)status;
  connection *conn = request->data;
  coop_free(request);
  close_connection(conn);
}

/* Closes after what is queued has been written (a BYE, usually). */
static void shutdown_connection(connection *conn)
{
  if (conn->closing)
    return;
  conn->closing = true;
  uv_shutdown_t *request = coop_malloc(sizeof *request);
  if (!request || uv_shutdown(request, (uv_stream_t *)&conn->tcp, on_shutdown)) {
    coop_free(request);
    conn->shut = true;
    close_connection(conn);
    return;
  }
  request->data = conn;
  conn->shut = true;
}

typedef struct write_request {
  uv_write_t request;
  connection *conn;
  unsigned char *data;
} write_request;

static void on_written(uv_write_t *request, int status)
{
  write_request *write = (write_request *)request;
  connection *conn = write->conn;
  coop_free(write->data);
  coop_free(write);
  if (status || conn->closing)
    return;
  size_t queued = uv_stream_get_write_queue_size((uv_stream_t *)&conn->tcp);
  if (queued < SYNC_SEND_WATERMARK_BYTES) {
    coop_err err = sync_session_pump(&conn->session, queued + conn->session.wire_out.len,
                                     monotonic_ms(conn->owner));
    (void)err;
    after_session(conn);
  }
}

/* Writes what the session queued, hands the buffer over to libuv.  A peer
 * that lets SYNC_SEND_QUEUE_BYTES_MAX pile up unread (a PING flood whose
 * PONGs it never reads, say) is dropped: its memory is ours. */
static void write_out(connection *conn)
{
  coop_buf *out = &conn->session.wire_out;
  if (!out->len || uv_is_closing((uv_handle_t *)&conn->tcp) || conn->shut)
    return;
  size_t queued = uv_stream_get_write_queue_size((uv_stream_t *)&conn->tcp);
  if (queued + out->len > SYNC_SEND_QUEUE_BYTES_MAX) {
    say(conn->owner, "%s: %zu bytes wait to be written: the peer does not read; dropped",
        conn->session.label, queued + out->len);
    coop_buf_reset(out);
    conn->session.state = SYNC_SESSION_CLOSED;
    close_connection(conn);
    return;
  }
  write_request *write = coop_malloc(sizeof *write);
  if (!write) {
    close_connection(conn);
    return;
  }
  write->conn = conn;
  write->data = out->data;
  uv_buf_t buffer = uv_buf_init((char *)out->data, (unsigned)out->len);
  size_t max = out->max;
  coop_buf_init(out, max); /* the data now belongs to the write request */
  if (uv_write(&write->request, (uv_stream_t *)&conn->tcp, &buffer, 1, on_written)) {
    coop_free(write->data);
    coop_free(write);
    close_connection(conn);
  }
}

/* Of two open connections to one peer, the one to close.  Opened by
 * different sides within SYNC_SIMULTANEOUS_DIAL_MS: both dialed at once,
 * and both ends keep the one whose initiator has the smaller key, so they
 * agree without talking.  Otherwise the newer wins: its initiator dialed
 * again because the older one died on its side without a word (a crash, a
 * lost link), and waiting for our idle timeout would lock it out. */
static connection *duplicate_loser(net *self, connection *newer, connection *older)
{
  const uint8_t *ours = self->options->identity->public_key;
  const uint8_t *newer_initiator = newer->dialer ? ours : newer->session.peer.key;
  const uint8_t *older_initiator = older->dialer ? ours : older->session.peer.key;
  int order = memcmp(newer_initiator, older_initiator, LEDGER_PUBLIC_KEY_BYTES);
  if (order == 0 || newer->opened_ms - older->opened_ms > SYNC_SIMULTANEOUS_DIAL_MS)
    return older;
  return order < 0 ? older : newer;
}

static void close_with_bye(connection *conn, uint16_t code, const char *reason)
{
  coop_err err = sync_session_close(&conn->session, code, reason);
  (void)err; /* closing anyway */
  write_out(conn);
  shutdown_connection(conn);
}

/* A connection just completed its handshake: one connection per peer, and
 * at most SYNC_CONNECTIONS_MAX authenticated ones.  False when `conn` itself
 * was closed. */
static bool admit_authenticated(net *self, connection *conn)
{
  size_t open = 0;
  for (connection *other = self->connections; other; other = other->next) {
    if (other == conn || !other->was_open || other->closing)
      continue;
    if (memcmp(other->session.peer.key, conn->session.peer.key, LEDGER_PUBLIC_KEY_BYTES)) {
      open++;
      continue;
    }
    connection *loser = duplicate_loser(self, conn, other);
    connection *winner = loser == conn ? other : conn;
    say(self, "%s: two connections: keeping the %s one", conn->session.label,
        winner == conn ? "new" : "old");
    if (loser->dialer && loser->dialer->live == loser)
      loser->dialer->live = winner->dialer == loser->dialer ? winner : NULL;
    close_with_bye(loser, SYNC_BYE_DUPLICATE, "already connected");
    if (loser == conn)
      return false;
  }
  if (open >= SYNC_CONNECTIONS_MAX) {
    say(self, "%s: refused: %u connections already", conn->session.label,
        SYNC_CONNECTIONS_MAX);
    close_with_bye(conn, SYNC_BYE_BUSY, "too many connections");
    return false;
  }
  return true;
}

/* One-shot: a connection cut before its handshake ended is tried again, a
 * few times and soon: a peer under a flood of strangers drops pending
 * handshakes to make room (ours among them, now and then), and a sync the
 * operator started should not fail for that.  A refused connection, or one
 * that ended after the handshake, is an answer and is not retried. */
static bool oneshot_retry(net *self, dialer *peer)
{
  if (peer->handshake_retries >= SYNC_ONESHOT_HANDSHAKE_RETRIES)
    return false;
  peer->handshake_retries++;
  peer->retry_pending = true;
  peer->next_attempt_ms = monotonic_ms(self) + 250u * peer->handshake_retries;
  say(self, "peer %s: cut off during the handshake; trying again (%u of %u)",
      peer->config.peer.name, peer->handshake_retries, SYNC_ONESHOT_HANDSHAKE_RETRIES);
  return true;
}

/* After anything a session did: write its output, note what changed, close
 * when it ended. */
static void after_session(connection *conn)
{
  net *self = conn->owner;
  if (!conn->was_open && sync_session_is_open(&conn->session)) {
    conn->was_open = true;
    conn->opened_ms = monotonic_ms(self);
    if (!admit_authenticated(self, conn))
      return;
  }
  write_out(conn);
  if (sync_session_is_closed(&conn->session) && !conn->closing) {
    if (conn->session.problem[0])
      say(self, "%s", conn->session.problem);
    if (conn->dialer && conn->dialer->outcome && !conn->dialer->done &&
        (conn->was_open || !oneshot_retry(self, conn->dialer))) {
      conn->dialer->done = true;
      snprintf(conn->dialer->outcome->problem, sizeof conn->dialer->outcome->problem, "%s",
               conn->session.problem[0] ? conn->session.problem : "closed by the peer");
    }
    shutdown_connection(conn);
  }
}

static void oneshot_settle(net *self);
static bool oneshot_finished(net *self);
static void stop(net *self, const char *reason);

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buffer)
{
  (void)suggested;
  connection *conn = handle->data;
  *buffer = uv_buf_init((char *)conn->read_buffer, sizeof conn->read_buffer);
}

static void on_read(uv_stream_t *stream, ssize_t count, const uv_buf_t *buffer)
{
  connection *conn = stream->data;
  net *self = conn->owner;
  if (count < 0) {
    if (!sync_session_is_closed(&conn->session)) {
      bool cut = !sync_frame_reader_is_idle(&conn->session.frames) ||
                 !sync_message_reader_is_idle(&conn->session.messages);
      snprintf(conn->session.problem, sizeof conn->session.problem, "%s: connection %s%s%s",
               conn->session.label, count == UV_EOF ? "closed by the peer" : "lost: ",
               count == UV_EOF ? "" : uv_strerror((int)count),
               cut ? " in the middle of a message" : "");
      conn->session.state = SYNC_SESSION_CLOSED;
    }
    after_session(conn);
    close_connection(conn);
    return;
  }
  if (count == 0 || conn->closing)
    return;
  conn->session.socket_queued = uv_stream_get_write_queue_size((uv_stream_t *)&conn->tcp);
  coop_err err = sync_session_receive(&conn->session, (const uint8_t *)buffer->base,
                                      (size_t)count, monotonic_ms(self));
  (void)err; /* reported through the session's state */
  after_session(conn);
  /* One-shot: settle as soon as the barrier's PONG arrives, not a tick later. */
  if (self->options->oneshot && !self->stopping) {
    oneshot_settle(self);
    if (oneshot_finished(self))
      stop(self, "one-shot sync finished");
  }
}

static connection *new_connection(net *self)
{
  connection *conn = coop_calloc(1, sizeof *conn);
  if (!conn)
    return NULL;
  conn->owner = self;
  conn->accepted_ms = monotonic_ms(self);
  uv_tcp_init(&self->loop, &conn->tcp);
  conn->tcp.data = conn;
  conn->next = self->connections;
  self->connections = conn;
  self->connection_count++;
  return conn;
}

static void start_session(connection *conn, const sync_peer *dialed, const char *address)
{
  net *self = conn->owner;
  if (sync_session_init(&conn->session, &self->host, dialed, address, monotonic_ms(self))) {
    say(self, "cannot start a session with %s: out of memory", address);
    close_connection(conn);
    return;
  }
  conn->session_ready = true;
  uv_tcp_nodelay(&conn->tcp, 1);
  uv_read_start((uv_stream_t *)&conn->tcp, on_alloc, on_read);
  after_session(conn);
}

/* The IP address a connection comes from ("?" when unknown) and, for log
 * lines, IP:PORT. */
static void remote_of(connection *conn, char label[INET6_ADDRSTRLEN + 8])
{
  snprintf(conn->remote_ip, sizeof conn->remote_ip, "?");
  snprintf(label, INET6_ADDRSTRLEN + 8, "?");
  struct sockaddr_storage name;
  int length = sizeof name;
  if (uv_tcp_getpeername(&conn->tcp, (struct sockaddr *)&name, &length))
    return;
  int port = 0;
  if (name.ss_family == AF_INET) {
    uv_ip4_name((struct sockaddr_in *)&name, conn->remote_ip, sizeof conn->remote_ip);
    port = ntohs(((struct sockaddr_in *)&name)->sin_port);
  } else {
    uv_ip6_name((struct sockaddr_in6 *)&name, conn->remote_ip, sizeof conn->remote_ip);
    port = ntohs(((struct sockaddr_in6 *)&name)->sin6_port);
  }
  snprintf(label, INET6_ADDRSTRLEN + 8, "%s:%d", conn->remote_ip, port);
}

static bool pending_handshake(const connection *conn)
{
  return !conn->dialer && conn->session_ready && !conn->was_open && !conn->closing;
}

static size_t pending_from(net *self, const char *ip)
{
  size_t count = 0;
  for (connection *conn = self->connections; conn; conn = conn->next)
    if (pending_handshake(conn) && !strcmp(conn->remote_ip, ip))
      count++;
  return count;
}

/* The pending handshake to drop (from `ip`, or from anyone when NULL): the
 * one that got least far, oldest first (SYNC_HANDSHAKES_MAX says why). */
static connection *handshake_victim(net *self, const char *ip)
{
  connection *victim = NULL;
  for (connection *conn = self->connections; conn; conn = conn->next) {
    if (!pending_handshake(conn) || (ip && strcmp(conn->remote_ip, ip)))
      continue;
    size_t progress = conn->session.handshake.message_index;
    size_t victim_progress = victim ? victim->session.handshake.message_index : 0;
    if (!victim || progress < victim_progress ||
        (progress == victim_progress && conn->accepted_ms <= victim->accepted_ms))
      victim = conn;
  }
  return victim;
}

static int compare_addresses(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The address holding the most pending handshakes: sorted, then counted in
 * runs, so a flood from many addresses costs n log n, not n squared. */
static const char *busiest_address(net *self)
{
  const char *addresses[SYNC_HANDSHAKES_MAX + 1];
  size_t count = 0;
  for (connection *conn = self->connections; conn && count <= SYNC_HANDSHAKES_MAX;
       conn = conn->next)
    if (pending_handshake(conn))
      addresses[count++] = conn->remote_ip;
  qsort(addresses, count, sizeof *addresses, compare_addresses);
  const char *busiest = NULL;
  size_t most = 0;
  for (size_t start = 0, end; start < count; start = end) {
    for (end = start + 1; end < count && !strcmp(addresses[end], addresses[start]); end++) {
    }
    if (end - start > most) {
      most = end - start;
      busiest = addresses[start];
    }
  }
  return busiest;
}

/* Drops a pending handshake if taking one more from `ip` would exceed a
 * handshake budget.  The stranger is told nothing: it has no session keys. */
static void make_room_for_handshake(net *self, const char *ip)
{
  size_t total = 0;
  for (connection *conn = self->connections; conn; conn = conn->next)
    total += pending_handshake(conn);
  connection *victim = NULL;
  if (pending_from(self, ip) >= SYNC_HANDSHAKES_PER_ADDRESS_MAX)
    victim = handshake_victim(self, ip);
  else if (total >= SYNC_HANDSHAKES_MAX)
    victim = handshake_victim(self, busiest_address(self));
  if (!victim)
    return;
  victim->session.state = SYNC_SESSION_CLOSED;
  close_connection(victim);
  self->handshakes_dropped++;
}

/* At most one line a second about dropped handshakes: a flood must not
 * flood the log too. */
static void report_dropped_handshakes(net *self)
{
  uint64_t now = monotonic_ms(self);
  if (!self->handshakes_dropped || now - self->handshakes_dropped_reported_ms < 1000u)
    return;
  say(self,
      "%llu pending handshakes dropped to make room (budget: %u per address, %u in all; "
      "a flood of unauthenticated connections?)",
      (unsigned long long)self->handshakes_dropped, SYNC_HANDSHAKES_PER_ADDRESS_MAX,
      SYNC_HANDSHAKES_MAX);
  self->handshakes_dropped = 0;
  self->handshakes_dropped_reported_ms = now;
}

/* Reads what a just-accepted connection already sent, now rather than at
 * the loop's next turn: an honest initiator's message 1 is usually there,
 * and handling it moves the connection past the idle and trickling ones
 * that later accepts of the same burst drop first. */
static void read_at_once(connection *conn)
{
  uv_os_fd_t fd;
  if (conn->closing || !conn->session_ready || uv_fileno((uv_handle_t *)&conn->tcp, &fd))
    return;
  ssize_t got = recv(fd, conn->read_buffer, sizeof conn->read_buffer, MSG_DONTWAIT);
  if (got <= 0)
    return; /* nothing yet, or the end: the loop's own read sees it */
  uv_buf_t buffer = uv_buf_init((char *)conn->read_buffer, (unsigned)got);
  on_read((uv_stream_t *)&conn->tcp, got, &buffer);
}

static void on_inbound(uv_stream_t *listener, int status)
{
  net *self = listener->data;
  if (status < 0) {
    say(self, "accept failed: %s", uv_strerror(status));
    return;
  }
  connection *conn = new_connection(self);
  if (!conn)
    return;
  if (uv_accept(listener, (uv_stream_t *)&conn->tcp)) {
    close_connection(conn);
    return;
  }
  char address[INET6_ADDRSTRLEN + 8];
  remote_of(conn, address);
  if (self->stopping) {
    say(self, "connection from %s refused: shutting down", address);
    close_connection(conn);
    return;
  }
  make_room_for_handshake(self, conn->remote_ip);
  start_session(conn, NULL, address);
  read_at_once(conn);
}

/* ---- Dialing ------------------------------------------------------------------------ */

static uint64_t jitter(uint64_t ms)
{
  uint64_t quarter = ms / 4u;
  return ms - quarter + (quarter ? randombytes_uniform((uint32_t)(2u * quarter + 1u)) : 0);
}

static void schedule_retry(net *self, dialer *peer)
{
  uint64_t now = monotonic_ms(self);
  peer->next_attempt_ms = now + jitter(peer->backoff_ms);
  /* A peer that was healthy a moment ago is most likely restarting: keep
   * trying every few seconds for a while, so its sessions come back within
   * seconds of it (a relay restarted while coops close their month). */
  uint64_t ceiling = peer->healthy_lost_ms && now - peer->healthy_lost_ms < SYNC_RESTART_WINDOW_MS
                         ? SYNC_RESTART_BACKOFF_MAX_MS
                         : SYNC_BACKOFF_MAX_MS;
  peer->backoff_ms = peer->backoff_ms * 2u > ceiling ? ceiling : peer->backoff_ms * 2u;
}

static void dialer_failed(net *self, dialer *peer, const char *problem)
{
  if (self->options->oneshot) {
    if (!peer->done) {
      peer->done = true;
      snprintf(peer->outcome->problem, sizeof peer->outcome->problem, "%s", problem);
    }
    return;
  }
  schedule_retry(self, peer);
  say(self, "%s; retrying in about %llu s", problem,
      (unsigned long long)((peer->next_attempt_ms - monotonic_ms(self) + 999u) / 1000u));
}

/* A dialed connection closed (refused, failed, ended by either side): wait
 * before dialing again, longer each time, unless it had been healthy. */
static void dialer_ended(net *self, dialer *peer, const connection *conn)
{
  if (self->stopping || self->options->oneshot || peer->removed)
    return;
  uint64_t now = monotonic_ms(self);
  if (conn->was_open && now - conn->opened_ms >= SYNC_BACKOFF_RESET_AFTER_MS) {
    peer->backoff_ms = SYNC_BACKOFF_FIRST_MS;
    peer->healthy_lost_ms = now;
  }
  char problem[SYNC_LINE_BYTES];
  snprintf(problem, sizeof problem, "peer %s: connection ended%s", peer->config.peer.name,
           conn->was_open ? "" : " during the handshake");
  dialer_failed(self, peer, problem);
}

static void on_connect(uv_connect_t *request, int status)
{
  dialer *peer = request->data;
  connection *conn = (connection *)request->handle->data;
  net *self = conn->owner;
  peer->connecting = false;
  if (status < 0 || peer->removed || self->stopping) {
    char problem[SYNC_LINE_BYTES];
    snprintf(problem, sizeof problem, "peer %s: cannot connect to %s: %s", peer->config.peer.name,
             peer->config.address, status < 0 ? uv_strerror(status) : "stopping");
    if (peer->live == conn)
      peer->live = NULL;
    conn->dialer = NULL;
    close_connection(conn);
    if (status < 0)
      dialer_failed(self, peer, problem);
    return;
  }
  start_session(conn, &peer->config.peer, peer->config.address);
}

static void dial(net *self, dialer *peer)
{
  char problem[SYNC_LINE_BYTES];
  struct sockaddr_storage address;
  if (resolve(self, peer->config.address, &address, problem)) {
    char line[SYNC_LINE_BYTES];
    snprintf(line, sizeof line, "peer %s: %.400s", peer->config.peer.name, problem);
    dialer_failed(self, peer, line);
    return;
  }
  connection *conn = new_connection(self);
  if (!conn)
    return;
  conn->dialer = peer;
  peer->live = conn;
  peer->connecting = true;
  peer->connect.data = peer;
  int status = uv_tcp_connect(&peer->connect, &conn->tcp, (struct sockaddr *)&address, on_connect);
  if (status) {
    peer->connecting = false;
    peer->live = NULL;
    conn->dialer = NULL;
    close_connection(conn);
    snprintf(problem, sizeof problem, "peer %s: cannot connect to %s: %s", peer->config.peer.name,
             peer->config.address, uv_strerror(status));
    dialer_failed(self, peer, problem);
  }
}

/* Is any connection open, or opening, to this peer (we dialed or it did)? */
static bool peer_connected(net *self, const dialer *peer)
{
  if (peer->live || peer->connecting)
    return true;
  for (connection *conn = self->connections; conn; conn = conn->next)
    if (!conn->closing && conn->was_open &&
        !memcmp(conn->session.peer.key, peer->config.peer.key, LEDGER_PUBLIC_KEY_BYTES))
      return true;
  return false;
}

static void dial_due(net *self)
{
  uint64_t now = monotonic_ms(self);
  for (dialer *peer = self->dialers; peer; peer = peer->next) {
    if (peer->removed || peer->done || !peer->config.address[0] || peer_connected(self, peer) ||
        now < peer->next_attempt_ms)
      continue;
    if (self->options->oneshot && peer->next_attempt_ms && !peer->retry_pending)
      continue; /* one attempt only, but for a handshake cut off (oneshot_retry) */
    peer->retry_pending = false;
    peer->next_attempt_ms = now ? now : 1;
    dial(self, peer);
  }
}

/* One-shot: a peer without an address dials us, so this run cannot reach
 * it; that is said, and is no failure. */
static void oneshot_add(net *self, dialer *peer, sync_net_outcome *outcome)
{
  peer->outcome = outcome;
  if (peer->config.address[0])
    return;
  peer->done = true;
  outcome->not_dialed = true;
  snprintf(outcome->problem, sizeof outcome->problem,
           "peer %s: not dialed: node.conf gives no address (it connects to this node; it "
           "syncs while 'coop node run' runs here)",
           peer->config.peer.name);
  say(self, "%s", outcome->problem);
}

static coop_err set_peers(net *self, const sync_net_peer *peers, size_t count)
{
  self->peers = peers;
  self->peer_count = count;
  for (dialer *peer = self->dialers; peer; peer = peer->next) {
    peer->removed = true;
    for (size_t i = 0; i < count; i++)
      if (!memcmp(peers[i].peer.key, peer->config.peer.key, LEDGER_PUBLIC_KEY_BYTES) &&
          !strcmp(peers[i].address, peer->config.address)) {
        peer->removed = false;
        peer->config = peers[i];
      }
  }
  for (size_t i = 0; i < count; i++) {
    bool known = false;
    for (dialer *peer = self->dialers; peer && !known; peer = peer->next)
      known = !peer->removed &&
              !memcmp(peers[i].peer.key, peer->config.peer.key, LEDGER_PUBLIC_KEY_BYTES);
    if (known)
      continue;
    dialer *peer = coop_calloc(1, sizeof *peer);
    if (!peer)
      return COOP_E_NOMEM;
    peer->config = peers[i];
    peer->backoff_ms = SYNC_BACKOFF_FIRST_MS;
    if (self->options->oneshot)
      oneshot_add(self, peer, &self->options->outcomes[i]);
    peer->next = self->dialers;
    self->dialers = peer;
  }
  /* Connections to peers no longer configured end now. */
  for (connection *conn = self->connections; conn; conn = conn->next) {
    if (!conn->was_open || conn->closing)
      continue;
    bool still = false;
    for (size_t i = 0; i < count && !still; i++)
      still = !memcmp(peers[i].peer.key, conn->session.peer.key, LEDGER_PUBLIC_KEY_BYTES);
    if (!still) {
      say(self, "%s: no longer a configured peer: disconnecting", conn->session.label);
      coop_err err = sync_session_close(&conn->session, SYNC_BYE_SHUTDOWN, "no longer a peer");
      (void)err;
      after_session(conn);
    }
  }
  return COOP_OK;
}

/* ---- Live heads ------------------------------------------------------------------- */

static announced *find_head(net *self, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  for (size_t i = 0; i < self->head_count; i++)
    if (!memcmp(self->heads[i].log_id, log_id, LEDGER_LOG_ID_BYTES))
      return &self->heads[i];
  return NULL;
}

typedef struct head_scan {
  net *self;
  bool announce;
  bool grew;
} head_scan;

/* One log: if it grew since we last told the peers, tell them now. */
static coop_err scan_log(void *context, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  head_scan *scan = context;
  net *self = scan->self;
  ledger_checkpoint latest;
  coop_err err = ledger_store_checkpoint_latest(self->options->store, log_id, &latest);
  if (err == COOP_E_NOT_FOUND)
    return COOP_OK;
  if (err)
    return err;
  announced *head = find_head(self, log_id);
  if (head && head->size >= latest.size)
    return COOP_OK;
  if (!head) {
    err = coop_grow((void **)&self->heads, &self->head_capacity, self->head_count,
                    sizeof *self->heads);
    if (err)
      return err;
    head = &self->heads[self->head_count++];
    memcpy(head->log_id, log_id, LEDGER_LOG_ID_BYTES);
  }
  head->size = latest.size;
  scan->grew = true;
  if (!scan->announce || !named_author(self, log_id))
    return COOP_OK;
  uint64_t forks = 0;
  if (ledger_store_fork_count(self->options->store, log_id, &forks) == COOP_OK && forks)
    return COOP_OK;
  for (connection *conn = self->connections; conn; conn = conn->next)
    if (conn->session_ready && sync_session_is_open(&conn->session) && !conn->closing) {
      coop_err sent = sync_session_announce(&conn->session, &latest);
      (void)sent;
      after_session(conn);
    }
  return COOP_OK;
}

/* Compares every log's latest checkpoint with what we last announced.  Cheap
 * for the tens of logs a node holds; catches appends by other processes
 * (the CLI) as well as our own ingests. */
static void announce_growth(net *self, bool announce)
{
  head_scan scan = {.self = self, .announce = announce};
  coop_err err = ledger_store_logs(self->options->store, scan_log, &scan);
  if (err)
    say(self, "cannot read the store for new entries: %s", coop_err_message(err));
  self->store_dirty = false;
  if (announce && self->options->tick)
    self->options->tick(self->options->context, scan.grew);
}

static void pull_all(net *self, const sync_session *except)
{
  for (connection *conn = self->connections; conn; conn = conn->next)
    if (&conn->session != except && conn->session_ready && sync_session_is_open(&conn->session) &&
        !conn->closing) {
      coop_err err = sync_session_pull(&conn->session, monotonic_ms(self));
      (void)err;
      after_session(conn);
    }
}

/* ---- Stopping ---------------------------------------------------------------------- */

static void stop(net *self, const char *reason)
{
  if (self->stopping)
    return;
  self->stopping = true;
  say(self, "stopping: %s", reason);
  for (connection *conn = self->connections; conn; conn = conn->next) {
    if (conn->session_ready && !sync_session_is_closed(&conn->session)) {
      coop_err err = sync_session_close(&conn->session, SYNC_BYE_SHUTDOWN, reason);
      (void)err;
      write_out(conn);
    }
    shutdown_connection(conn);
  }
  if (self->listening)
    uv_close((uv_handle_t *)&self->listener, NULL);
  self->listening = false;
  uv_timer_stop(&self->tick);
  uv_close((uv_handle_t *)&self->tick, NULL);
  for (size_t i = 0; i < 3; i++)
    uv_close((uv_handle_t *)&self->signals[i], NULL);
}

static bool oneshot_finished(net *self)
{
  for (dialer *peer = self->dialers; peer; peer = peer->next)
    if (!peer->done)
      return false;
  return true;
}

static void oneshot_settle(net *self)
{
  for (dialer *peer = self->dialers; peer; peer = peer->next) {
    connection *conn = peer->live;
    if (peer->done || !conn || !conn->session_ready || conn->closing ||
        !sync_session_is_open(&conn->session))
      continue;
    bool settled = false;
    coop_err err = sync_session_settle(&conn->session, &settled);
    if (!err && settled) {
      peer->done = true;
      peer->outcome->ok = true;
      peer->outcome->entries_received = conn->session.entries_received;
      peer->outcome->entries_sent = conn->session.entries_sent;
      say(self, "%s: in sync (%llu entries received, %llu sent)", conn->session.label,
          (unsigned long long)conn->session.entries_received,
          (unsigned long long)conn->session.entries_sent);
      err = sync_session_close(&conn->session, SYNC_BYE_SHUTDOWN, "sync done");
    }
    after_session(conn);
  }
}

static void on_tick(uv_timer_t *timer)
{
  net *self = timer->data;
  uint64_t now = monotonic_ms(self);
  for (connection *conn = self->connections; conn; conn = conn->next)
    if (conn->session_ready && !conn->closing) {
      coop_err err = sync_session_tick(&conn->session, now);
      (void)err;
      after_session(conn);
    }
  announce_growth(self, true);
  report_dropped_handshakes(self);
  if (self->options->oneshot) {
    oneshot_settle(self);
    if (oneshot_finished(self))
      stop(self, "one-shot sync finished");
    else if (now - self->started_ms > self->options->timeout_ms) {
      for (dialer *peer = self->dialers; peer; peer = peer->next)
        if (!peer->done) {
          peer->done = true;
          snprintf(peer->outcome->problem, sizeof peer->outcome->problem,
                   "peer %s: not in sync after %llu s (timeout)", peer->config.peer.name,
                   (unsigned long long)(self->options->timeout_ms / 1000u));
        }
      stop(self, "timeout");
    }
    if (self->stopping)
      return;
  }
  dial_due(self);
}

static void on_signal(uv_signal_t *handle, int signal_number)
{
  net *self = handle->data;
  if (signal_number != SIGHUP) {
    stop(self, signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
    return;
  }
  if (!self->options->reload) {
    say(self, "SIGHUP: nothing to reload");
    return;
  }
  const sync_net_peer *peers = NULL;
  size_t count = 0;
  char problem[SYNC_LINE_BYTES] = "";
  coop_err err = self->options->reload(self->options->context, &peers, &count, problem);
  if (err) {
    say(self, "SIGHUP: peers not reloaded, keeping the old ones: %s", problem);
    return;
  }
  if (set_peers(self, peers, count))
    say(self, "SIGHUP: out of memory while reloading peers");
  else
    say(self, "SIGHUP: %zu peers loaded", count);
  dial_due(self);
}

/* ---- Running ------------------------------------------------------------------------ */

static coop_err start_listening(net *self)
{
  struct sockaddr_storage address;
  char problem[SYNC_LINE_BYTES];
  if (resolve(self, self->options->listen, &address, problem)) {
    snprintf(self->message, SYNC_LINE_BYTES, "listen address: %.400s", problem);
    return COOP_E_IO;
  }
  uv_tcp_init(&self->loop, &self->listener);
  self->listener.data = self;
  int status = uv_tcp_bind(&self->listener, (struct sockaddr *)&address, 0);
  if (!status)
    status = uv_listen((uv_stream_t *)&self->listener, SYNC_LISTEN_BACKLOG, on_inbound);
  if (status) {
    snprintf(self->message, SYNC_LINE_BYTES, "cannot listen on %s: %s", self->options->listen,
             uv_strerror(status));
    uv_close((uv_handle_t *)&self->listener, NULL);
    return COOP_E_IO;
  }
  self->listening = true;
  say(self, "listening on %s", self->options->listen);
  return COOP_OK;
}

static void free_all(net *self)
{
  for (dialer *peer = self->dialers, *next; peer; peer = next) {
    next = peer->next;
    coop_free(peer);
  }
  coop_free(self->claims);
  coop_free(self->heads);
  coop_free(self->strangers);
}

/* One-shot: fails when a dialed peer failed, or when there was none to
 * dial. */
static coop_err oneshot_result(const sync_net_options *options, char message[SYNC_LINE_BYTES])
{
  coop_err err = COOP_OK;
  size_t dialed = 0;
  for (size_t i = 0; i < options->peer_count; i++) {
    const sync_net_outcome *outcome = &options->outcomes[i];
    if (outcome->not_dialed)
      continue;
    dialed++;
    if (!outcome->ok) {
      err = COOP_E_IO;
      snprintf(message, SYNC_LINE_BYTES, "%s", outcome->problem);
    }
  }
  if (!dialed && options->peer_count) {
    snprintf(message, SYNC_LINE_BYTES,
             "no peer to dial: node.conf gives none of them an address (they connect to this "
             "node; run 'coop node run')");
    return COOP_E_NOT_FOUND;
  }
  return err;
}

coop_err sync_net_run(const sync_net_options *options, char message[SYNC_LINE_BYTES])
{
  message[0] = 0;
  /* A peer that resets a connection we are writing to must not kill the
   * node: writes then fail with EPIPE, which the connection handles. */
  signal(SIGPIPE, SIG_IGN);
  net *self = coop_calloc(1, sizeof *self);
  if (!self)
    return COOP_E_NOMEM;
  self->options = options;
  self->message = message;
  self->host = (sync_host){.context = self,
                           .store = options->store,
                           .identity = options->identity,
                           .role = options->role,
                           .name = options->name,
                           .find_peer = host_find_peer,
                           .accepts_log = host_accepts_log,
                           .log = host_log,
                           .claim_log = host_claim,
                           .release_log = host_release,
                           .log_grew = host_log_grew,
                           .fork_found = host_fork_found,
                           .now_ms = host_now};
  memcpy(self->host.network_id, options->network_id, SYNC_NETWORK_ID_BYTES);
  coop_err err = uv_loop_init(&self->loop) ? COOP_E_IO : COOP_OK;
  if (err) {
    coop_free(self);
    snprintf(message, SYNC_LINE_BYTES, "cannot start the event loop");
    return err;
  }
  self->started_ms = monotonic_ms(self);
  /* Signals first: a script may send SIGHUP as soon as it reads "listening". */
  const int numbers[3] = {SIGTERM, SIGINT, SIGHUP};
  for (size_t i = 0; i < 3; i++) {
    uv_signal_init(&self->loop, &self->signals[i]);
    self->signals[i].data = self;
    uv_signal_start(&self->signals[i], on_signal, numbers[i]);
  }
  uv_timer_init(&self->loop, &self->tick);
  self->tick.data = self;
  err = set_peers(self, options->peers, options->peer_count);
  if (!err && options->listen)
    err = start_listening(self);
  if (!err) {
    announce_growth(self, false); /* the greeting tells peers where we start */
    uv_timer_start(&self->tick, on_tick, SYNC_TICK_MS, SYNC_TICK_MS);
    dial_due(self);
  } else {
    self->stopping = true;
    uv_close((uv_handle_t *)&self->tick, NULL);
    for (size_t i = 0; i < 3; i++)
      uv_close((uv_handle_t *)&self->signals[i], NULL);
  }
  uv_run(&self->loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&self->loop) == UV_EBUSY) {
    uv_run(&self->loop, UV_RUN_DEFAULT);
    int closed = uv_loop_close(&self->loop);
    (void)closed;
  }
  if (!err && options->oneshot)
    err = oneshot_result(options, message);
  free_all(self);
  coop_free(self);
  return err;
}
