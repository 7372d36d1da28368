/* Private header of web/: the request every page handler gets, the HTML
 * writer, forms and accounts.  Pages (pages_*.c) see only this. */
#ifndef COOP_WEB_WEB_INT_H
#define COOP_WEB_WEB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/books/books.h"
#include "ledger/base/buffer.h"
#include "ledger/books/statement.h"
#include "node/node.h"
#include "web/web.h"

struct sqlite3;

#define WEB_FIELDS_MAX 32u
#define WEB_FIELD_BYTES_MAX (8u * 1024u * 1024u) /* a CSV upload of a large month fits */
#define WEB_TOKEN_HEX 64u                  /* 32 random bytes */
#define WEB_BODY_MAX (16u * 1024u * 1024u)

/* A POST body's fields (or a query string's). */
typedef struct web_field {
  char *name;
  char *value;
} web_field;

typedef struct web_form {
  web_field fields[WEB_FIELDS_MAX];
  size_t count;
  bool too_big; /* a field or the number of fields passed the limits */
} web_form;

/* The account behind a request's session. */
typedef struct web_account {
  char name[WEB_ACCOUNT_NAME_BYTES_MAX + 1];
  int role;                                   /* web_role */
  char member_id[LEDGER_MEMBER_ID_CHARS + 1]; /* a member's account on the coop's node */
  char csrf[WEB_TOKEN_HEX + 1];               /* the session's form token */
} web_account;

typedef struct web_request {
  struct web_server *server;
  node *node;
  struct MHD_Connection *connection;
  const char *method; /* "GET", "POST" */
  const char *path;   /* without the query */
  web_form form;      /* POST fields */
  bool logged_in;
  web_account account;
  bool english;
  char address[64]; /* the client's address, for throttling and the log */
  /* The response. */
  unsigned status;
  coop_buf body;
  const char *content_type;
  char location[512];   /* a redirect (303) */
  char cookies[3][256]; /* Set-Cookie headers */
  size_t cookie_count;
  char download[128];   /* Content-Disposition filename, "" for a page */
} web_request;

/* ---- server.c ----------------------------------------------------------- */

/* A query-string argument (NULL when absent). */
const char *web_query(web_request *request, const char *name);
/* A POST field (NULL when absent). */
const char *web_field_value(const web_request *request, const char *name);
/* A cookie (NULL when absent). */
const char *web_cookie(web_request *request, const char *name);
/* Adds a Set-Cookie header: HttpOnly, SameSite=Strict, Path=/, Secure under TLS. */
void web_set_cookie(web_request *request, const char *name, const char *value, long max_age);
/* Answers 303 See Other to `location`. */
void web_redirect(web_request *request, const char *location);
/* Is the served address TLS? */
bool web_tls(const web_request *request);
/* The base link ("http://127.0.0.1:8420"). */
const char *web_base(const web_request *request);
/* One line to stderr and web.db's events: who did what. */
void web_event(web_request *request, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- page.c: HTML, every value escaped here ----------------------------- */

/* Dutch or English. */
const char *web_say(const web_request *request, const char *dutch, const char *english);

/* Appends HTML from a format whose text is trusted and whose values are
 * not: %s a string, HTML-escaped; %d int; %u unsigned; %j int64_t;
 * %m int64_t cents as "€ 1.234,56"; %p uint32_t YYYYMM as "maart 2026";
 * %y uint32_t YYYYMM as "2026-03";
 * %t a string said in the request's language, trusted (web_say's answer);
 * %% a percent sign.  Nothing else. */
void web_html(web_request *request, const char *format, ...);

/* The page around the content: head, header with the account and the
 * navigation for its role, then the content written so far, then foot.
 * Call web_page_begin first, web_page_end last. */
void web_page_begin(web_request *request, const char *title);
void web_page_end(web_request *request);

/* A whole error page with `status`. */
void web_error_page(web_request *request, unsigned status, const char *text);
/* An error page for a refusal in the node's words, which are English: a
 * Dutch page leads with `dutch` and puts the node's words beside, in
 * parentheses; an English page shows the node's words alone. */
void web_error_page_node(web_request *request, unsigned status, const char *dutch,
                         const char *node_message);
/* The Dutch lead when the node's data cannot be read (a database error). */
#define WEB_COULD_NOT_READ "De gegevens konden niet worden gelezen."

/* The same words for a form's alert: on a Dutch page `dutch` (a sentence
 * of node_form_error_dutch, say) with the node's words beside in
 * parentheses; on an English page, or with no Dutch, the node's words. */
#define WEB_NODE_MESSAGE_BYTES (NODE_MESSAGE_BYTES + 256u) /* a Dutch lead beside a whole message */
void web_node_message(const web_request *request, const char *dutch, const char *node_message,
                      char out[WEB_NODE_MESSAGE_BYTES]);

/* A table's head: <table id=ID> (id NULL: none) and one <th> per column,
 * in the request's language, amounts right-aligned; <tbody> opened. */
typedef struct web_column {
  const char *dutch, *english;
  bool amount;
} web_column;
void web_table_head(web_request *request, const char *id, const web_column *columns,
                    size_t count);
#define WEB_TABLE_HEAD(request, id, ...)                                                   \
  web_table_head(request, id, (const web_column[]){__VA_ARGS__},                          \
                 sizeof((const web_column[]){__VA_ARGS__}) / sizeof(web_column))

/* <input type=hidden name=csrf> for the request's session. */
void web_csrf_field(web_request *request);

/* The money a form field holds ("12,50" or "12.50"): cents, or the CLI's
 * message for what is wrong with it. */
COOP_MUST_USE coop_err web_parse_money(const char *text, int64_t *cents, char *message,
                                       size_t bytes);

/* YYYYMM from "2026-03" or "202603" (links carry the latter); 0 when
 * absent or malformed. */
uint32_t web_parse_period(const char *text);

/* The month before the current one: the one a municipality audits. */
uint32_t web_last_month(void);

/* ---- accounts.c ------------------------------------------------------------ */

/* Opens web.db in the node home (creating it, mode 0600). */
COOP_MUST_USE coop_err web_db_open(const char *home, struct sqlite3 **db,
                                   char message[NODE_MESSAGE_BYTES]);

/* The session behind a cookie token: fills account and refreshes the idle
 * timer.  false when none (or expired). */
bool web_session_find(struct sqlite3 *db, const char *token, web_account *account);
/* Starts a session for `name`; writes the cookie token. */
COOP_MUST_USE coop_err web_session_start(struct sqlite3 *db, const char *name,
                                         char token[WEB_TOKEN_HEX + 1]);
void web_session_end(struct sqlite3 *db, const char *token);

/* Checks a login.  0: ok; else -1 (wrong name or password). */
int web_login_check(struct sqlite3 *db, const char *name, const char *password);

/* A one-time link's facts; *kind 'p' (set a password for `name`) or 'i'
 * (a member's invitation: she picks a name).  false when unknown/used/expired. */
bool web_link_find(struct sqlite3 *db, const char *token, char *kind,
                   char name[WEB_ACCOUNT_NAME_BYTES_MAX + 1],
                   char member_id[LEDGER_MEMBER_ID_CHARS + 1]);
/* Uses the link: sets the password (creating the member's account for an
 * invitation).  COOP_E_EXISTS: the name is taken; COOP_E_BAD_INPUT: the
 * password is too short or too long (message says). */
COOP_MUST_USE coop_err web_link_use(struct sqlite3 *db, const char *token, const char *name,
                                    const char *password, char message[NODE_MESSAGE_BYTES]);

void web_event_store(struct sqlite3 *db, const char *account, const char *address,
                     const char *what);

#define WEB_PASSWORD_MIN 10u
#define WEB_PASSWORD_MAX 128u

/* ---- pages ------------------------------------------------------------------ */

typedef void (*web_handler)(web_request *request);

/* A table being written row by row from a node/ visitor. */
typedef struct web_rows {
  web_request *request;
  size_t count;
} web_rows;

/* The page for a path and role, or NULL (404). */
web_handler web_pages_coop(const char *path);
/* The administrator's retention list and a member's erasure (pages_erase.c). */
web_handler web_pages_erase(const char *path);
web_handler web_pages_municipality(const char *path);
web_handler web_pages_member(const char *path);

/* A verdict status (node_audit_status) in words, and as a coloured label. */
const char *web_status_text(const web_request *request, int status);
void web_status_label(web_request *request, int status);

/* The officer's rule sets: explained field by field, and a new one tried on
 * a month's residents, then published (pages_rules.c). */
void web_rules_page(web_request *request);
void web_rules_form(web_request *request);

/* Why the municipality disputed a statement: its reason, the fields that
 * differ, and both sides' figures side by side. */
void web_dispute_details(web_request *request, const ledger_statement_payload *statement,
                         const ledger_verdict *verdict);

/* Shared by the coop's and the member's pages: one member's statement of a
 * month (period) as the coop's books hold it, with its verdict. */
void web_statement_section(web_request *request, const char *member_id, uint32_t period);
/* The months of one member (NULL: this node's own member) as a table. */
void web_member_year(web_request *request, const char *member_id, uint32_t year);
/* A whole page: one member's year statement (jaaropgave), printable; an
 * error page (404, naming why) for a year or member it cannot show. */
void web_year_statement(web_request *request, const char *member_id, uint32_t year);
/* The same for the year of the query's y=YYYY (default: this year; 400 for
 * anything but four digits). */
void web_year_page(web_request *request, const char *member_id);

#endif
