/* The web app (web/): the node's pages for the coop's administrator, the
 * municipality's officer and the member, served by libmicrohttpd from the
 * node's own process ('coop node run' with http set, or 'coop web').
 *
 * An interface beside cli/: it parses requests, calls node/ (the same
 * functions and checks as the CLI) and writes HTML.  Accounts, sessions and
 * the log of logins and changes live in web.db in the node home, never in
 * the signed log.  See docs/web.md. */
#ifndef COOP_WEB_WEB_H
#define COOP_WEB_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include "ledger/base/error.h"
#include "node/node.h"

#define WEB_DATABASE_FILE "web.db"
#define WEB_ACCOUNT_NAME_BYTES_MAX 64u
#define WEB_LINK_BYTES 512u

typedef struct web_server web_server;

typedef struct web_options {
  const char *address;   /* HOST:PORT; NULL: node.conf's http, else NODE_DEFAULT_HTTP */
  const char *cert_file; /* NULL: node.conf's http_cert */
  const char *key_file;  /* NULL: node.conf's http_key */
} web_options;

/* Starts serving in a thread of its own with a node handle of its own
 * (opened from `home`).  Refuses an address other than loopback without
 * TLS files, naming the settings.  COOP_E_IO when it cannot listen. */
COOP_MUST_USE coop_err web_start(const char *home, const web_options *options,
                                 web_server **server, char message[NODE_MESSAGE_BYTES]);

/* The address served ("http://127.0.0.1:8420"). */
const char *web_url(const web_server *server);

void web_stop(web_server *server);

/* Account roles. */
typedef enum web_role {
  WEB_ROLE_ADMIN = 1,   /* coop node: the administrator */
  WEB_ROLE_OFFICER = 2, /* municipality node: a benefits officer */
  WEB_ROLE_MEMBER = 3,  /* a member: on the coop's node (her own data) or her own node */
} web_role;

int web_role_from_name(const char *name);
const char *web_role_name(int role);

/* Adds an account without a password and writes into `link` the one-time
 * link (valid 7 days) on which its owner sets one.  An admin only on a
 * coop node, an officer only on a municipality's, a member only on her own
 * node.  COOP_E_EXISTS for a name taken. */
COOP_MUST_USE coop_err web_account_add(node *node, const char *name, int role,
                                       char link[WEB_LINK_BYTES],
                                       char message[NODE_MESSAGE_BYTES]);

/* A one-time link (valid 7 days) on which member `member_id` of this coop
 * creates her login: she sees her own months, nothing else. */
COOP_MUST_USE coop_err web_invite(node *node, const char *member_id, char link[WEB_LINK_BYTES],
                                  char message[NODE_MESSAGE_BYTES]);

/* Lists the accounts: "NAME ROLE [MEMBER]" per line into `out`. */
typedef coop_err (*web_account_visitor)(void *context, const char *name, int role,
                                        const char *member_id, bool has_password);
COOP_MUST_USE coop_err web_accounts(node *node, web_account_visitor visitor, void *context,
                                    char message[NODE_MESSAGE_BYTES]);

#endif
