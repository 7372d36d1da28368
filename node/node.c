#include "node/node.h"
#include "node/audit.h"
#include "node/books_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ini.h>
#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/buffer.h"
#include "ledger/base/hex.h"
#include "ledger/books/schema.h"
#include "ledger/log/entry.h"

static coop_err say(char message[NODE_MESSAGE_BYTES], coop_err err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static coop_err say(char message[NODE_MESSAGE_BYTES], coop_err err, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(message, NODE_MESSAGE_BYTES, format, args);
  va_end(args);
  return err;
}

uint64_t node_now_ms(void)
{
  const char *fixed = getenv("COOP_NOW_MS");
  if (fixed && fixed[0]) {
    char *end = NULL;
    unsigned long long value = strtoull(fixed, &end, 10);
    if (end && !*end)
      return value;
  }
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

char *node_path(const char *home, const char *file)
{
  coop_buf path;
  coop_buf_init(&path, 4096);
  if (coop_buf_printf(&path, "%s/%s", home, file)) {
    coop_buf_release(&path);
    return NULL;
  }
  return (char *)path.data;
}

/* mkdir -p with mode 0700 for the last component. */
static int make_directories(const char *home)
{
  char *copy = coop_strdup(home);
  if (!copy)
    return -1;
  for (char *slash = copy + 1; (slash = strchr(slash, '/')); slash++) {
    *slash = 0;
    if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
      coop_free(copy);
      return -1;
    }
    *slash = '/';
  }
  int result = mkdir(copy, 0700) == 0 || errno == EEXIST ? 0 : -1;
  coop_free(copy);
  return result;
}

/* ---- who may touch the node's files ------------------------------------- */

/* What a file of the node home must not allow.  Whoever can write node.conf
 * decides who may connect (it is the allowlist); whoever can read coop.db
 * reads members' names and client refs; whoever can read identity.key signs
 * as the node. */
typedef struct file_rule {
  const char *what;      /* "key file", ... for messages */
  mode_t type;           /* S_IFREG or S_IFDIR */
  mode_t forbidden;      /* mode bits group and others must not have */
  const char *allowing;  /* what those bits let them do, for messages */
  const char *fix;       /* the chmod that makes it safe */
} file_rule;

static const file_rule key_rule = {"key file", S_IFREG, 077, "access it", "chmod 600"};
static const file_rule config_rule = {"config file", S_IFREG, 022, "write to it", "chmod 600"};
static const file_rule database_rule = {"database", S_IFREG, 077, "access it", "chmod 600"};
/* Whoever can write the directory can put another node.conf in place of
 * ours (rename), however safe the file itself is. */
static const file_rule home_rule = {"node home", S_IFDIR, 022, "replace its files", "chmod 700"};

/* The database and the files SQLite keeps beside it while it is open: the
 * write-ahead log holds recent rows in clear, the shared-memory index where
 * to find them. */
static const char *const database_files[] = {NODE_DATABASE_FILE, NODE_DATABASE_FILE "-wal",
                                             NODE_DATABASE_FILE "-shm"};

/* COOP_OK when the file `status` describes is of the rule's type, belongs to
 * the user running coop and has none of the rule's forbidden bits; else
 * COOP_E_PERMISSIONS with `message` naming the file, what is wrong and the
 * fix.  The owner is compared with the effective uid, so root is no
 * exception: root running coop on another user's node would use files that
 * user can still change (and leave root-owned files behind). */
static coop_err refuse_unsafe(const struct stat *status, const file_rule *rule, const char *path,
                              char message[NODE_MESSAGE_BYTES])
{
  if ((status->st_mode & S_IFMT) != rule->type)
    return say(message, COOP_E_PERMISSIONS, "%s '%s' is not a %s", rule->what, path,
               rule->type == S_IFDIR ? "directory" : "regular file");
  if (status->st_uid != geteuid())
    return say(message, COOP_E_PERMISSIONS,
               "%s '%s' belongs to uid %u, but coop runs as uid %u; run coop as the user "
               "who owns the node", rule->what, path, (unsigned)status->st_uid,
               (unsigned)geteuid());
  if (status->st_mode & rule->forbidden)
    return say(message, COOP_E_PERMISSIONS,
               "%s '%s' has mode %04o: group or others can %s; run '%s %s'", rule->what,
               path, (unsigned)(status->st_mode & 07777), rule->allowing, rule->fix, path);
  return COOP_OK;
}

/* Checks the database and its -wal and -shm files (when there) before
 * SQLite opens them: refusing afterwards would be too late for a file that
 * others were reading all along.  A missing database is left to the store
 * to report. */
static coop_err check_database_files(const char *home, char message[NODE_MESSAGE_BYTES])
{
  coop_err err = COOP_OK;
  for (size_t i = 0; !err && i < sizeof database_files / sizeof database_files[0]; i++) {
    char *path = node_path(home, database_files[i]);
    struct stat status;
    if (!path)
      err = say(message, COOP_E_NOMEM, "out of memory");
    else if (stat(path, &status) == 0)
      err = refuse_unsafe(&status, &database_rule, path, message);
    else if (errno != ENOENT)
      err = say(message, COOP_E_IO, "cannot check '%s': %s", path, strerror(errno));
    coop_free(path);
  }
  return err;
}

/* Opens node.conf and checks the file it opened (not the name: the file
 * cannot be swapped between the check and the read).  O_NONBLOCK so that a
 * FIFO in its place is refused rather than waited on. */
static coop_err open_config(const char *path, FILE **out, char message[NODE_MESSAGE_BYTES])
{
  *out = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return say(message, COOP_E_CONFIG, "cannot read '%s': %s", path, strerror(errno));
  struct stat status;
  coop_err err = fstat(fd, &status) != 0
                     ? say(message, COOP_E_IO, "cannot read '%s': %s", path, strerror(errno))
                     : refuse_unsafe(&status, &config_rule, path, message);
  *out = err ? NULL : fdopen(fd, "r");
  if (!err && !*out)
    err = say(message, COOP_E_NOMEM, "cannot read '%s': %s", path, strerror(errno));
  if (err)
    close(fd);
  return err;
}

typedef struct config_parse {
  node *target;
  char *message; /* what is wrong; read_config prefixes file and line */
} config_parse;

int node_address_check(const char *address)
{
  const char *colon = strrchr(address, ':');
  if (!colon || colon == address || strlen(address) > NODE_ADDRESS_BYTES_MAX)
    return -1;
  char *end = NULL;
  unsigned long port = strtoul(colon + 1, &end, 10);
  if (!colon[1] || *end || port == 0 || port > 65535)
    return -1;
  for (const char *c = address; c < colon; c++)
    if (*c <= ' ' || *c == '/' || *c == '#' || *c == ';')
      return -1;
  return 0;
}

static int peer_name_valid(const char *name)
{
  size_t length = strlen(name);
  return length >= 1 && length <= NODE_PEER_NAME_BYTES_MAX &&
         strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
             length;
}

/* Room for one more peer in the table. */
static coop_err peer_room(node *self)
{
  return coop_grow((void **)&self->peers, &self->peer_capacity, self->peer_count,
                   sizeof self->peers[0]);
}

/* The [peer NAME] section's peer, created on its first key. */
static node_peer *config_peer(config_parse *parse, const char *name)
{
  node *self = parse->target;
  for (size_t i = 0; i < self->peer_count; i++)
    if (!strcmp(self->peers[i].name, name))
      return &self->peers[i];
  if (self->peer_count == NODE_PEERS_MAX) {
    say(parse->message, COOP_E_CONFIG, "more than %u peers", NODE_PEERS_MAX);
    return NULL;
  }
  if (!peer_name_valid(name)) {
    say(parse->message, COOP_E_CONFIG, "invalid peer name '%s' (letters, digits, '.', '_', '-')",
        name);
    return NULL;
  }
  if (peer_room(self)) {
    say(parse->message, COOP_E_NOMEM, "out of memory");
    return NULL;
  }
  node_peer *peer = &self->peers[self->peer_count++];
  memset(peer, 0, sizeof *peer);
  snprintf(peer->name, sizeof peer->name, "%s", name);
  return peer;
}

static int config_peer_entry(config_parse *parse, const char *name, const char *key,
                             const char *value)
{
  node_peer *peer = config_peer(parse, name);
  if (!peer)
    return 0;
  if (!strcmp(key, "key")) {
    uint8_t x25519[32];
    if (ledger_hex_decode(value, peer->key, 32) ||
        crypto_sign_ed25519_pk_to_curve25519(x25519, peer->key)) {
      say(parse->message, COOP_E_CONFIG, "peer '%s': key must be a node key (64 hex digits)",
          name);
      return 0;
    }
  } else if (!strcmp(key, "address")) {
    if (node_address_check(value)) {
      say(parse->message, COOP_E_CONFIG, "peer '%s': address '%s' is not HOST:PORT", name, value);
      return 0;
    }
    snprintf(peer->address, sizeof peer->address, "%s", value);
  } else if (!strcmp(key, "role")) {
    peer->role = ledger_role_from_name(value);
    if (!peer->role) {
      say(parse->message, COOP_E_CONFIG, "peer '%s': unknown role '%s'", name, value);
      return 0;
    }
  } else {
    say(parse->message, COOP_E_CONFIG, "unknown setting '%s' in [peer %s]", key, name);
    return 0;
  }
  return 1;
}

static int config_node_network(config_parse *parse, const char *key, const char *value)
{
  node *self = parse->target;
  if (!strcmp(key, "network")) {
    if (!peer_name_valid(value)) {
      say(parse->message, COOP_E_CONFIG, "invalid network name '%s'", value);
      return 0;
    }
    snprintf(self->network, sizeof self->network, "%s", value);
    return 1;
  }
  if (node_address_check(value)) {
    say(parse->message, COOP_E_CONFIG, "listen address '%s' is not HOST:PORT", value);
    return 0;
  }
  snprintf(self->listen, sizeof self->listen, "%s", value);
  return 1;
}

/* http, http_cert, http_key: where the web app listens, its TLS files. */
static int config_node_http(config_parse *parse, const char *key, const char *value)
{
  node *self = parse->target;
  if (!strcmp(key, "http")) {
    if (node_address_check(value)) {
      say(parse->message, COOP_E_CONFIG, "http address '%s' is not HOST:PORT", value);
      return 0;
    }
    snprintf(self->http, sizeof self->http, "%s", value);
    return 1;
  }
  char *target = !strcmp(key, "http_cert") ? self->http_cert
                 : !strcmp(key, "http_key") ? self->http_key : NULL;
  if (!target) {
    say(parse->message, COOP_E_CONFIG, "unknown setting '%s' in [node]", key);
    return 0;
  }
  if (!value[0] || strlen(value) > NODE_PATH_BYTES_MAX) {
    say(parse->message, COOP_E_CONFIG, "%s must be a file path of 1 to %u bytes", key,
        NODE_PATH_BYTES_MAX);
    return 0;
  }
  snprintf(target, NODE_PATH_BYTES_MAX + 1, "%s", value);
  return 1;
}

/* inih handler.  Returning 0 makes ini_parse() report this line as the first
 * error, so messages here leave out file and line. */
static int config_entry(void *context, const char *section, const char *key, const char *value)
{
  config_parse *parse = context;
  if (!strncmp(section, "peer ", 5))
    return config_peer_entry(parse, section + 5, key, value);
  if (strcmp(section, "node") != 0) {
    say(parse->message, COOP_E_CONFIG, "unknown section '[%s]'", section);
    return 0;
  }
  if (!strcmp(key, "network") || !strcmp(key, "listen"))
    return config_node_network(parse, key, value);
  if (!strncmp(key, "http", 4))
    return config_node_http(parse, key, value);
  if (!strcmp(key, "role")) {
    parse->target->role = ledger_role_from_name(value);
    if (!parse->target->role) {
      say(parse->message, COOP_E_CONFIG,
          "unknown role '%s' (expected coop, municipality, partner or member)", value);
      return 0;
    }
  } else if (!strcmp(key, "name")) {
    if (!value[0] || strlen(value) > COOP_NAME_BYTES_MAX) {
      say(parse->message, COOP_E_CONFIG, "name must be 1 to %u bytes", COOP_NAME_BYTES_MAX);
      return 0;
    }
    snprintf(parse->target->name, sizeof parse->target->name, "%s", value);
  } else if (!strcmp(key, "retention_years")) {
    char *end = NULL;
    long years = strtol(value, &end, 10);
    if (!value[0] || *end || years < 1 || years > 100) {
      say(parse->message, COOP_E_CONFIG, "retention_years must be a whole number of years, 1 "
          "to 100, not '%s'", value);
      return 0;
    }
    parse->target->retention_years = (int)years;
  } else if (!strcmp(key, "witness")) {
    if (strcmp(value, "yes") && strcmp(value, "no")) {
      say(parse->message, COOP_E_CONFIG, "witness must be 'yes' or 'no', not '%s'", value);
      return 0;
    }
    parse->target->witness = !strcmp(value, "yes") ? 1 : 0;
  } else {
    say(parse->message, COOP_E_CONFIG, "unknown setting '%s' in [node]", key);
    return 0;
  }
  return 1;
}

/* The network id bound into every handshake: nodes of different networks
 * (a test network, another region) never talk, even by mistake. */
static void network_id(node *self)
{
  static const char domain[] = "coop-network-v1";
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, (const uint8_t *)domain, sizeof domain);
  crypto_hash_sha256_update(&state, (const uint8_t *)self->network, strlen(self->network));
  crypto_hash_sha256_final(&state, self->network_id);
}

/* Municipalities and partners witness coop logs unless told not to. */
static int default_witness(int role)
{
  return role == LEDGER_ROLE_MUNICIPALITY || role == LEDGER_ROLE_PARTNER;
}

/* Parses the node.conf at `path` into `self`: the file checked first, then
 * every line; a bad line is named by number. */
static coop_err parse_config(node *self, const char *path, char message[NODE_MESSAGE_BYTES])
{
  char reason[NODE_MESSAGE_BYTES] = "";
  config_parse parse = {.target = self, .message = reason};
  FILE *file = NULL;
  coop_err err = open_config(path, &file, message);
  if (err)
    return err;
  int result = ini_parse_file(file, config_entry, &parse);
  fclose(file);
  if (result < 0)
    return say(message, COOP_E_NOMEM, "cannot read '%s': out of memory", path);
  if (result > 0)
    return say(message, COOP_E_CONFIG, "%s:%d: %s", path, result,
               reason[0] ? reason : "not a valid line (expected 'key = value' or '[section]')");
  return COOP_OK;
}

static coop_err read_config(node *self, char message[NODE_MESSAGE_BYTES])
{
  snprintf(self->network, sizeof self->network, "%s", NODE_DEFAULT_NETWORK);
  snprintf(self->listen, sizeof self->listen, "%s", NODE_DEFAULT_LISTEN);
  self->witness = -1;
  self->retention_years = NODE_DEFAULT_RETENTION_YEARS;
  char *path = node_path(self->home, NODE_CONFIG_FILE);
  if (!path)
    return say(message, COOP_E_NOMEM, "out of memory");
  coop_err err = parse_config(self, path, message);
  if (!err && (!self->role || !self->name[0]))
    err = say(message, COOP_E_CONFIG, "%s: [node] needs both 'role' and 'name'", path);
  for (size_t i = 0; !err && i < self->peer_count; i++)
    if (!self->peers[i].role || sodium_is_zero(self->peers[i].key, 32))
      err = say(message, COOP_E_CONFIG, "%s: [peer %s] needs key and role", path,
                self->peers[i].name);
  if (!err)
    network_id(self);
  if (self->witness < 0)
    self->witness = default_witness(self->role);
  coop_free(path);
  return err;
}

static coop_err write_config(const char *home, int role, const char *name,
                             char message[NODE_MESSAGE_BYTES])
{
  char *path = node_path(home, NODE_CONFIG_FILE);
  if (!path)
    return say(message, COOP_E_NOMEM, "out of memory");
  coop_err err = COOP_OK;
  /* 0600 whatever the umask: whoever can write this file decides who may
   * connect (fopen would leave the mode to the umask, 0666 under 000). */
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  FILE *file = fd < 0 ? NULL : fdopen(fd, "w");
  if (!file) {
    err = say(message, errno == EEXIST ? COOP_E_EXISTS : COOP_E_IO, "cannot create '%s': %s",
              path, strerror(errno));
    if (fd >= 0)
      close(fd);
  } else {
    fprintf(file, "# coop node configuration\n[node]\nrole = %s\nname = %s\nnetwork = %s\n"
                  "listen = %s\n",
            ledger_role_name(role), name, NODE_DEFAULT_NETWORK, NODE_DEFAULT_LISTEN);
    if (fflush(file) != 0 || fsync(fileno(file)) != 0)
      err = say(message, COOP_E_IO, "cannot write '%s': %s", path, strerror(errno));
    fclose(file);
  }
  coop_free(path);
  return err;
}

/* The key file was refused (ledger/log/identity.h checks the file it opened);
 * say why.  The file may have changed since: then a general message. */
static void explain_unsafe_key(const char *key_path, char message[NODE_MESSAGE_BYTES])
{
  struct stat status; /* lstat: the key is never read through a symlink */
  if (lstat(key_path, &status) != 0 ||
      refuse_unsafe(&status, &key_rule, key_path, message) == COOP_OK)
    say(message, COOP_E_PERMISSIONS,
        "key file '%s' is not safe to use (another user's, a link, or open to group or "
        "others); run 'chmod 600 %s'", key_path, key_path);
}

static coop_err open_key_and_store(node *self, char message[NODE_MESSAGE_BYTES])
{
  char *key_path = node_path(self->home, NODE_KEY_FILE);
  char *db_path = node_path(self->home, NODE_DATABASE_FILE);
  coop_err err = key_path && db_path ? COOP_OK : COOP_E_NOMEM;
  if (!err) {
    err = ledger_identity_load(key_path, &self->identity);
    if (err == COOP_E_PERMISSIONS)
      explain_unsafe_key(key_path, message);
    else if (err)
      say(message, err, "cannot load key file '%s': %s", key_path, coop_err_message(err));
  }
  if (!err)
    err = check_database_files(self->home, message);
  if (!err) {
    err = ledger_store_open(db_path, LEDGER_STORE_OPEN_EXISTING, &self->store);
    if (err)
      say(message, err, "cannot open database '%s': %s", db_path, coop_err_message(err));
    else
      ledger_store_set_owner(self->store, self->identity.public_key);
  }
  coop_free(key_path);
  coop_free(db_path);
  return err;
}

/* The node home: a directory that only its owner, the user running coop,
 * can write (home_rule). */
static coop_err check_home(const char *home, char message[NODE_MESSAGE_BYTES])
{
  struct stat status;
  if (stat(home, &status) != 0 || !S_ISDIR(status.st_mode))
    return say(message, COOP_E_NOT_FOUND, "no node at '%s' (run 'coop init' first)", home);
  return refuse_unsafe(&status, &home_rule, home, message);
}

coop_err node_open(const char *home, node *out, char message[NODE_MESSAGE_BYTES])
{
  memset(out, 0, sizeof *out);
  coop_err err = check_home(home, message);
  if (err)
    return err;
  out->home = coop_strdup(home);
  if (!out->home)
    return say(message, COOP_E_NOMEM, "out of memory");
  err = read_config(out, message);
  if (!err)
    err = open_key_and_store(out, message);
  if (err)
    node_close(out);
  return err;
}

coop_err node_reload_config(node *self, char message[NODE_MESSAGE_BYTES])
{
  node fresh;
  memset(&fresh, 0, sizeof fresh);
  fresh.home = self->home;
  coop_err err = read_config(&fresh, message);
  if (err) {
    coop_free(fresh.peers);
    return err;
  }
  coop_free(self->peers);
  self->peers = fresh.peers;
  self->peer_count = fresh.peer_count;
  self->peer_capacity = fresh.peer_capacity;
  return COOP_OK;
}

void node_close(node *self)
{
  node_close_view_free(self); /* first: it may write the close view file, with the ring's keys */
  node_key_ring_free(&self->keys);
  node_read_cache_free(self);
  node_audit_marks_free(self);
  ledger_store_close(self->store);
  ledger_identity_release(&self->identity);
  coop_free(self->home);
  coop_free(self->peers);
  memset(self, 0, sizeof *self);
}

static coop_err refuse_existing(const char *home, char message[NODE_MESSAGE_BYTES])
{
  static const char *const files[] = {NODE_KEY_FILE, NODE_CONFIG_FILE, NODE_DATABASE_FILE};
  for (size_t i = 0; i < 3; i++) {
    char *path = node_path(home, files[i]);
    if (!path)
      return say(message, COOP_E_NOMEM, "out of memory");
    int exists = access(path, F_OK) == 0;
    coop_err err = exists ? say(message, COOP_E_EXISTS,
                                "a node already exists at '%s' ('%s' is there); "
                                "refusing to overwrite it", home, files[i])
                          : COOP_OK;
    coop_free(path);
    if (err)
      return err;
  }
  return COOP_OK;
}

static coop_err append_identity(node *self, uint64_t now_ms, char message[NODE_MESSAGE_BYTES])
{
  ledger_identity_payload identity = {.role = self->role};
  snprintf(identity.name, sizeof identity.name, "%s", self->name);
  uint8_t payload[LEDGER_IDENTITY_PAYLOAD_MAX];
  size_t payload_bytes = 0;
  coop_err err = ledger_identity_payload_encode(&identity, payload, &payload_bytes);
  if (err)
    return say(message, err, "invalid node name '%s': use 1 to %u bytes of printable UTF-8",
               self->name, COOP_NAME_BYTES_MAX);
  ledger_append_item item = {
      .kind = LEDGER_KIND_IDENTITY, .payload = payload, .payload_bytes = payload_bytes};
  err = ledger_store_append(self->store, &self->identity, &item, 1, now_ms, NULL);
  if (err)
    return say(message, err, "cannot append the identity entry: %s", coop_err_message(err));
  return COOP_OK;
}

static void remove_file(const char *home, const char *file)
{
  char *path = node_path(home, file);
  if (path)
    unlink(path);
  coop_free(path);
}

static void remove_created(const char *home)
{
  remove_file(home, NODE_KEY_FILE);
  remove_file(home, NODE_CONFIG_FILE);
  for (size_t i = 0; i < sizeof database_files / sizeof database_files[0]; i++)
    remove_file(home, database_files[i]);
}

static coop_err create_files(node *out, char message[NODE_MESSAGE_BYTES])
{
  char *key_path = node_path(out->home, NODE_KEY_FILE);
  char *db_path = node_path(out->home, NODE_DATABASE_FILE);
  coop_err err = key_path && db_path ? COOP_OK : say(message, COOP_E_NOMEM, "out of memory");
  if (!err && (err = ledger_identity_generate(&out->identity)))
    say(message, err, "cannot generate an identity key");
  if (!err && (err = ledger_identity_save(&out->identity, key_path)))
    say(message, err, "cannot write key file '%s': %s", key_path, strerror(errno));
  if (!err)
    err = write_config(out->home, out->role, out->name, message);
  if (!err && (err = ledger_store_open(db_path, LEDGER_STORE_CREATE, &out->store)))
    say(message, err, "cannot create database '%s': %s", db_path, coop_err_message(err));
  if (!err)
    ledger_store_set_owner(out->store, out->identity.public_key);
  coop_free(key_path);
  coop_free(db_path);
  return err;
}

coop_err node_create(const char *home, int role, const char *name, uint64_t now_ms, node *out,
                     char message[NODE_MESSAGE_BYTES])
{
  memset(out, 0, sizeof *out);
  if (!ledger_role_name(role))
    return say(message, COOP_E_BAD_INPUT, "unknown role");
  ledger_identity_payload check = {.role = role};
  uint8_t scratch[LEDGER_IDENTITY_PAYLOAD_MAX];
  size_t scratch_bytes;
  if (strlen(name) > COOP_NAME_BYTES_MAX ||
      (snprintf(check.name, sizeof check.name, "%s", name),
       ledger_identity_payload_encode(&check, scratch, &scratch_bytes)))
    return say(message, COOP_E_BAD_INPUT,
               "invalid name '%s': use 1 to %u bytes of printable UTF-8, no newlines", name,
               COOP_NAME_BYTES_MAX);
  coop_err err = refuse_existing(home, message);
  if (err)
    return err;
  if (make_directories(home) != 0)
    return say(message, COOP_E_IO, "cannot create directory '%s': %s", home, strerror(errno));
  /* An existing directory (--dir) that others can write would be refused
   * by every later command: say so before putting a key in it. */
  err = check_home(home, message);
  if (err)
    return err;
  out->home = coop_strdup(home);
  out->role = role;
  snprintf(out->name, sizeof out->name, "%s", name);
  /* The database holds members' names and client refs: SQLite creates it
   * with the umask's mode (0644 under 022), and its -wal and -shm files, made
   * while the schema is written, with that mode too.  A chmod afterwards
   * would leave them open, and a window.  So nothing is created wider than
   * 0600: SQLite gives the -wal and -shm files of later runs the database's
   * mode. */
  mode_t umask_before = umask(077);
  err = out->home ? create_files(out, message) : say(message, COOP_E_NOMEM, "out of memory");
  umask(umask_before);
  if (!err)
    err = check_database_files(out->home, message);
  if (!err) /* the settings as node_open would find them: network id, witness, ... */
    err = read_config(out, message);
  if (!err)
    err = append_identity(out, now_ms, message);
  if (err) {
    /* Only reached before anything was committed to the log: a half-made
     * node is worse than none, so take it all away again. */
    char *home_copy = out->home ? coop_strdup(out->home) : NULL;
    node_close(out);
    if (home_copy && err != COOP_E_EXISTS)
      remove_created(home_copy);
    coop_free(home_copy);
  }
  return err;
}

/* ---- peers and rewriting node.conf ---------------------------------------- */

static void write_config_body(FILE *file, const node *self)
{
  fprintf(file, "# coop node configuration (rewritten by 'coop peer')\n[node]\nrole = %s\n"
                "name = %s\nnetwork = %s\nlisten = %s\n",
          ledger_role_name(self->role), self->name, self->network, self->listen);
  if (self->witness != default_witness(self->role)) /* only when set against the default */
    fprintf(file, "witness = %s\n", self->witness ? "yes" : "no");
  if (self->retention_years != NODE_DEFAULT_RETENTION_YEARS)
    fprintf(file, "retention_years = %d\n", self->retention_years);
  if (self->http[0])
    fprintf(file, "http = %s\n", self->http);
  if (self->http_cert[0])
    fprintf(file, "http_cert = %s\n", self->http_cert);
  if (self->http_key[0])
    fprintf(file, "http_key = %s\n", self->http_key);
  for (size_t i = 0; i < self->peer_count; i++) {
    char key[65];
    ledger_hex_encode(self->peers[i].key, 32, key);
    fprintf(file, "\n[peer %s]\nkey = %s\n", self->peers[i].name, key);
    if (self->peers[i].address[0]) /* no address: it connects to us (a member's node) */
      fprintf(file, "address = %s\n", self->peers[i].address);
    fprintf(file, "role = %s\n", ledger_role_name(self->peers[i].role));
  }
}

/* Creates the temporary file that replaces node.conf, with the mode of the
 * one it replaces (which node_open accepted: no write for group or others),
 * never wider than 0644 and never narrower than 0600, whatever the umask.  A
 * leftover from a crash is removed first, so that O_EXCL makes a new file of
 * ours rather than reusing one someone else left there. */
static FILE *create_config_copy(const char *path, const char *temporary)
{
  struct stat status;
  mode_t mode = stat(path, &status) == 0 ? ((status.st_mode & 0644) | 0600) : 0600;
  if (unlink(temporary) != 0 && errno != ENOENT)
    return NULL;
  int fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return NULL;
  FILE *file = fchmod(fd, mode) == 0 ? fdopen(fd, "w") : NULL;
  if (!file) {
    int reason = errno; /* for the caller's message */
    close(fd);
    unlink(temporary);
    errno = reason;
  }
  return file;
}

/* Writes node.conf anew: a temporary file, fsync'd, renamed over the old one,
 * so a crash leaves either the old or the new configuration, never half. */
static coop_err rewrite_config(const node *self, char message[NODE_MESSAGE_BYTES])
{
  char *path = node_path(self->home, NODE_CONFIG_FILE);
  char *temporary = node_path(self->home, NODE_CONFIG_FILE ".new");
  coop_err err = path && temporary ? COOP_OK : say(message, COOP_E_NOMEM, "out of memory");
  FILE *file = err ? NULL : create_config_copy(path, temporary);
  if (!err && !file)
    err = say(message, COOP_E_IO, "cannot write '%s': %s", temporary, strerror(errno));
  if (file) {
    write_config_body(file, self);
    if (fflush(file) != 0 || fsync(fileno(file)) != 0)
      err = say(message, COOP_E_IO, "cannot write '%s': %s", temporary, strerror(errno));
    fclose(file);
    if (!err && rename(temporary, path) != 0)
      err = say(message, COOP_E_IO, "cannot replace '%s': %s", path, strerror(errno));
    if (err)
      unlink(temporary);
  }
  coop_free(path);
  coop_free(temporary);
  return err;
}

coop_err node_peer_add(node *self, const node_peer *peer, char message[NODE_MESSAGE_BYTES])
{
  uint8_t x25519[32];
  if (!peer_name_valid(peer->name))
    return say(message, COOP_E_BAD_INPUT,
               "invalid peer name '%s': 1 to %u letters, digits, '.', '_' or '-'", peer->name,
               NODE_PEER_NAME_BYTES_MAX);
  if (crypto_sign_ed25519_pk_to_curve25519(x25519, peer->key) != 0)
    return say(message, COOP_E_BAD_INPUT, "the peer's key is not a valid node key");
  if (!memcmp(peer->key, self->identity.public_key, 32))
    return say(message, COOP_E_BAD_INPUT, "that is this node's own key");
  if (peer->address[0] && node_address_check(peer->address))
    return say(message, COOP_E_BAD_INPUT, "address '%s' is not HOST:PORT", peer->address);
  if (!ledger_role_name(peer->role))
    return say(message, COOP_E_BAD_INPUT, "unknown role");
  for (size_t i = 0; i < self->peer_count; i++) {
    if (!strcmp(self->peers[i].name, peer->name))
      return say(message, COOP_E_EXISTS, "a peer named '%s' is already configured",
                 peer->name);
    if (!memcmp(self->peers[i].key, peer->key, 32))
      return say(message, COOP_E_EXISTS, "that key is already configured as peer '%s'",
                 self->peers[i].name);
  }
  if (self->peer_count == NODE_PEERS_MAX)
    return say(message, COOP_E_LIMIT, "already %u peers, the most a node keeps", NODE_PEERS_MAX);
  if (peer_room(self))
    return say(message, COOP_E_NOMEM, "out of memory");
  self->peers[self->peer_count++] = *peer;
  coop_err err = rewrite_config(self, message);
  if (err)
    self->peer_count--;
  return err;
}

coop_err node_peer_remove(node *self, const char *name_or_key, char message[NODE_MESSAGE_BYTES])
{
  uint8_t key[32];
  int by_key = ledger_hex_decode(name_or_key, key, 32) == COOP_OK;
  for (size_t i = 0; i < self->peer_count; i++) {
    if (by_key ? memcmp(self->peers[i].key, key, 32) : strcmp(self->peers[i].name, name_or_key))
      continue;
    node_peer removed = self->peers[i];
    memmove(&self->peers[i], &self->peers[i + 1],
            (self->peer_count - i - 1) * sizeof self->peers[0]);
    self->peer_count--;
    coop_err err = rewrite_config(self, message);
    if (err) {
      memmove(&self->peers[i + 1], &self->peers[i],
              (self->peer_count - i) * sizeof self->peers[0]);
      self->peers[i] = removed;
      self->peer_count++;
    }
    return err;
  }
  return say(message, COOP_E_NOT_FOUND, "no peer '%s' (see 'coop peer list')", name_or_key);
}

coop_err node_note_check(const char *text, char message[NODE_MESSAGE_BYTES])
{
  size_t text_bytes = strlen(text);
  coop_err err = ledger_note_check((const uint8_t *)text, text_bytes);
  if (err == COOP_E_LIMIT)
    return say(message, err, "note is %zu bytes; at most %u are allowed", text_bytes,
               COOP_NOTE_BYTES_MAX);
  if (err)
    return say(message, COOP_E_BAD_INPUT,
               "note must be non-empty UTF-8 without control characters");
  return COOP_OK;
}

coop_err node_note_append(node *self, const char *text, uint64_t *size,
                          char message[NODE_MESSAGE_BYTES])
{
  coop_err err = node_note_check(text, message);
  if (err)
    return err;
  ledger_append_item item = {.kind = LEDGER_KIND_NOTE, .payload = (const uint8_t *)text,
                             .payload_bytes = strlen(text)};
  ledger_checkpoint checkpoint;
  err = ledger_store_append(self->store, &self->identity, &item, 1, node_now_ms(), &checkpoint);
  if (err)
    return say(message, err, "cannot append note: %s (%s)", coop_err_message(err),
               ledger_store_error_message(self->store));
  *size = checkpoint.size;
  return COOP_OK;
}
