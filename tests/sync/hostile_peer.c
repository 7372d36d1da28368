/* A peer that speaks the sync protocol badly, for tests/sync/net.sh, and a
 * few store probes the shell cannot do itself.
 *
 * Attacks (one per invocation; each connects over TCP to a running node):
 *
 *   hostile_peer SCENARIO HOST:PORT KEYFILE|random THEIR_KEY_HEX NETWORK
 *
 *   KEYFILE is a node key file ("COOPKEY1" || 32-byte seed), e.g. the
 *   identity.key of a `coop init` home; `random` draws a fresh identity.
 *   THEIR_KEY_HEX is the node's Ed25519 key (`coop id`), NETWORK its network
 *   name (node.conf, default "coop").  Scenarios:
 *
 *     unknown-key     full handshake with a key that is not on the allowlist
 *     wrong-network   handshake with the prologue of another network
 *     flip-bit        one bit flipped in a transport frame
 *     truncated       half a frame, then the stream ends
 *     zero-frame      a frame of length 0
 *     oversized       a message whose length prefix is past every limit
 *     replay          handshake messages 1 and 3 of an earlier connection, again
 *     bad-entry       ENTRIES whose payload does not match its checkpoint
 *     bad-signature   HEADS with a checkpoint whose signature is wrong
 *     fork            two histories of our own log, signed by our key, at one size
 *     request-flood   thousands of REQUESTs at once
 *     ping-flood      PINGs without end, never reading the PONGs
 *     reset           vanish with a TCP reset in a busy exchange, 12 times
 *     duplicate       a second session with our key while the first sits
 *                     silent (as after a crash): the node must keep the new
 *                     one and close the old one
 *     flood           FLOOD_CONNECTIONS (500) unauthenticated connections
 *                     for FLOOD_SECONDS (env HOSTILE_FLOOD_SECONDS, default
 *                     20), reopened as the node drops them: a third idle, a
 *                     third trickling a message 1 a byte every 300 ms, a
 *                     third announcing a 65535-byte message 1; the key is
 *                     not used.  HOSTILE_FLOOD_SOURCES=N: from 127.0.0.2
 *                     to 127.0.0.N+1 instead (the node on IPv4 loopback).  Exit 0 when it ran its course: the test
 *                     meanwhile checks that an honest peer still syncs
 *
 *   Exit 0: the node did what it must (dropped the connection; for `fork`,
 *   took the first history and answered after the second); 1: it did not;
 *   2: the harness itself failed (usage, cannot connect, not allowlisted).
 *   One line per step on standard output.
 *
 * Probes:
 *
 *   hostile_peer size DB LOG_HEX
 *       prints how many entries of the log the store at DB holds.
 *   hostile_peer killpartial DB LOG_HEX TOTAL PID TIMEOUT_MS
 *       polls the store about every millisecond and sends SIGKILL to PID as
 *       soon as it holds some but not all TOTAL entries of the log (a node
 *       in the middle of receiving it); prints the size it saw.
 *   hostile_peer wait-size DB LOG_HEX MIN TIMEOUT_MS
 *       polls until the store holds at least MIN entries of the log; prints
 *       the size; exit 1 on timeout.  (One process instead of one per poll:
 *       the test polls a lot, and every process start is dear under ASan.)
 *   hostile_peer wait-converged TIMEOUT_MS STABLE_MS COUNT DB...
 *       polls until every store holds the same COUNT logs with the same
 *       latest checkpoint (log id, size, root), unchanged for STABLE_MS;
 *       prints "LOG_HEX SIZE ROOT_HEX" per log; exit 1 on timeout.
 *   hostile_peer readable DB KEYFILE LOG_HEX
 *       for every sealed entry of the log, whether the identity in KEYFILE
 *       can open it with the keys granted to it in that log:
 *       "INDEX KIND AUDIENCE_HEX readable|sealed|erased", then a summary
 *       line "sealed N readable R".
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/base/hex.h"
#include "ledger/books/schema.h"
#include "ledger/log/checkpoint.h"
#include "ledger/log/entry.h"
#include "ledger/log/identity.h"
#include "ledger/log/seal.h"
#include "ledger/store/store.h"
#include "sync/noise.h"
#include "sync/wire.h"

enum { EXIT_PASS = 0, EXIT_NODE_WRONG = 1, EXIT_HARNESS = 2 };

/* How long the node has to react (generous: the node may run under ASan). */
#define REACT_MS 10000u
#define STEP_MS 10000u

static const char *scenario = "?";

static int usage(void);

static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  printf("hostile_peer %s: ", scenario);
  vprintf(format, args);
  printf("\n");
  va_end(args);
  fflush(stdout);
}

static uint64_t monotonic_ms(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

static uint64_t wall_ms(void)
{
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned ms)
{
  struct timespec wait = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};
  while (nanosleep(&wait, &wait) && errno == EINTR) {
  }
}

/* ---- TCP ------------------------------------------------------------------------ */

static int tcp_connect(const char *address)
{
  char host[256], port[8];
  const char *colon = strrchr(address, ':');
  if (!colon || (size_t)(colon - address) >= sizeof host || strlen(colon + 1) >= sizeof port)
    return -1;
  memcpy(host, address, (size_t)(colon - address));
  host[colon - address] = 0;
  snprintf(port, sizeof port, "%s", colon + 1);
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *found = NULL;
  if (getaddrinfo(host, port, &hints, &found) || !found)
    return -1;
  int fd = -1;
  for (struct addrinfo *at = found; at && fd < 0; at = at->ai_next) {
    fd = socket(at->ai_family, at->ai_socktype, at->ai_protocol);
    if (fd >= 0 && connect(fd, at->ai_addr, at->ai_addrlen)) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

/* 0 when everything was sent; -1 when the node closed the connection. */
static int send_all(int fd, const uint8_t *bytes, size_t count)
{
  while (count) {
    ssize_t sent = send(fd, bytes, count, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR)
      continue;
    if (sent <= 0)
      return -1;
    bytes += sent;
    count -= (size_t)sent;
  }
  return 0;
}

/* 1: `count` bytes read; 0: the stream ended (EOF or reset); -1: deadline. */
static int recv_exact(int fd, uint8_t *out, size_t count, uint64_t deadline)
{
  while (count) {
    uint64_t now = monotonic_ms();
    if (now >= deadline)
      return -1;
    struct pollfd wait = {.fd = fd, .events = POLLIN};
    int ready = poll(&wait, 1, (int)(deadline - now));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      return -1;
    ssize_t got = recv(fd, out, count, 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return 0;
    out += got;
    count -= (size_t)got;
  }
  return 1;
}

/* ---- One connection --------------------------------------------------------------- */

typedef struct peer_conn {
  int fd;
  sync_noise_cipher send, receive;
  sync_message_reader messages;
  uint8_t plain[SYNC_NOISE_MESSAGE_BYTES_MAX];
  size_t plain_len, plain_off;
  uint64_t frames_received; /* transport frames */
  uint8_t msg1[SYNC_HANDSHAKE_MESSAGE_1_BYTES];
  uint8_t msg3[SYNC_HANDSHAKE_MESSAGE_3_BYTES];
} peer_conn;

typedef struct setup {
  const char *address;
  ledger_identity identity;
  bool have_identity;
  sync_noise_keypair keypair;
  uint8_t their_key[LEDGER_PUBLIC_KEY_BYTES];
  uint8_t their_noise_key[SYNC_NOISE_KEY_BYTES];
  uint8_t network_id[SYNC_NETWORK_ID_BYTES];
  char tmpdir[512];
} setup;

static void network_id_of(const char *network, uint8_t out[SYNC_NETWORK_ID_BYTES])
{
  static const char domain[] = "coop-network-v1"; /* with its NUL, as node/node.c */
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, (const uint8_t *)domain, sizeof domain);
  crypto_hash_sha256_update(&state, (const uint8_t *)network, strlen(network));
  crypto_hash_sha256_final(&state, out);
}

static peer_conn *conn_open(const setup *self)
{
  peer_conn *conn = coop_calloc(1, sizeof *conn);
  if (!conn)
    return NULL;
  conn->fd = tcp_connect(self->address);
  if (conn->fd < 0) {
    say("cannot connect to %s: %s", self->address, strerror(errno));
    coop_free(conn);
    return NULL;
  }
  sync_message_reader_init(&conn->messages);
  return conn;
}

static void conn_close(peer_conn *conn)
{
  if (!conn)
    return;
  if (conn->fd >= 0)
    close(conn->fd);
  sync_noise_cipher_release(&conn->send);
  sync_noise_cipher_release(&conn->receive);
  sync_message_reader_release(&conn->messages);
  coop_free(conn);
}

static int send_frame(peer_conn *conn, const uint8_t *data, size_t bytes)
{
  coop_buf out;
  coop_buf_init(&out, SYNC_FRAME_LENGTH_BYTES + SYNC_FRAME_BYTES_MAX);
  int status = sync_frame_encode(&out, data, bytes) ? -1 : send_all(conn->fd, out.data, out.len);
  coop_buf_release(&out);
  return status;
}

/* 1: a frame; 0: the stream ended; -1: deadline. */
static int read_frame(peer_conn *conn, uint8_t *out, size_t *bytes, uint64_t deadline)
{
  uint8_t prefix[SYNC_FRAME_LENGTH_BYTES];
  int status = recv_exact(conn->fd, prefix, sizeof prefix, deadline);
  if (status != 1)
    return status;
  *bytes = coop_get_u16le(prefix);
  if (!*bytes)
    return 0;
  return recv_exact(conn->fd, out, *bytes, deadline);
}

typedef enum handshake_result {
  HANDSHAKE_DONE = 0,
  HANDSHAKE_MESSAGE_2_REFUSED = 1, /* message 2 did not verify (another prologue) */
  HANDSHAKE_FAILED = 2,            /* the node closed, timed out or is not who we dialed */
} handshake_result;

/* Noise XX as the initiator.  With `garbage_message_3` a message 2 that does
 * not verify is answered with 64 random bytes (so the node, not only we,
 * sees the handshake fail). */
static handshake_result handshake(peer_conn *conn, const setup *self,
                                  const uint8_t network_id[SYNC_NETWORK_ID_BYTES],
                                  bool garbage_message_3)
{
  uint8_t prologue[SYNC_PROLOGUE_BYTES];
  sync_prologue(network_id, prologue);
  sync_noise_handshake state;
  sync_noise_config config = {.pattern = SYNC_NOISE_PATTERN_XX,
                              .role = SYNC_NOISE_INITIATOR,
                              .prologue = prologue,
                              .prologue_bytes = sizeof prologue,
                              .local_static = &self->keypair};
  if (sync_noise_handshake_init(&state, &config)) {
    say("cannot start a handshake");
    return HANDSHAKE_FAILED;
  }
  handshake_result result = HANDSHAKE_FAILED;
  uint8_t message[SYNC_HANDSHAKE_MESSAGE_2_BYTES], payload[16];
  size_t bytes = 0, payload_bytes = 0;
  if (sync_noise_write_message(&state, NULL, 0, conn->msg1, sizeof conn->msg1, &bytes) ||
      send_frame(conn, conn->msg1, bytes)) {
    say("cannot send handshake message 1");
    goto done;
  }
  int status = read_frame(conn, message, &bytes, monotonic_ms() + STEP_MS);
  if (status != 1 || bytes != SYNC_HANDSHAKE_MESSAGE_2_BYTES) {
    say("no handshake message 2 from the node (%s)",
        status == 0 ? "closed" : status < 0 ? "timeout" : "wrong size");
    goto done;
  }
  if (sync_noise_read_message(&state, message, bytes, payload, sizeof payload, &payload_bytes)) {
    say("handshake message 2 does not verify here");
    result = HANDSHAKE_MESSAGE_2_REFUSED;
    if (garbage_message_3) {
      randombytes_buf(conn->msg3, sizeof conn->msg3);
      if (send_frame(conn, conn->msg3, sizeof conn->msg3))
        say("the node closed before a message 3 could be sent");
    }
    goto done;
  }
  uint8_t remote[SYNC_NOISE_KEY_BYTES];
  if (sync_noise_remote_static_early(&state, remote) ||
      sodium_memcmp(remote, self->their_noise_key, sizeof remote)) {
    say("the node presented another static key than the one given");
    goto done;
  }
  if (sync_noise_write_message(&state, NULL, 0, conn->msg3, sizeof conn->msg3, &bytes) ||
      send_frame(conn, conn->msg3, bytes)) {
    say("cannot send handshake message 3");
    goto done;
  }
  if (sync_noise_split(&state, &conn->send, &conn->receive)) {
    say("cannot split");
    goto done;
  }
  result = HANDSHAKE_DONE;
done:
  sync_noise_handshake_release(&state);
  return result;
}

/* Seals encoded messages into frames and sends them.  0, or -1 when the node
 * had already closed (which for an attack is an answer, not an error). */
static int send_plain(peer_conn *conn, const coop_buf *plain)
{
  coop_buf wire;
  coop_buf_init(&wire, 64u * 1024u * 1024u);
  int status = sync_transport_seal(&conn->send, plain->data, plain->len, &wire)
                   ? -1
                   : send_all(conn->fd, wire.data, wire.len);
  coop_buf_release(&wire);
  return status;
}

/* The next complete message from the node: 1 (raw filled, valid until the
 * next call), 0 the stream ended, -1 deadline, -2 the node sent garbage. */
static int recv_message(peer_conn *conn, sync_raw_message *raw, uint64_t deadline)
{
  for (;;) {
    while (conn->plain_off < conn->plain_len) {
      size_t used = 0;
      bool complete = false;
      if (sync_message_reader_push(&conn->messages, conn->plain + conn->plain_off,
                                   conn->plain_len - conn->plain_off, &used, &complete, raw)) {
        say("the node sent an undecodable stream: %s", conn->messages.problem);
        return -2;
      }
      conn->plain_off += used;
      if (complete)
        return 1;
    }
    static uint8_t frame[SYNC_FRAME_BYTES_MAX];
    size_t bytes = 0;
    int status = read_frame(conn, frame, &bytes, deadline);
    if (status != 1)
      return status;
    conn->frames_received++;
    if (sync_noise_decrypt(&conn->receive, frame, bytes, conn->plain, sizeof conn->plain,
                           &conn->plain_len)) {
      say("a frame from the node does not decrypt");
      return -2;
    }
    conn->plain_off = 0;
  }
}

/* Reads and discards until the node closes the connection.  True when it
 * did within timeout_ms; *bytes_seen counts what it sent meanwhile. */
static bool wait_closed(peer_conn *conn, unsigned timeout_ms, size_t *bytes_seen)
{
  uint64_t deadline = monotonic_ms() + timeout_ms;
  size_t seen = 0;
  uint8_t sink[4096];
  bool closed = false;
  for (;;) {
    uint64_t now = monotonic_ms();
    if (now >= deadline)
      break;
    struct pollfd wait = {.fd = conn->fd, .events = POLLIN};
    int ready = poll(&wait, 1, (int)(deadline - now));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      break;
    ssize_t got = recv(conn->fd, sink, sizeof sink, 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      closed = true;
      break;
    }
    seen += (size_t)got;
  }
  if (bytes_seen)
    *bytes_seen = seen;
  return closed;
}

/* Waits for the node's HELLO: proof that it opened the session (so we are
 * on its allowlist and the attack that follows hits an open connection). */
static int expect_hello(peer_conn *conn)
{
  uint64_t deadline = monotonic_ms() + STEP_MS;
  sync_raw_message raw;
  int status = recv_message(conn, &raw, deadline);
  if (status != 1 || raw.type != SYNC_MESSAGE_HELLO) {
    say("the node did not greet us with HELLO (%s): is our key on its allowlist?",
        status == 0 ? "it closed the connection" : status == -1 ? "timeout" : "another message");
    return EXIT_HARNESS;
  }
  return EXIT_PASS;
}

static int send_hello(peer_conn *conn)
{
  coop_buf plain;
  coop_buf_init(&plain, SYNC_MESSAGE_BYTES_MAX);
  int status = sync_encode_hello(&plain, LEDGER_ROLE_PARTNER, "hostile") ? -1
                                                                          : send_plain(conn, &plain);
  coop_buf_release(&plain);
  return status;
}

/* Handshake, the node's HELLO, our HELLO: a session the node considers open. */
static int open_session(const setup *self, peer_conn **out)
{
  *out = conn_open(self);
  if (!*out)
    return EXIT_HARNESS;
  if (handshake(*out, self, self->network_id, false) != HANDSHAKE_DONE)
    return EXIT_HARNESS;
  int status = expect_hello(*out);
  if (status)
    return status;
  if (send_hello(*out)) {
    say("the node closed the connection right after greeting us");
    return EXIT_HARNESS;
  }
  return EXIT_PASS;
}

static int expect_dropped(peer_conn *conn, const char *what)
{
  size_t seen = 0;
  if (wait_closed(conn, REACT_MS, &seen)) {
    say("%s: the node dropped the connection (%zu more bytes from it first)", what, seen);
    return EXIT_PASS;
  }
  say("%s: the node did NOT drop the connection within %u s", what, REACT_MS / 1000u);
  return EXIT_NODE_WRONG;
}

/* Waits for a message of `type` that names our log (REQUEST: log id first;
 * HEADS: one of its checkpoints at `min_size` or more), answering PINGs. */
static int wait_for(peer_conn *conn, sync_message_type type,
                    const uint8_t log_id[LEDGER_LOG_ID_BYTES], uint64_t min_size)
{
  uint64_t deadline = monotonic_ms() + REACT_MS;
  for (;;) {
    sync_raw_message raw;
    int status = recv_message(conn, &raw, deadline);
    if (status != 1) {
      say("waiting for '%s' about our log: %s", sync_message_type_name(type),
          status == 0 ? "the node closed the connection" : status == -1 ? "timeout" : "garbage");
      return EXIT_NODE_WRONG;
    }
    if (raw.type == SYNC_MESSAGE_PING && raw.body_bytes == SYNC_NONCE_BYTES) {
      coop_buf plain;
      coop_buf_init(&plain, 64);
      uint64_t nonce = coop_get_u64le(raw.body);
      if (!sync_encode_pong(&plain, nonce))
        (void)send_plain(conn, &plain);
      coop_buf_release(&plain);
      continue;
    }
    if (raw.type != type)
      continue;
    if (type == SYNC_MESSAGE_REQUEST && raw.body_bytes == SYNC_REQUEST_BYTES &&
        !memcmp(raw.body, log_id, LEDGER_LOG_ID_BYTES))
      return EXIT_PASS;
    if (type == SYNC_MESSAGE_HEADS && raw.body_bytes >= SYNC_HEADS_FIXED_BYTES) {
      uint32_t count = coop_get_u32le(raw.body);
      for (uint32_t i = 0; i < count; i++) {
        size_t at = SYNC_HEADS_FIXED_BYTES + (size_t)i * LEDGER_CHECKPOINT_BYTES;
        ledger_checkpoint head;
        if (at + LEDGER_CHECKPOINT_BYTES > raw.body_bytes ||
            ledger_checkpoint_decode(raw.body + at, LEDGER_CHECKPOINT_BYTES, &head))
          break;
        if (!memcmp(head.log_id, log_id, LEDGER_LOG_ID_BYTES) && head.size >= min_size)
          return EXIT_PASS;
      }
    }
    if (type == SYNC_MESSAGE_PONG)
      return EXIT_PASS;
  }
}

/* ---- A silent first session, replaced by a second ------------------------------ */

static int scenario_duplicate(setup *self)
{
  peer_conn *first = NULL, *second = NULL;
  int result = open_session(self, &first);
  if (!result)
    result = open_session(self, &second);
  if (!result) {
    say("two sessions with one key; the first one is silent from now on");
    size_t seen = 0;
    if (!wait_closed(first, REACT_MS, NULL)) {
      say("the node kept the silent old connection");
      result = EXIT_NODE_WRONG;
    } else if (wait_closed(second, 2000, &seen)) {
      say("the node closed the new connection (%zu bytes from it first)", seen);
      result = EXIT_NODE_WRONG;
    } else {
      say("the node closed the old connection and kept the new one");
    }
  }
  conn_close(first);
  conn_close(second);
  return result;
}

/* ---- A flood of unauthenticated connections ---------------------------------------- */

#define FLOOD_CONNECTIONS 500u
#define FLOOD_TRICKLE_MS 300u

typedef struct flooder {
  int fd;
  unsigned kind; /* 0 idle, 1 trickles a message 1, 2 announces 65535 bytes */
  size_t sent;
  uint64_t next_send_ms;
} flooder;

/* A loopback connection from 127.0.0.SOURCE (Linux routes all of
 * 127.0.0.0/8 to lo), so one process can stand for many addresses. */
static int tcp_connect_from(const char *address, unsigned source)
{
  const char *colon = strrchr(address, ':');
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
  struct sockaddr_in from = {.sin_family = AF_INET};
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  from.sin_addr.s_addr = htonl(0x7f000000u | source);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd >= 0 && (bind(fd, (struct sockaddr *)&from, sizeof from) ||
                  connect(fd, (struct sockaddr *)&to, sizeof to))) {
    close(fd);
    fd = -1;
  }
  return fd;
}

static void flooder_open(flooder *one, const setup *self, unsigned sources, size_t index,
                         uint64_t now)
{
  one->fd = sources ? tcp_connect_from(self->address, 2u + (unsigned)(index % sources))
                    : tcp_connect(self->address);
  one->sent = 0;
  one->next_send_ms = now;
}

/* The next byte this connection sends, if it is time. */
static void flooder_trickle(flooder *one, uint64_t now)
{
  static const uint8_t prefixes[3][2] = {{0, 0}, {SYNC_HANDSHAKE_MESSAGE_1_BYTES, 0},
                                         {0xff, 0xff}};
  if (one->fd < 0 || one->kind == 0 || now < one->next_send_ms ||
      one->sent >= 2 + SYNC_HANDSHAKE_MESSAGE_1_BYTES)
    return;
  uint8_t byte = one->sent < 2 ? prefixes[one->kind][one->sent] : (uint8_t)randombytes_random();
  if (send(one->fd, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1)
    one->sent++;
  one->next_send_ms = now + FLOOD_TRICKLE_MS;
}

/* Notices connections the node closed. */
static size_t flood_reap(flooder *all, size_t count)
{
  struct pollfd waits[FLOOD_CONNECTIONS];
  for (size_t i = 0; i < count; i++)
    waits[i] = (struct pollfd){.fd = all[i].fd, .events = POLLIN};
  size_t closed = 0;
  if (poll(waits, count, 50) <= 0)
    return 0;
  for (size_t i = 0; i < count; i++) {
    if (all[i].fd < 0 || !(waits[i].revents & (POLLIN | POLLHUP | POLLERR)))
      continue;
    uint8_t sink[256];
    ssize_t got = recv(all[i].fd, sink, sizeof sink, MSG_DONTWAIT);
    if (got <= 0 && !(got < 0 && (errno == EAGAIN || errno == EINTR))) {
      close(all[i].fd);
      all[i].fd = -1;
      closed++;
    }
  }
  return closed;
}

static int scenario_flood(setup *self)
{
  const char *text = getenv("HOSTILE_FLOOD_SECONDS");
  unsigned seconds = text && atoi(text) > 0 ? (unsigned)atoi(text) : 20u;
  text = getenv("HOSTILE_FLOOD_SOURCES");
  unsigned sources = text && atoi(text) > 0 && atoi(text) < 250 ? (unsigned)atoi(text) : 0u;
  flooder *all = coop_calloc(FLOOD_CONNECTIONS, sizeof *all);
  if (!all)
    return EXIT_HARNESS;
  uint64_t now = monotonic_ms(), deadline = now + seconds * 1000u;
  size_t opened = 0, closed = 0;
  for (size_t i = 0; i < FLOOD_CONNECTIONS; i++) {
    all[i].kind = i % 3u;
    all[i].fd = -1;
  }
  say("%u connections for %u s from %u addresses", FLOOD_CONNECTIONS, seconds,
      sources ? sources : 1u);
  while ((now = monotonic_ms()) < deadline) {
    for (size_t i = 0; i < FLOOD_CONNECTIONS; i++) {
      if (all[i].fd < 0) {
        flooder_open(&all[i], self, sources, i, now);
        opened += all[i].fd >= 0;
      }
      flooder_trickle(&all[i], now);
    }
    closed += flood_reap(all, FLOOD_CONNECTIONS);
  }
  for (size_t i = 0; i < FLOOD_CONNECTIONS; i++)
    if (all[i].fd >= 0)
      close(all[i].fd);
  coop_free(all);
  say("opened %zu connections, the node closed %zu", opened, closed);
  return opened ? EXIT_PASS : EXIT_HARNESS;
}

/* ---- Our own log, built in a temporary store ------------------------------------- */

#define OWN_LOG_ENTRIES_MAX 16u

typedef struct own_log {
  ledger_store *store;
  char path[600];
  ledger_checkpoint latest;
  size_t count;
  uint8_t headers[OWN_LOG_ENTRIES_MAX][LEDGER_ENTRY_HEADER_BYTES];
  uint8_t payloads[OWN_LOG_ENTRIES_MAX][512];
  ledger_ingest_entry entries[OWN_LOG_ENTRIES_MAX];
} own_log;

static coop_err copy_entry(void *context, const ledger_stored_entry *entry)
{
  own_log *log = context;
  if (log->count == OWN_LOG_ENTRIES_MAX || !entry->payload ||
      entry->payload_bytes > sizeof log->payloads[0])
    return COOP_E_LIMIT;
  memcpy(log->headers[log->count], entry->header_bytes, LEDGER_ENTRY_HEADER_BYTES);
  memcpy(log->payloads[log->count], entry->payload, entry->payload_bytes);
  log->entries[log->count].header = log->headers[log->count];
  log->entries[log->count].payload = log->payloads[log->count];
  log->count++;
  return COOP_OK;
}

/* A log of our identity: its identity entry and `notes` notes saying `tag`,
 * in one append batch (one checkpoint). */
static int own_log_build(own_log *log, const setup *self, const char *file, const char *tag,
                         unsigned notes)
{
  memset(log, 0, sizeof *log);
  snprintf(log->path, sizeof log->path, "%s/%s", self->tmpdir, file);
  if (ledger_store_open(log->path, LEDGER_STORE_CREATE, &log->store)) {
    say("cannot create a store at %s", log->path);
    return EXIT_HARNESS;
  }
  ledger_identity_payload who = {.role = LEDGER_ROLE_PARTNER};
  snprintf(who.name, sizeof who.name, "Hostile %s", tag);
  uint8_t identity_payload[LEDGER_IDENTITY_PAYLOAD_MAX];
  size_t identity_bytes = 0;
  char texts[OWN_LOG_ENTRIES_MAX][64];
  ledger_append_item items[OWN_LOG_ENTRIES_MAX];
  if (notes + 1 > OWN_LOG_ENTRIES_MAX ||
      ledger_identity_payload_encode(&who, identity_payload, &identity_bytes))
    return EXIT_HARNESS;
  items[0] = (ledger_append_item){.kind = LEDGER_KIND_IDENTITY, .payload = identity_payload,
                                  .payload_bytes = identity_bytes};
  for (unsigned i = 0; i < notes; i++) {
    snprintf(texts[i], sizeof texts[i], "%s, note %u", tag, i + 1);
    items[i + 1] = (ledger_append_item){.kind = LEDGER_KIND_NOTE,
                                        .payload = (const uint8_t *)texts[i],
                                        .payload_bytes = strlen(texts[i])};
  }
  coop_err err = ledger_store_append(log->store, &self->identity, items, notes + 1, wall_ms(),
                                     &log->latest);
  if (!err)
    err = ledger_store_entries(log->store, self->identity.public_key, 0, copy_entry, log);
  if (err) {
    say("cannot build our log: %s", coop_err_message(err));
    return EXIT_HARNESS;
  }
  return EXIT_PASS;
}

static void own_log_release(own_log *log)
{
  if (log->store)
    ledger_store_close(log->store);
  log->store = NULL;
  char path[700];
  unlink(log->path);
  snprintf(path, sizeof path, "%s-wal", log->path);
  unlink(path);
  snprintf(path, sizeof path, "%s-shm", log->path);
  unlink(path);
  snprintf(path, sizeof path, "%s-journal", log->path);
  unlink(path);
}

static int send_heads(peer_conn *conn, const ledger_checkpoint *head)
{
  coop_buf plain;
  coop_buf_init(&plain, SYNC_MESSAGE_BYTES_MAX);
  int status = sync_encode_heads(&plain, head, 1) ? -1 : send_plain(conn, &plain);
  coop_buf_release(&plain);
  return status;
}

static int send_entries(peer_conn *conn, const own_log *log)
{
  coop_buf plain;
  coop_buf_init(&plain, SYNC_MESSAGE_BYTES_MAX);
  int status = sync_encode_entries(&plain, log->latest.log_id, 0, log->entries, log->count,
                                   &log->latest)
                   ? -1
                   : send_plain(conn, &plain);
  coop_buf_release(&plain);
  return status;
}

/* ---- Scenarios ---------------------------------------------------------------------- */

static int scenario_unknown_key(setup *self)
{
  peer_conn *conn = conn_open(self);
  if (!conn)
    return EXIT_HARNESS;
  int result = EXIT_HARNESS;
  if (handshake(conn, self, self->network_id, false) == HANDSHAKE_DONE) {
    say("handshake done on our side with a key the node does not know");
    size_t seen = 0;
    if (wait_closed(conn, REACT_MS, &seen)) {
      say("the node closed the connection after %zu bytes (%s)", seen,
          seen ? "it said something: a BYE?" : "told nothing, no HELLO, no heads");
      result = EXIT_PASS;
    } else {
      say("the node did NOT close the connection to an unknown key");
      result = EXIT_NODE_WRONG;
    }
  }
  conn_close(conn);
  return result;
}

static int scenario_wrong_network(setup *self)
{
  uint8_t other[SYNC_NETWORK_ID_BYTES];
  network_id_of("not-the-coop-network", other);
  peer_conn *conn = conn_open(self);
  if (!conn)
    return EXIT_HARNESS;
  handshake_result hs = handshake(conn, self, other, true);
  int result = EXIT_HARNESS;
  if (hs == HANDSHAKE_DONE) {
    say("the handshake succeeded across networks");
    result = EXIT_NODE_WRONG;
  } else if (hs == HANDSHAKE_MESSAGE_2_REFUSED) {
    result = expect_dropped(conn, "after a message 3 of another network");
  }
  conn_close(conn);
  return result;
}

static int scenario_flip_bit(setup *self)
{
  peer_conn *conn = NULL;
  int result = open_session(self, &conn);
  if (!result) {
    coop_buf plain, wire;
    coop_buf_init(&plain, 64);
    coop_buf_init(&wire, 1024);
    if (sync_encode_ping(&plain, 42) ||
        sync_transport_seal(&conn->send, plain.data, plain.len, &wire)) {
      result = EXIT_HARNESS;
    } else {
      wire.data[SYNC_FRAME_LENGTH_BYTES + 3] ^= 0x10; /* one ciphertext bit */
      say("sending a PING frame with bit 4 of byte 3 flipped");
      (void)send_all(conn->fd, wire.data, wire.len);
      result = expect_dropped(conn, "flipped bit");
    }
    coop_buf_release(&plain);
    coop_buf_release(&wire);
  }
  conn_close(conn);
  return result;
}

static int scenario_truncated(setup *self)
{
  peer_conn *conn = NULL;
  int result = open_session(self, &conn);
  if (!result) {
    coop_buf plain, wire;
    coop_buf_init(&plain, 1024);
    coop_buf_init(&wire, 2048);
    if (sync_encode_bye(&plain, 1, "this reason is long enough to cut a frame in two") ||
        sync_transport_seal(&conn->send, plain.data, plain.len, &wire)) {
      result = EXIT_HARNESS;
    } else {
      say("sending %zu of the %zu bytes of a frame, then ending the stream", wire.len / 2,
          wire.len);
      (void)send_all(conn->fd, wire.data, wire.len / 2);
      shutdown(conn->fd, SHUT_WR);
      result = expect_dropped(conn, "truncated frame");
    }
    coop_buf_release(&plain);
    coop_buf_release(&wire);
  }
  conn_close(conn);
  return result;
}

static int scenario_zero_frame(setup *self)
{
  peer_conn *conn = NULL;
  int result = open_session(self, &conn);
  if (!result) {
    static const uint8_t zero[2] = {0, 0};
    say("sending a frame of length 0");
    (void)send_all(conn->fd, zero, sizeof zero);
    result = expect_dropped(conn, "zero-length frame");
  }
  conn_close(conn);
  return result;
}

static int scenario_oversized(setup *self)
{
  peer_conn *conn = NULL;
  int result = open_session(self, &conn);
  if (!result) {
    coop_buf plain;
    coop_buf_init(&plain, 64);
    uint8_t header[SYNC_MESSAGE_HEADER_BYTES];
    coop_put_u32le(header, 0xfffffff0u); /* 4 GiB of 'heads' announced */
    header[4] = SYNC_MESSAGE_HEADS;
    if (coop_buf_append(&plain, header, sizeof header)) {
      result = EXIT_HARNESS;
    } else {
      say("sending a message header announcing a body of %u bytes", 0xfffffff0u);
      (void)send_plain(conn, &plain);
      result = expect_dropped(conn, "oversized message");
    }
    coop_buf_release(&plain);
  }
  conn_close(conn);
  return result;
}

static int scenario_replay(setup *self)
{
  peer_conn *first = NULL;
  int result = open_session(self, &first);
  if (result) {
    conn_close(first);
    return result;
  }
  coop_buf plain;
  coop_buf_init(&plain, 256);
  if (!sync_encode_bye(&plain, SYNC_BYE_SHUTDOWN, "recorded, going away"))
    (void)send_plain(first, &plain);
  coop_buf_release(&plain);
  (void)wait_closed(first, 2000, NULL);
  uint8_t msg1[sizeof first->msg1], msg3[sizeof first->msg3];
  memcpy(msg1, first->msg1, sizeof msg1);
  memcpy(msg3, first->msg3, sizeof msg3);
  conn_close(first);
  say("first connection done; replaying its handshake messages 1 and 3 on a second one");

  peer_conn *second = conn_open(self);
  if (!second)
    return EXIT_HARNESS;
  uint8_t message[SYNC_HANDSHAKE_MESSAGE_2_BYTES];
  size_t bytes = 0;
  if (send_frame(second, msg1, sizeof msg1) ||
      read_frame(second, message, &bytes, monotonic_ms() + STEP_MS) != 1 ||
      bytes != SYNC_HANDSHAKE_MESSAGE_2_BYTES) {
    say("the node did not answer the replayed message 1 with a message 2");
    conn_close(second);
    return EXIT_HARNESS;
  }
  (void)send_frame(second, msg3, sizeof msg3);
  size_t seen = 0;
  if (wait_closed(second, REACT_MS, &seen)) {
    say("replayed handshake: the node dropped the connection (%zu bytes from it first)", seen);
    result = seen ? EXIT_NODE_WRONG : EXIT_PASS;
    if (seen)
      say("... but it sent transport data to a replayed handshake");
  } else {
    say("replayed handshake: the node did NOT drop the connection");
    result = EXIT_NODE_WRONG;
  }
  conn_close(second);
  return result;
}

static int scenario_bad_entry(setup *self)
{
  own_log log;
  int result = own_log_build(&log, self, "bad-entry.db", "bad entry", 3);
  peer_conn *conn = NULL;
  if (!result)
    result = open_session(self, &conn);
  if (!result && send_heads(conn, &log.latest))
    result = EXIT_HARNESS;
  if (!result) {
    say("announced our log at size %llu; waiting for the node's REQUEST",
        (unsigned long long)log.latest.size);
    result = wait_for(conn, SYNC_MESSAGE_REQUEST, log.latest.log_id, 0);
  }
  if (!result) {
    log.payloads[2][0] ^= 0x01; /* entry 2's payload no longer matches its leaf */
    say("sending entries 0..%zu with entry 2's payload altered, and the true checkpoint",
        log.count);
    (void)send_entries(conn, &log);
    result = expect_dropped(conn, "entry not matching its checkpoint");
  }
  conn_close(conn);
  own_log_release(&log);
  return result;
}

static int scenario_bad_signature(setup *self)
{
  own_log log;
  int result = own_log_build(&log, self, "bad-signature.db", "bad signature", 2);
  peer_conn *conn = NULL;
  if (!result)
    result = open_session(self, &conn);
  if (!result) {
    ledger_checkpoint forged = log.latest;
    forged.signature[10] ^= 0x40;
    say("sending HEADS with our checkpoint at size %llu, signature altered",
        (unsigned long long)forged.size);
    (void)send_heads(conn, &forged);
    result = expect_dropped(conn, "bad checkpoint signature");
  }
  conn_close(conn);
  own_log_release(&log);
  return result;
}

static int scenario_fork(setup *self)
{
  own_log first, second;
  int result = own_log_build(&first, self, "fork-a.db", "history A", 1);
  if (!result)
    result = own_log_build(&second, self, "fork-b.db", "history B", 1);
  else
    memset(&second, 0, sizeof second);
  if (!result && (first.latest.size != second.latest.size ||
                  !memcmp(first.latest.root, second.latest.root, LEDGER_HASH_BYTES))) {
    say("the two histories do not conflict");
    result = EXIT_HARNESS;
  }
  peer_conn *conn = NULL;
  if (!result)
    result = open_session(self, &conn);
  if (!result && send_heads(conn, &first.latest))
    result = EXIT_HARNESS;
  if (!result) {
    say("announced history A at size %llu; waiting for the node's REQUEST",
        (unsigned long long)first.latest.size);
    result = wait_for(conn, SYNC_MESSAGE_REQUEST, first.latest.log_id, 0);
  }
  if (!result && send_entries(conn, &first))
    result = EXIT_NODE_WRONG;
  if (!result) {
    say("sent history A; waiting for the node to announce it back");
    result = wait_for(conn, SYNC_MESSAGE_HEADS, first.latest.log_id, first.latest.size);
  }
  if (!result) {
    coop_buf plain;
    coop_buf_init(&plain, SYNC_MESSAGE_BYTES_MAX);
    say("the node holds history A; now HEADS with history B at the same size %llu, then PING",
        (unsigned long long)second.latest.size);
    if (sync_encode_heads(&plain, &second.latest, 1) || sync_encode_ping(&plain, 7) ||
        send_plain(conn, &plain))
      result = EXIT_NODE_WRONG;
    coop_buf_release(&plain);
  }
  if (!result) {
    /* The node answers a PING only after handling what came before it. */
    result = wait_for(conn, SYNC_MESSAGE_PONG, first.latest.log_id, 0);
    if (!result) {
      say("the node handled the conflicting checkpoint (PONG after it); closing");
      coop_buf plain;
      coop_buf_init(&plain, 256);
      if (!sync_encode_bye(&plain, SYNC_BYE_SHUTDOWN, "done"))
        (void)send_plain(conn, &plain);
      coop_buf_release(&plain);
      (void)wait_closed(conn, 2000, NULL);
    }
  }
  conn_close(conn);
  own_log_release(&first);
  own_log_release(&second);
  return result;
}

static int scenario_request_flood(setup *self)
{
  peer_conn *conn = NULL;
  int result = open_session(self, &conn);
  if (!result) {
    enum { FLOOD = 5000 };
    coop_buf plain;
    coop_buf_init(&plain, SYNC_MESSAGE_BYTES_MAX);
    for (unsigned i = 0; i < FLOOD && !result; i++)
      if (sync_encode_request(&plain, self->their_key, 0, 1))
        result = EXIT_HARNESS;
    if (!result) {
      say("sending %u REQUESTs for the node's own log at once (%zu bytes)", (unsigned)FLOOD,
          plain.len);
      (void)send_plain(conn, &plain);
      result = expect_dropped(conn, "request flood");
    }
    coop_buf_release(&plain);
  }
  conn_close(conn);
  return result;
}

/* PINGs as fast as we can seal them, never reading the PONGs: the node
 * must drop us once SYNC_SEND_QUEUE_BYTES_MAX of unread output piles up
 * (sync/session.h), not buffer PONGs without bound. */
static int scenario_ping_flood(setup *self)
{
  peer_conn *conn = NULL;
  int result = open_session(self, &conn);
  if (result) {
    conn_close(conn);
    return result;
  }
  enum { PINGS_PER_FRAME = SYNC_NOISE_PLAINTEXT_BYTES_MAX / (SYNC_MESSAGE_HEADER_BYTES + 8) };
  /* 2.5 times the node's queue limit: with the kernel's socket buffers (a few MiB
   * each way on loopback) the node must have dropped us well before. */
  const size_t limit = 40u * 1024u * 1024u;
  coop_buf plain, wire;
  coop_buf_init(&plain, SYNC_NOISE_PLAINTEXT_BYTES_MAX);
  coop_buf_init(&wire, 2u * SYNC_FRAME_BYTES_MAX);
  for (unsigned i = 0; i < PINGS_PER_FRAME; i++)
    if (sync_encode_ping(&plain, i))
      result = EXIT_HARNESS;
  size_t sent = 0;
  bool dropped = false;
  uint64_t started = monotonic_ms();
  while (!result && sent < limit) {
    coop_buf_reset(&wire);
    if (sync_transport_seal(&conn->send, plain.data, plain.len, &wire)) {
      result = EXIT_HARNESS;
      break;
    }
    if (send_all(conn->fd, wire.data, wire.len)) {
      dropped = true;
      break;
    }
    sent += plain.len;
  }
  coop_buf_release(&plain);
  coop_buf_release(&wire);
  if (!result) {
    if (!dropped)
      dropped = wait_closed(conn, 2000, NULL);
    say("sent %zu MiB of PINGs in %llu ms without reading a PONG: %s", sent >> 20,
        (unsigned long long)(monotonic_ms() - started),
        dropped ? "the node dropped the connection" : "the node did NOT drop the connection");
    result = dropped ? EXIT_PASS : EXIT_NODE_WRONG;
  }
  conn_close(conn);
  return result;
}

/* Drains whatever the node has sent, without waiting. */
static void drain(peer_conn *conn)
{
  uint8_t sink[65536];
  while (recv(conn->fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
  }
}

/* Vanishes with a TCP reset in the middle of a busy exchange, again and
 * again: the node writes to connections whose peer is gone.  It must drop
 * them, not die (a write to a reset socket raises SIGPIPE unless ignored). */
static int scenario_reset(setup *self)
{
  enum { PINGS_PER_FRAME = SYNC_NOISE_PLAINTEXT_BYTES_MAX / (SYNC_MESSAGE_HEADER_BYTES + 8) };
  enum { ROUNDS = 12 };
  int result = EXIT_PASS;
  unsigned round = 0;
  for (; round < ROUNDS && result == EXIT_PASS; round++) {
    peer_conn *conn = NULL;
    result = open_session(self, &conn);
    if (result && round > 0) {
      say("the node no longer answers after %u reset connection(s): it died?", round);
      conn_close(conn);
      return EXIT_NODE_WRONG;
    }
    coop_buf plain, wire;
    coop_buf_init(&plain, SYNC_NOISE_PLAINTEXT_BYTES_MAX);
    coop_buf_init(&wire, 2u * SYNC_FRAME_BYTES_MAX);
    for (unsigned i = 0; i < PINGS_PER_FRAME && !result; i++)
      if (sync_encode_ping(&plain, i))
        result = EXIT_HARNESS;
    /* A few MiB of PINGs, reading the PONGs as they come, so the node keeps
     * writing; then a reset with both directions busy. */
    unsigned frames = 40u + randombytes_uniform(80u);
    for (unsigned f = 0; f < frames && !result; f++) {
      coop_buf_reset(&wire);
      if (sync_transport_seal(&conn->send, plain.data, plain.len, &wire))
        result = EXIT_HARNESS;
      else if (send_all(conn->fd, wire.data, wire.len))
        break;
      drain(conn);
    }
    coop_buf_release(&plain);
    coop_buf_release(&wire);
    if (conn) {
      struct linger reset = {.l_onoff = 1, .l_linger = 0};
      setsockopt(conn->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    conn_close(conn); /* RST */
  }
  if (!result)
    say("reset %u busy connections; the node still answers", round);
  return result;
}

/* ---- Probes --------------------------------------------------------------------------- */

static int open_store(const char *path, ledger_store **store)
{
  coop_err err = ledger_store_open(path, LEDGER_STORE_OPEN_EXISTING, store);
  if (err) {
    fprintf(stderr, "hostile_peer: cannot open %s: %s\n", path, coop_err_message(err));
    return EXIT_HARNESS;
  }
  return EXIT_PASS;
}

static int probe_size(const char *db, const char *log_hex)
{
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  ledger_store *store = NULL;
  if (ledger_hex_decode(log_hex, log_id, sizeof log_id))
    return EXIT_HARNESS;
  if (open_store(db, &store))
    return EXIT_HARNESS;
  uint64_t size = 0;
  coop_err err = ledger_store_size(store, log_id, &size);
  ledger_store_close(store);
  if (err)
    return EXIT_HARNESS;
  printf("%llu\n", (unsigned long long)size);
  return EXIT_PASS;
}

static int probe_kill_partial(const char *db, const char *log_hex, const char *total_text,
                              const char *pid_text, const char *timeout_text)
{
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  unsigned long long total = strtoull(total_text, NULL, 10);
  long pid = strtol(pid_text, NULL, 10);
  unsigned long timeout = strtoul(timeout_text, NULL, 10);
  if (ledger_hex_decode(log_hex, log_id, sizeof log_id) || !total || pid <= 1 || !timeout)
    return EXIT_HARNESS;
  ledger_store *store = NULL;
  if (open_store(db, &store))
    return EXIT_HARNESS;
  uint64_t deadline = monotonic_ms() + timeout, size = 0;
  int result = EXIT_NODE_WRONG;
  while (monotonic_ms() < deadline) {
    if (ledger_store_size(store, log_id, &size))
      size = 0; /* busy: try again */
    if (size > 0 && size < total) {
      kill((pid_t)pid, SIGKILL);
      printf("%llu\n", (unsigned long long)size);
      result = EXIT_PASS;
      break;
    }
    if (size >= total) {
      fprintf(stderr, "hostile_peer: the whole log (%llu entries) arrived before a partial "
                      "state was seen\n", (unsigned long long)size);
      break;
    }
    sleep_ms(1);
  }
  if (result && size < total)
    fprintf(stderr, "hostile_peer: timeout: %llu of %llu entries\n", (unsigned long long)size,
            total);
  ledger_store_close(store);
  return result;
}

static int probe_wait_size(const char *db, const char *log_hex, const char *min_text,
                           const char *timeout_text)
{
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  unsigned long long min = strtoull(min_text, NULL, 10);
  unsigned long timeout = strtoul(timeout_text, NULL, 10);
  if (ledger_hex_decode(log_hex, log_id, sizeof log_id) || !timeout)
    return EXIT_HARNESS;
  ledger_store *store = NULL;
  if (open_store(db, &store))
    return EXIT_HARNESS;
  uint64_t deadline = monotonic_ms() + timeout, size = 0;
  for (;;) {
    if (ledger_store_size(store, log_id, &size))
      size = 0; /* busy: try again */
    if (size >= min || monotonic_ms() >= deadline)
      break;
    sleep_ms(2);
  }
  ledger_store_close(store);
  printf("%llu\n", (unsigned long long)size);
  return size >= min ? EXIT_PASS : EXIT_NODE_WRONG;
}

/* The latest checkpoint of every log a store holds, as text lines sorted
 * by log id ("LOG SIZE ROOT\n" each). */
typedef struct heads_text {
  ledger_store *store;
  coop_buf lines;
  unsigned count;
  coop_err err;
} heads_text;

static coop_err add_head_line(void *context, const uint8_t log_id[LEDGER_LOG_ID_BYTES])
{
  heads_text *heads = context;
  ledger_checkpoint latest;
  coop_err err = ledger_store_checkpoint_latest(heads->store, log_id, &latest);
  if (err == COOP_E_NOT_FOUND)
    return COOP_OK;
  if (err)
    return err;
  char id[2 * LEDGER_LOG_ID_BYTES + 1], root[2 * LEDGER_HASH_BYTES + 1];
  ledger_hex_encode(latest.log_id, sizeof latest.log_id, id);
  ledger_hex_encode(latest.root, sizeof latest.root, root);
  heads->count++;
  return coop_buf_printf(&heads->lines, "%s %llu %s\n", id, (unsigned long long)latest.size,
                         root);
}

static int compare_lines(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fills `out` with the sorted lines; false when the store could not be read
 * (busy, say: the caller tries again). */
static bool store_heads(ledger_store *store, coop_buf *out, unsigned *count)
{
  heads_text heads = {.store = store};
  coop_buf_init(&heads.lines, 1u << 20);
  coop_err err = ledger_store_logs(store, add_head_line, &heads);
  coop_buf_reset(out);
  *count = heads.count;
  char *lines[4096];
  unsigned n = 0;
  for (char *at = (char *)heads.lines.data; !err && *at && n < 4096;) {
    lines[n++] = at;
    char *end = strchr(at, '\n');
    *end = 0;
    at = end + 1;
  }
  qsort(lines, n, sizeof lines[0], compare_lines);
  for (unsigned i = 0; i < n && !err; i++)
    err = coop_buf_printf(out, "%s\n", lines[i]);
  coop_buf_release(&heads.lines);
  return !err;
}

static int probe_wait_converged(int argc, char **argv)
{
  unsigned long timeout = strtoul(argv[2], NULL, 10);
  unsigned long stable = strtoul(argv[3], NULL, 10);
  unsigned long count = strtoul(argv[4], NULL, 10);
  int stores_count = argc - 5;
  if (!timeout || stores_count < 1 || stores_count > 16)
    return usage();
  ledger_store *stores[16] = {0};
  int result = EXIT_HARNESS;
  for (int i = 0; i < stores_count; i++)
    if (open_store(argv[5 + i], &stores[i]))
      goto done;
  coop_buf first, other, agreed;
  coop_buf_init(&first, 1u << 20);
  coop_buf_init(&other, 1u << 20);
  coop_buf_init(&agreed, 1u << 20);
  uint64_t deadline = monotonic_ms() + timeout, agreed_since = 0;
  result = EXIT_NODE_WRONG;
  while (monotonic_ms() < deadline) {
    unsigned logs = 0, other_logs = 0;
    bool same = store_heads(stores[0], &first, &logs) && logs == count;
    for (int i = 1; i < stores_count && same; i++)
      same = store_heads(stores[i], &other, &other_logs) && other.len == first.len &&
             !memcmp(other.data, first.data, first.len);
    uint64_t now = monotonic_ms();
    if (!same) {
      agreed_since = 0;
    } else if (!agreed_since || agreed.len != first.len ||
               memcmp(agreed.data, first.data, first.len)) {
      agreed_since = now;
      coop_buf_reset(&agreed);
      if (coop_buf_append(&agreed, first.data, first.len))
        break;
    } else if (now - agreed_since >= stable) {
      fputs((const char *)agreed.data, stdout);
      result = EXIT_PASS;
      break;
    }
    sleep_ms(20);
  }
  if (result)
    fprintf(stderr, "hostile_peer: the stores did not agree on %lu logs for %lu ms within %lu ms\n",
            count, stable, timeout);
  coop_buf_release(&first);
  coop_buf_release(&other);
  coop_buf_release(&agreed);
done:
  for (int i = 0; i < stores_count; i++)
    if (stores[i])
      ledger_store_close(stores[i]);
  return result;
}

typedef struct readable_scan {
  ledger_store *store;
  const ledger_identity *reader;
  const uint8_t *log_id;
  uint8_t *plain;
  uint64_t sealed, readable;
  /* Audience keys looked up so far (a few tens of members at most here). */
  unsigned cached;
  uint8_t ids[256][LEDGER_AUDIENCE_ID_BYTES];
  uint8_t keys[256][LEDGER_AUDIENCE_KEY_BYTES];
  bool present[256];
} readable_scan;

static const uint8_t *scan_key(readable_scan *scan, const uint8_t *audience_id)
{
  for (unsigned i = 0; i < scan->cached; i++)
    if (!memcmp(scan->ids[i], audience_id, LEDGER_AUDIENCE_ID_BYTES))
      return scan->present[i] ? scan->keys[i] : NULL;
  unsigned slot = scan->cached < 256 ? scan->cached++ : 255;
  memcpy(scan->ids[slot], audience_id, LEDGER_AUDIENCE_ID_BYTES);
  scan->present[slot] = ledger_store_audience_key(scan->store, scan->reader, scan->log_id,
                                                  audience_id, scan->keys[slot]) == COOP_OK;
  return scan->present[slot] ? scan->keys[slot] : NULL;
}

static coop_err scan_entry(void *context, const ledger_stored_entry *entry)
{
  readable_scan *scan = context;
  if (ledger_entry_is_public(&entry->header))
    return COOP_OK;
  scan->sealed++;
  char audience[2 * LEDGER_AUDIENCE_ID_BYTES + 1];
  ledger_hex_encode(entry->header.audience_id, LEDGER_AUDIENCE_ID_BYTES, audience);
  const char *verdict = "sealed";
  if (!entry->payload) {
    verdict = "erased";
  } else {
    const uint8_t *key = scan_key(scan, entry->header.audience_id);
    size_t plain_bytes = 0;
    if (key && ledger_open_payload(key, entry->header_bytes, entry->payload,
                                   entry->payload_bytes, scan->plain, &plain_bytes) == COOP_OK) {
      verdict = "readable";
      scan->readable++;
    }
  }
  printf("%llu %s %s %s\n", (unsigned long long)entry->header.index,
         ledger_entry_kind_name(entry->header.kind), audience, verdict);
  return COOP_OK;
}

static int probe_readable(const char *db, const char *keyfile, const char *log_hex)
{
  uint8_t log_id[LEDGER_LOG_ID_BYTES];
  if (ledger_hex_decode(log_hex, log_id, sizeof log_id))
    return EXIT_HARNESS;
  ledger_identity reader = {0};
  if (ledger_identity_load(keyfile, &reader)) {
    fprintf(stderr, "hostile_peer: cannot load %s\n", keyfile);
    return EXIT_HARNESS;
  }
  ledger_store *store = NULL;
  if (open_store(db, &store)) {
    ledger_identity_release(&reader);
    return EXIT_HARNESS;
  }
  readable_scan *scan = coop_calloc(1, sizeof *scan);
  uint8_t *plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  coop_err err = scan && plain ? COOP_OK : COOP_E_NOMEM;
  if (!err) {
    *scan = (readable_scan){.store = store, .reader = &reader, .log_id = log_id, .plain = plain};
    err = ledger_store_entries(store, log_id, 0, scan_entry, scan);
  }
  if (!err)
    printf("sealed %llu readable %llu\n", (unsigned long long)scan->sealed,
           (unsigned long long)scan->readable);
  else
    fprintf(stderr, "hostile_peer: cannot read the log: %s\n", coop_err_message(err));
  if (scan)
    sodium_memzero(scan->keys, sizeof scan->keys);
  coop_free(scan);
  coop_free(plain);
  ledger_store_close(store);
  ledger_identity_release(&reader);
  return err ? EXIT_HARNESS : EXIT_PASS;
}

/* ---- main -------------------------------------------------------------------------------- */

typedef struct scenario_entry {
  const char *name;
  int (*run)(setup *self);
} scenario_entry;

static const scenario_entry scenarios[] = {
    {"unknown-key", scenario_unknown_key},     {"wrong-network", scenario_wrong_network},
    {"flip-bit", scenario_flip_bit},           {"truncated", scenario_truncated},
    {"zero-frame", scenario_zero_frame},       {"oversized", scenario_oversized},
    {"replay", scenario_replay},               {"bad-entry", scenario_bad_entry},
    {"bad-signature", scenario_bad_signature}, {"fork", scenario_fork},
    {"request-flood", scenario_request_flood}, {"ping-flood", scenario_ping_flood},
    {"reset", scenario_reset},                 {"duplicate", scenario_duplicate},
    {"flood", scenario_flood},
};

static int usage(void)
{
  fprintf(stderr,
          "usage: hostile_peer SCENARIO HOST:PORT KEYFILE|random THEIR_KEY_HEX NETWORK\n"
          "       hostile_peer size DB LOG_HEX\n"
          "       hostile_peer killpartial DB LOG_HEX TOTAL PID TIMEOUT_MS\n"
          "       hostile_peer wait-size DB LOG_HEX MIN TIMEOUT_MS\n"
          "       hostile_peer wait-converged TIMEOUT_MS STABLE_MS COUNT DB...\n"
          "       hostile_peer readable DB KEYFILE LOG_HEX\n"
          "scenarios:");
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
    fprintf(stderr, " %s", scenarios[i].name);
  fprintf(stderr, "\n");
  return EXIT_HARNESS;
}

static int run_scenario(const scenario_entry *entry, char **argv)
{
  setup *self = coop_calloc(1, sizeof *self);
  if (!self)
    return EXIT_HARNESS;
  int result = EXIT_HARNESS;
  self->address = argv[2];
  coop_err err = !strcmp(argv[3], "random") ? ledger_identity_generate(&self->identity)
                                            : ledger_identity_load(argv[3], &self->identity);
  if (err) {
    say("cannot load the key file %s: %s", argv[3], coop_err_message(err));
    goto done;
  }
  self->have_identity = true;
  if (ledger_hex_decode(argv[4], self->their_key, sizeof self->their_key) ||
      sync_noise_public_from_ed25519(self->their_noise_key, self->their_key)) {
    say("'%s' is not a node key", argv[4]);
    goto done;
  }
  if (sync_noise_keypair_from_ed25519(&self->keypair, self->identity.public_key,
                                      self->identity.secret_key))
    goto done;
  network_id_of(argv[5], self->network_id);
  const char *tmp = getenv("TMPDIR");
  snprintf(self->tmpdir, sizeof self->tmpdir, "%s/hostile_peer.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(self->tmpdir)) {
    say("cannot create a temporary directory: %s", strerror(errno));
    self->tmpdir[0] = 0;
    goto done;
  }
  result = entry->run(self);
  rmdir(self->tmpdir);
done:
  sync_noise_keypair_release(&self->keypair);
  if (self->have_identity)
    ledger_identity_release(&self->identity);
  coop_free(self);
  return result;
}

int main(int argc, char **argv)
{
  if (sodium_init() < 0)
    return EXIT_HARNESS;
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2)
    return usage();
  scenario = argv[1];
  if (!strcmp(argv[1], "size"))
    return argc == 4 ? probe_size(argv[2], argv[3]) : usage();
  if (!strcmp(argv[1], "killpartial"))
    return argc == 7 ? probe_kill_partial(argv[2], argv[3], argv[4], argv[5], argv[6]) : usage();
  if (!strcmp(argv[1], "wait-size"))
    return argc == 6 ? probe_wait_size(argv[2], argv[3], argv[4], argv[5]) : usage();
  if (!strcmp(argv[1], "wait-converged"))
    return argc >= 6 ? probe_wait_converged(argc, argv) : usage();
  if (!strcmp(argv[1], "readable"))
    return argc == 5 ? probe_readable(argv[2], argv[3], argv[4]) : usage();
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
    if (!strcmp(argv[1], scenarios[i].name))
      return argc == 6 ? run_scenario(&scenarios[i], argv) : usage();
  return usage();
}
