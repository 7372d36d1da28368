/* web.db: the web app's accounts, one-time links, sessions and the log of
 * logins and changes.  Local to this node, never part of the signed log.
 *
 * Secrets are never stored: passwords as Argon2id strings
 * (crypto_pwhash_str), session and link tokens as their SHA-256. */
#include <sqlite3.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ledger/base/alloc.h"
#include "ledger/books/books_index.h"
#include "ledger/base/hex.h"
#include "node/books.h"
#include "web/web_int.h"

#define SESSION_IDLE_MS (30u * 60u * 1000u)
#define SESSION_MAX_MS (12u * 3600u * 1000u)
#define LINK_VALID_MS (7u * 24u * 3600u * 1000u)

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS accounts(name TEXT PRIMARY KEY COLLATE NOCASE,"
    " role INTEGER NOT NULL, member_id TEXT NOT NULL DEFAULT '', password TEXT,"
    " created_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS links(token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " account TEXT NOT NULL DEFAULT '', member_id TEXT NOT NULL DEFAULT '',"
    " expires_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sessions(token_hash TEXT PRIMARY KEY, account TEXT NOT NULL,"
    " csrf TEXT NOT NULL, created_ms INTEGER NOT NULL, seen_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS events(time_ms INTEGER NOT NULL, account TEXT NOT NULL,"
    " address TEXT NOT NULL, what TEXT NOT NULL);";

static coop_err say(char message[NODE_MESSAGE_BYTES], coop_err err, const char *text,
                    const char *detail)
{
  snprintf(message, NODE_MESSAGE_BYTES, "%s%s%s", text, detail ? ": " : "", detail ? detail : "");
  return err;
}

coop_err web_db_open(const char *home, sqlite3 **db, char message[NODE_MESSAGE_BYTES])
{
  char *path = node_path(home, WEB_DATABASE_FILE);
  if (!path)
    return say(message, COOP_E_NOMEM, "out of memory", NULL);
  mode_t old = umask(077); /* web.db holds password hashes: the owner's alone */
  int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  umask(old);
  coop_free(path);
  if (rc == SQLITE_OK)
    rc = sqlite3_busy_timeout(*db, 5000);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(*db, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(*db, schema, NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    say(message, COOP_E_DB, "cannot open web.db", sqlite3_errmsg(*db));
    sqlite3_close(*db);
    *db = NULL;
    return COOP_E_DB;
  }
  return COOP_OK;
}

static void token_hash(const char *token, char out[WEB_TOKEN_HEX + 1])
{
  uint8_t hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, (const uint8_t *)token, strlen(token));
  ledger_hex_encode(hash, sizeof hash, out);
}

static void random_token(char out[WEB_TOKEN_HEX + 1])
{
  uint8_t bytes[WEB_TOKEN_HEX / 2];
  randombytes_buf(bytes, sizeof bytes);
  ledger_hex_encode(bytes, sizeof bytes, out);
}

/* Runs one statement with text parameters (NULL ends them, "#n" binds the
 * integer n); true when it ran.  For the short statements here. */
static sqlite3_stmt *prepare(sqlite3 *db, const char *sql, const char *const *texts,
                             const int64_t *numbers)
{
  sqlite3_stmt *statement = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK)
    return NULL;
  int at = 1;
  for (; texts && *texts; texts++)
    sqlite3_bind_text(statement, at++, *texts, -1, SQLITE_TRANSIENT);
  for (; numbers && *numbers >= 0; numbers++)
    sqlite3_bind_int64(statement, at++, *numbers);
  return statement;
}

static bool run(sqlite3 *db, const char *sql, const char *const *texts, const int64_t *numbers)
{
  sqlite3_stmt *statement = prepare(db, sql, texts, numbers);
  int rc = statement ? sqlite3_step(statement) : SQLITE_ERROR;
  sqlite3_finalize(statement);
  return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

static void copy_column(sqlite3_stmt *statement, int column, char *out, size_t bytes)
{
  const unsigned char *text = sqlite3_column_text(statement, column);
  snprintf(out, bytes, "%s", text ? (const char *)text : "");
}

bool web_session_find(sqlite3 *db, const char *token, web_account *account)
{
  if (!token || strlen(token) != WEB_TOKEN_HEX)
    return false;
  char hash[WEB_TOKEN_HEX + 1];
  token_hash(token, hash);
  int64_t now = (int64_t)node_now_ms();
  const char *texts[] = {hash, NULL};
  const int64_t numbers[] = {now - SESSION_IDLE_MS, now - SESSION_MAX_MS, -1};
  sqlite3_stmt *statement = prepare(
      db,
      "SELECT a.name, a.role, a.member_id, s.csrf FROM sessions s JOIN accounts a ON"
      " a.name = s.account WHERE s.token_hash = ? AND s.seen_ms > ? AND s.created_ms > ?",
      texts, numbers);
  bool found = statement && sqlite3_step(statement) == SQLITE_ROW;
  if (found) {
    copy_column(statement, 0, account->name, sizeof account->name);
    account->role = sqlite3_column_int(statement, 1);
    copy_column(statement, 2, account->member_id, sizeof account->member_id);
    copy_column(statement, 3, account->csrf, sizeof account->csrf);
  }
  sqlite3_finalize(statement);
  if (found) {
    const int64_t seen[] = {now, -1};
    sqlite3_stmt *touch = prepare(db, "UPDATE sessions SET seen_ms = ?2 WHERE token_hash = ?1",
                                  texts, seen);
    if (touch)
      sqlite3_step(touch);
    sqlite3_finalize(touch);
  }
  return found;
}

coop_err web_session_start(sqlite3 *db, const char *name, char token[WEB_TOKEN_HEX + 1])
{
  char hash[WEB_TOKEN_HEX + 1], csrf[WEB_TOKEN_HEX + 1];
  random_token(token);
  random_token(csrf);
  token_hash(token, hash);
  int64_t now = (int64_t)node_now_ms();
  const char *texts[] = {hash, name, csrf, NULL};
  const int64_t numbers[] = {now, now, -1};
  /* Old sessions of anyone go when they expire; clean up on each login. */
  const int64_t cutoff[] = {now - SESSION_IDLE_MS, now - SESSION_MAX_MS, -1};
  run(db, "DELETE FROM sessions WHERE seen_ms <= ? OR created_ms <= ?", NULL, cutoff);
  return run(db, "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", texts, numbers) ? COOP_OK
                                                                                : COOP_E_DB;
}

void web_session_end(sqlite3 *db, const char *token)
{
  if (!token)
    return;
  char hash[WEB_TOKEN_HEX + 1];
  token_hash(token, hash);
  const char *texts[] = {hash, NULL};
  run(db, "DELETE FROM sessions WHERE token_hash = ?", texts, NULL);
}

int web_login_check(sqlite3 *db, const char *name, const char *password)
{
  /* An unknown name costs the same as a wrong password: nobody learns which
   * names exist from the time an answer takes. */
  static char decoy[crypto_pwhash_STRBYTES];
  if (!decoy[0] && crypto_pwhash_str(decoy, "decoy password", 14,
                                     crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                     crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return -1;
  char stored[crypto_pwhash_STRBYTES] = "";
  const char *texts[] = {name ? name : "", NULL};
  sqlite3_stmt *statement =
      prepare(db, "SELECT password FROM accounts WHERE name = ? AND password IS NOT NULL", texts,
              NULL);
  if (statement && sqlite3_step(statement) == SQLITE_ROW)
    copy_column(statement, 0, stored, sizeof stored);
  sqlite3_finalize(statement);
  const char *against = stored[0] ? stored : decoy;
  if (!password || strlen(password) > WEB_PASSWORD_MAX)
    return -1;
  int ok = crypto_pwhash_str_verify(against, password, strlen(password)) == 0;
  return ok && stored[0] ? 0 : -1;
}

bool web_link_find(sqlite3 *db, const char *token, char *kind,
                   char name[WEB_ACCOUNT_NAME_BYTES_MAX + 1],
                   char member_id[LEDGER_MEMBER_ID_CHARS + 1])
{
  if (!token || strlen(token) != WEB_TOKEN_HEX)
    return false;
  char hash[WEB_TOKEN_HEX + 1];
  token_hash(token, hash);
  const char *texts[] = {hash, NULL};
  const int64_t numbers[] = {(int64_t)node_now_ms(), -1};
  sqlite3_stmt *statement = prepare(
      db, "SELECT kind, account, member_id FROM links WHERE token_hash = ? AND expires_ms > ?",
      texts, numbers);
  bool found = statement && sqlite3_step(statement) == SQLITE_ROW;
  if (found) {
    char text[4];
    copy_column(statement, 0, text, sizeof text);
    *kind = text[0];
    copy_column(statement, 1, name, WEB_ACCOUNT_NAME_BYTES_MAX + 1);
    copy_column(statement, 2, member_id, LEDGER_MEMBER_ID_CHARS + 1);
  }
  sqlite3_finalize(statement);
  return found;
}

/* Names people log in with: 1 to 64 letters, digits and . _ - @ (no
 * spaces, nothing that needs escaping in a link or a log line). */
static bool account_name_valid(const char *name)
{
  size_t length = name ? strlen(name) : 0;
  if (!length || length > WEB_ACCOUNT_NAME_BYTES_MAX)
    return false;
  for (; *name; name++)
    if (!(('a' <= *name && *name <= 'z') || ('A' <= *name && *name <= 'Z') ||
          ('0' <= *name && *name <= '9') || strchr("._-@", *name)))
      return false;
  return true;
}

coop_err web_link_use(sqlite3 *db, const char *token, const char *name, const char *password,
                      char message[NODE_MESSAGE_BYTES])
{
  char kind = 0, account[WEB_ACCOUNT_NAME_BYTES_MAX + 1], member_id[LEDGER_MEMBER_ID_CHARS + 1];
  if (!web_link_find(db, token, &kind, account, member_id))
    return say(message, COOP_E_NOT_FOUND, "deze link is onbekend, al gebruikt of verlopen", NULL);
  size_t length = password ? strlen(password) : 0;
  if (length < WEB_PASSWORD_MIN || length > WEB_PASSWORD_MAX) {
    snprintf(message, NODE_MESSAGE_BYTES, "een wachtwoord heeft %u tot %u tekens",
             WEB_PASSWORD_MIN, WEB_PASSWORD_MAX);
    return COOP_E_BAD_INPUT;
  }
  if (kind == 'i' && !account_name_valid(name))
    return say(message, COOP_E_BAD_INPUT,
               "een inlognaam is 1 tot 64 letters, cijfers of . _ - @ (geen spaties)", NULL);
  char hashed[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hashed, password, length, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return say(message, COOP_E_NOMEM, "out of memory", NULL);
  char hash[WEB_TOKEN_HEX + 1];
  token_hash(token, hash);
  bool ok = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
  const char *link[] = {hash, NULL};
  if (ok && kind == 'i') {
    const char *texts[] = {name, member_id, NULL};
    const int64_t numbers[] = {WEB_ROLE_MEMBER, (int64_t)node_now_ms(), -1};
    ok = run(db, "INSERT INTO accounts(name, member_id, role, created_ms) VALUES (?, ?, ?, ?)",
             texts, numbers);
    if (!ok) {
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
      return say(message, COOP_E_EXISTS, "die inlognaam is al in gebruik: kies een andere", NULL);
    }
  }
  const char *texts[] = {hashed, kind == 'i' ? name : account, NULL};
  ok = ok && run(db, "UPDATE accounts SET password = ? WHERE name = ?", texts, NULL) &&
       run(db, "DELETE FROM links WHERE token_hash = ?", link, NULL);
  sodium_memzero(hashed, sizeof hashed);
  ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
  if (!ok) {
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return say(message, COOP_E_DB, "cannot save", sqlite3_errmsg(db));
  }
  return COOP_OK;
}

void web_event_store(sqlite3 *db, const char *account, const char *address, const char *what)
{
  const char *texts[] = {account, address, what, NULL};
  const int64_t numbers[] = {(int64_t)node_now_ms(), -1};
  run(db, "INSERT INTO events(account, address, what, time_ms) VALUES (?, ?, ?, ?)", texts,
      numbers);
}

/* ---- the CLI's side: accounts and links -------------------------------------- */

int web_role_from_name(const char *name)
{
  if (!name)
    return 0;
  if (!strcmp(name, "admin"))
    return WEB_ROLE_ADMIN;
  if (!strcmp(name, "officer"))
    return WEB_ROLE_OFFICER;
  if (!strcmp(name, "member"))
    return WEB_ROLE_MEMBER;
  return 0;
}

const char *web_role_name(int role)
{
  switch (role) {
  case WEB_ROLE_ADMIN: return "admin";
  case WEB_ROLE_OFFICER: return "officer";
  case WEB_ROLE_MEMBER: return "member";
  default: return "?";
  }
}

/* The node role each account role belongs on. */
static int node_role_for(int role)
{
  switch (role) {
  case WEB_ROLE_ADMIN: return LEDGER_ROLE_COOP;
  case WEB_ROLE_OFFICER: return LEDGER_ROLE_MUNICIPALITY;
  default: return LEDGER_ROLE_MEMBER;
  }
}

/* "http://127.0.0.1:8420/welcome?token=..." */
static void link_text(const node *self, const char *token, char link[WEB_LINK_BYTES])
{
  snprintf(link, WEB_LINK_BYTES, "%s://%s/welcome?token=%s", self->http_cert[0] ? "https" : "http",
           self->http[0] ? self->http : NODE_DEFAULT_HTTP, token);
}

static coop_err add_link(sqlite3 *db, const node *self, char kind, const char *account,
                         const char *member_id, char link[WEB_LINK_BYTES])
{
  char token[WEB_TOKEN_HEX + 1], hash[WEB_TOKEN_HEX + 1];
  random_token(token);
  token_hash(token, hash);
  const char kind_text[2] = {kind, 0};
  const char *texts[] = {hash, kind_text, account, member_id, NULL};
  const int64_t numbers[] = {(int64_t)(node_now_ms() + LINK_VALID_MS), -1};
  if (!run(db, "INSERT INTO links VALUES (?, ?, ?, ?, ?)", texts, numbers))
    return COOP_E_DB;
  link_text(self, token, link);
  return COOP_OK;
}

coop_err web_account_add(node *self, const char *name, int role, char link[WEB_LINK_BYTES],
                         char message[NODE_MESSAGE_BYTES])
{
  if (!account_name_valid(name))
    return say(message, COOP_E_BAD_INPUT,
               "an account name is 1 to 64 letters, digits or . _ - @ (no spaces)", name);
  if (!role || node_role_for(role) != self->role) {
    snprintf(message, NODE_MESSAGE_BYTES,
             "a %s node takes %s accounts (admin on a coop, officer on a municipality, member "
             "on a member's own node; a coop's members are invited: 'coop web invite --member ID')",
             ledger_role_name(self->role),
             self->role == LEDGER_ROLE_COOP           ? "admin"
             : self->role == LEDGER_ROLE_MUNICIPALITY ? "officer"
             : self->role == LEDGER_ROLE_MEMBER       ? "member"
                                                      : "no");
    return COOP_E_USAGE;
  }
  sqlite3 *db = NULL;
  coop_err err = web_db_open(self->home, &db, message);
  if (err)
    return err;
  const char *texts[] = {name, NULL};
  const int64_t numbers[] = {role, (int64_t)node_now_ms(), -1};
  if (!run(db, "INSERT INTO accounts(name, role, created_ms) VALUES (?, ?, ?)", texts, numbers))
    err = say(message, COOP_E_EXISTS, "an account with this name exists already", name);
  if (!err && (err = add_link(db, self, 'p', name, "", link)))
    say(message, err, "cannot store the link", sqlite3_errmsg(db));
  if (!err)
    web_event_store(db, name, "cli", "account added");
  sqlite3_close(db);
  return err;
}

coop_err web_invite(node *self, const char *member_id, char link[WEB_LINK_BYTES],
                    char message[NODE_MESSAGE_BYTES])
{
  if (self->role != LEDGER_ROLE_COOP)
    return say(message, COOP_E_USAGE,
               "members are invited on their coop's node (on her own node: 'coop web user add "
               "NAME --role member')", NULL);
  ledger_member_row row;
  coop_err err = node_books_ready(self, message);
  if (!err && node_member_get(self, member_id ? member_id : "", &row))
    return say(message, COOP_E_NOT_FOUND, "no such member", member_id);
  if (err)
    return err;
  sqlite3 *db = NULL;
  if ((err = web_db_open(self->home, &db, message)))
    return err;
  if ((err = add_link(db, self, 'i', "", row.member_id, link)))
    say(message, err, "cannot store the link", sqlite3_errmsg(db));
  else
    web_event_store(db, row.member_id, "cli", "member invited");
  sqlite3_close(db);
  return err;
}

coop_err web_accounts(node *self, web_account_visitor visitor, void *context,
                      char message[NODE_MESSAGE_BYTES])
{
  sqlite3 *db = NULL;
  coop_err err = web_db_open(self->home, &db, message);
  if (err)
    return err;
  sqlite3_stmt *statement = prepare(
      db, "SELECT name, role, member_id, password IS NOT NULL FROM accounts ORDER BY name", NULL,
      NULL);
  while (!err && statement && sqlite3_step(statement) == SQLITE_ROW) {
    char name[WEB_ACCOUNT_NAME_BYTES_MAX + 1], member_id[LEDGER_MEMBER_ID_CHARS + 1];
    copy_column(statement, 0, name, sizeof name);
    copy_column(statement, 2, member_id, sizeof member_id);
    err = visitor(context, name, sqlite3_column_int(statement, 1), member_id,
                  sqlite3_column_int(statement, 3) != 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return err;
}
