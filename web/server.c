/* The web app's HTTP side: libmicrohttpd in a thread of its own (with its
 * own node handle and web.db connection, so nothing is shared with the
 * sync loop), security headers on every answer, sessions, CSRF, login
 * throttling, and the routing of a request to its role's pages. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ledger/base/alloc.h"
#include "web/web_int.h"

#define THROTTLE_SLOTS 512u
#define THROTTLE_FREE_TRIES 5u
#define THROTTLE_MAX_MS (15u * 60u * 1000u)

typedef struct throttle_slot {
  char key[WEB_ACCOUNT_NAME_BYTES_MAX + 8];
  unsigned failures;
  uint64_t until_ms;
} throttle_slot;

struct web_server {
  struct MHD_Daemon *daemon;
  node node;
  sqlite3 *db;
  bool tls;
  char url[NODE_ADDRESS_BYTES_MAX + 16];
  /* Cookie names carry the node's fingerprint: browsers keep cookies per
   * host, not per port, so two nodes on one machine (a coop and its
   * municipality on localhost) would otherwise log each other out. */
  char session_cookie[32], form_cookie[32];
  /* node.conf as last read: peers added later (a new municipality, say)
   * are read again when it changes, as the sync daemon does on SIGHUP. */
  struct timespec config_mtime;
  off_t config_size;
  char *cert, *key;
  throttle_slot throttle[THROTTLE_SLOTS];
};

/* What MHD keeps per request between its calls. */
typedef struct connection_state {
  struct MHD_PostProcessor *post;
  web_form form;
  size_t received;
} connection_state;

static const char style_css[] =
#include "web/style.css.h"
    ;

/* ---- request helpers --------------------------------------------------------- */

const char *web_query(web_request *request, const char *name)
{
  return MHD_lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_field_value(const web_request *request, const char *name)
{
  for (size_t i = 0; i < request->form.count; i++)
    if (!strcmp(request->form.fields[i].name, name))
      return request->form.fields[i].value;
  return NULL;
}

const char *web_cookie(web_request *request, const char *name)
{
  return MHD_lookup_connection_value(request->connection, MHD_COOKIE_KIND, name);
}

void web_set_cookie(web_request *request, const char *name, const char *value, long max_age)
{
  if (request->cookie_count >= sizeof request->cookies / sizeof request->cookies[0])
    return;
  snprintf(request->cookies[request->cookie_count++], sizeof request->cookies[0],
           "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s", name, value, max_age,
           request->server->tls ? "; Secure" : "");
}

void web_redirect(web_request *request, const char *location)
{
  request->status = 303;
  snprintf(request->location, sizeof request->location, "%s", location);
}

bool web_tls(const web_request *request)
{
  return request->server->tls;
}

const char *web_base(const web_request *request)
{
  return request->server->url;
}

void web_event(web_request *request, const char *format, ...)
{
  char what[512];
  va_list args;
  va_start(args, format);
  vsnprintf(what, sizeof what, format, args);
  va_end(args);
  const char *who = request->logged_in ? request->account.name : "-";
  fprintf(stderr, "coop[%s] web: %s (%s): %s\n", request->node->name, who, request->address,
          what);
  web_event_store(request->server->db, who, request->address, what);
}

/* ---- login throttling ----------------------------------------------------------- */

static throttle_slot *throttle_slot_for(web_server *server, const char *key)
{
  uint32_t hash = 2166136261u;
  for (const char *c = key; *c; c++)
    hash = (hash ^ (uint8_t)*c) * 16777619u;
  throttle_slot *slot = &server->throttle[hash % THROTTLE_SLOTS];
  /* A collision forgets the other key's failures: the table stays small,
   * and an attacker gains at most a few free tries. */
  if (strcmp(slot->key, key)) {
    memset(slot, 0, sizeof *slot);
    snprintf(slot->key, sizeof slot->key, "%s", key);
  }
  return slot;
}

/* Milliseconds to wait before the next try for the name or the address. */
static uint64_t throttle_wait(web_server *server, const char *name, const char *address)
{
  char key[sizeof server->throttle[0].key];
  uint64_t now = node_now_ms(), wait = 0;
  snprintf(key, sizeof key, "n:%s", name);
  throttle_slot *slot = throttle_slot_for(server, key);
  if (slot->until_ms > now)
    wait = slot->until_ms - now;
  snprintf(key, sizeof key, "a:%s", address);
  slot = throttle_slot_for(server, key);
  if (slot->until_ms > now && slot->until_ms - now > wait)
    wait = slot->until_ms - now;
  return wait;
}

static void throttle_note(web_server *server, const char *name, const char *address, bool failed)
{
  char key[sizeof server->throttle[0].key];
  for (int i = 0; i < 2; i++) {
    snprintf(key, sizeof key, i ? "a:%s" : "n:%s", i ? address : name);
    throttle_slot *slot = throttle_slot_for(server, key);
    if (!failed) {
      slot->failures = 0;
      slot->until_ms = 0;
      continue;
    }
    /* Five free tries, then 1 s, 2 s, 4 s, ... up to 15 minutes. */
    if (++slot->failures >= THROTTLE_FREE_TRIES) {
      unsigned shift = slot->failures - THROTTLE_FREE_TRIES;
      uint64_t delay = shift >= 20 ? THROTTLE_MAX_MS : (uint64_t)1000 << shift;
      slot->until_ms = node_now_ms() + (delay > THROTTLE_MAX_MS ? THROTTLE_MAX_MS : delay);
    }
  }
}

/* ---- the public pages: login, links, logout --------------------------------- */

static void form_token_field(web_request *request)
{
  /* Before a session there is no CSRF token: a random one in a cookie and
   * in the form must match (double submit). */
  char token[WEB_TOKEN_HEX + 1];
  uint8_t bytes[WEB_TOKEN_HEX / 2];
  randombytes_buf(bytes, sizeof bytes);
  for (size_t i = 0; i < sizeof bytes; i++)
    snprintf(token + 2 * i, 3, "%02x", bytes[i]);
  web_set_cookie(request, request->server->form_cookie, token, 3600);
  web_html(request, "<input type=\"hidden\" name=\"form_token\" value=\"%s\">", token);
}

static bool form_token_ok(web_request *request)
{
  const char *cookie = web_cookie(request, request->server->form_cookie);
  const char *field = web_field_value(request, "form_token");
  return cookie && field && strlen(cookie) == WEB_TOKEN_HEX && strlen(field) == WEB_TOKEN_HEX &&
         sodium_memcmp(cookie, field, WEB_TOKEN_HEX) == 0;
}

static void login_page(web_request *request, const char *error, const char *name)
{
  web_page_begin(request, web_say(request, "Inloggen", "Log in"));
  if (error)
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", error);
  web_html(request, "<form method=\"post\" action=\"/login\" class=\"form\">");
  form_token_field(request);
  web_html(request,
           "<label for=\"name\">%t</label><input id=\"name\" name=\"name\" autocomplete=\"username\""
           " required value=\"%s\">"
           "<label for=\"password\">%t</label><input id=\"password\" name=\"password\""
           " type=\"password\" autocomplete=\"current-password\" required>"
           "<button type=\"submit\">%t</button></form>",
           web_say(request, "Inlognaam", "Login name"), name ? name : "",
           web_say(request, "Wachtwoord", "Password"), web_say(request, "Inloggen", "Log in"));
  web_page_end(request);
}

static void login(web_request *request)
{
  if (!strcmp(request->method, "GET"))
    return login_page(request, NULL, NULL);
  const char *name = web_field_value(request, "name");
  const char *password = web_field_value(request, "password");
  if (!form_token_ok(request)) {
    request->status = 403;
    return login_page(request, web_say(request, "Het formulier was verlopen; probeer opnieuw.",
                                       "The form had expired; try again."), name);
  }
  uint64_t wait = throttle_wait(request->server, name ? name : "", request->address);
  if (wait) {
    request->status = 429;
    char text[160];
    unsigned long long seconds = (wait + 999) / 1000;
    if (request->english)
      snprintf(text, sizeof text, "Too many failed attempts. Try again in %llu seconds.", seconds);
    else
      snprintf(text, sizeof text,
               "Te veel mislukte pogingen. Probeer het over %llu seconden opnieuw.", seconds);
    web_event(request, "login refused (throttled) for '%s'", name ? name : "");
    return login_page(request, text, name);
  }
  if (web_login_check(request->server->db, name, password) != 0) {
    throttle_note(request->server, name ? name : "", request->address, true);
    request->status = 401;
    web_event(request, "login failed for '%s'", name ? name : "");
    return login_page(request,
                      web_say(request, "Onbekende inlognaam of verkeerd wachtwoord.",
                              "Unknown login name or wrong password."),
                      name);
  }
  throttle_note(request->server, name, request->address, false);
  char token[WEB_TOKEN_HEX + 1];
  if (web_session_start(request->server->db, name, token))
    return web_error_page(request, 500, web_say(request, "Kan niet inloggen.", "Cannot log in."));
  web_set_cookie(request, request->server->session_cookie, token, 12 * 3600);
  snprintf(request->account.name, sizeof request->account.name, "%s", name);
  request->logged_in = true;
  web_event(request, "logged in");
  web_redirect(request, "/");
}

static void logout(web_request *request)
{
  web_session_end(request->server->db, web_cookie(request, request->server->session_cookie));
  web_set_cookie(request, request->server->session_cookie, "", 0);
  web_event(request, "logged out");
  web_redirect(request, "/login");
}

static void welcome_page(web_request *request, const char *token, char kind, const char *name,
                         const char *error)
{
  web_page_begin(request, web_say(request, "Welkom", "Welcome"));
  if (error)
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", error);
  web_html(request, "<p>%t</p><form method=\"post\" action=\"/welcome\" class=\"form\">",
           kind == 'i' ? web_say(request, "Kies een inlognaam en een wachtwoord.",
                                 "Choose a login name and a password.")
                       : web_say(request, "Kies een wachtwoord.", "Choose a password."));
  form_token_field(request);
  web_html(request, "<input type=\"hidden\" name=\"token\" value=\"%s\">", token);
  if (kind == 'i')
    web_html(request, "<label for=\"name\">%t</label><input id=\"name\" name=\"name\" required"
                      " autocomplete=\"username\" value=\"%s\">",
             web_say(request, "Inlognaam", "Login name"), name ? name : "");
  else
    web_html(request, "<p>%t <strong>%s</strong></p>", web_say(request, "Inlognaam:", "Login name:"),
             name);
  web_html(request,
           "<label for=\"password\">%t</label><input id=\"password\" name=\"password\""
           " type=\"password\" autocomplete=\"new-password\" minlength=\"%u\" required>"
           "<button type=\"submit\">%t</button></form>",
           web_say(request, "Wachtwoord (minstens 10 tekens)", "Password (at least 10 characters)"),
           WEB_PASSWORD_MIN, web_say(request, "Opslaan", "Save"));
  web_page_end(request);
}

static void welcome(web_request *request)
{
  bool post = !strcmp(request->method, "POST");
  const char *token = post ? web_field_value(request, "token") : web_query(request, "token");
  char kind = 0, name[WEB_ACCOUNT_NAME_BYTES_MAX + 1], member_id[LEDGER_MEMBER_ID_CHARS + 1];
  if (!web_link_find(request->server->db, token, &kind, name, member_id))
    return web_error_page(request, 404,
                          web_say(request, "Deze link is onbekend, al gebruikt of verlopen.",
                                  "This link is unknown, used already or expired."));
  if (!post)
    return welcome_page(request, token, kind, name, NULL);
  if (!form_token_ok(request)) {
    request->status = 403;
    return welcome_page(request, token, kind, name,
                        web_say(request, "Het formulier was verlopen; probeer opnieuw.",
                                "The form had expired; try again."));
  }
  const char *chosen = kind == 'i' ? web_field_value(request, "name") : name;
  char message[NODE_MESSAGE_BYTES];
  if (web_link_use(request->server->db, token, chosen, web_field_value(request, "password"),
                   message)) {
    request->status = 422;
    return welcome_page(request, token, kind, chosen, message);
  }
  snprintf(request->account.name, sizeof request->account.name, "%s", chosen ? chosen : "");
  request->logged_in = true; /* for the event's name only */
  web_event(request, kind == 'i' ? "member login created for %s" : "password set%s",
            kind == 'i' ? member_id : "");
  request->logged_in = false;
  web_redirect(request, "/login");
}

static void language(web_request *request)
{
  const char *to = web_query(request, "to");
  web_set_cookie(request, "coop_lang", to && !strcmp(to, "en") ? "en" : "nl", 365L * 24 * 3600);
  web_redirect(request, "/");
}

/* ---- routing ------------------------------------------------------------------- */

static web_handler role_pages(web_request *request)
{
  int node_role = request->node->role, role = request->account.role;
  if (node_role == LEDGER_ROLE_COOP && role == WEB_ROLE_ADMIN) {
    web_handler erase = web_pages_erase(request->path);
    return erase ? erase : web_pages_coop(request->path);
  }
  if (node_role == LEDGER_ROLE_MUNICIPALITY && role == WEB_ROLE_OFFICER)
    return web_pages_municipality(request->path);
  if ((node_role == LEDGER_ROLE_COOP || node_role == LEDGER_ROLE_MEMBER) && role == WEB_ROLE_MEMBER)
    return web_pages_member(request->path);
  return NULL;
}

/* Reads node.conf's peers again when the file changed since last time. */
static void config_fresh(web_server *server)
{
  char *path = node_path(server->node.home, NODE_CONFIG_FILE);
  struct stat facts;
  if (path && stat(path, &facts) == 0 &&
      (facts.st_mtim.tv_sec != server->config_mtime.tv_sec ||
       facts.st_mtim.tv_nsec != server->config_mtime.tv_nsec ||
       facts.st_size != server->config_size)) {
    char message[NODE_MESSAGE_BYTES];
    if (node_reload_config(&server->node, message) == COOP_OK) {
      server->config_mtime = facts.st_mtim;
      server->config_size = facts.st_size;
    } else {
      fprintf(stderr, "coop[%s] web: node.conf not read again: %s\n", server->node.name, message);
    }
  }
  coop_free(path);
}

static void route(web_request *request)
{
  const char *path = request->path;
  bool post = !strcmp(request->method, "POST");
  if (strcmp(request->method, "GET") && !post)
    return web_error_page(request, 405, web_say(request, "Alleen GET of POST.", "GET or POST only."));
  if (!strcmp(path, "/login"))
    return login(request);
  if (!strcmp(path, "/welcome"))
    return welcome(request);
  if (!strcmp(path, "/lang"))
    return language(request);
  if (!strcmp(path, "/favicon.ico")) /* not a redirect to /login: that would rotate coop_form */
    return web_error_page(request, 404, "-");
  request->logged_in =
      web_session_find(request->server->db, web_cookie(request, request->server->session_cookie),
                       &request->account);
  if (!request->logged_in) {
    if (post)
      return web_error_page(request, 403, web_say(request, "Log eerst in.", "Log in first."));
    return web_redirect(request, "/login");
  }
  if (post) {
    const char *csrf = web_field_value(request, "csrf");
    if (!csrf || strlen(csrf) != WEB_TOKEN_HEX ||
        sodium_memcmp(csrf, request->account.csrf, WEB_TOKEN_HEX) != 0) {
      web_event(request, "form refused: missing or wrong CSRF token on %s", path);
      return web_error_page(request, 403,
                            web_say(request, "Dit formulier is verlopen of niet van deze site. "
                                             "Er is niets veranderd.",
                                    "This form has expired or is not from this site. Nothing "
                                    "was changed."));
    }
  }
  if (!strcmp(path, "/logout") && post)
    return logout(request);
  web_handler handler = role_pages(request);
  if (!handler)
    return web_error_page(request, 404, web_say(request, "Deze pagina bestaat niet.",
                                                "This page does not exist."));
  handler(request);
}

/* ---- libmicrohttpd -------------------------------------------------------------- */

static enum MHD_Result take_field(void *context, enum MHD_ValueKind kind, const char *key,
                                  const char *filename, const char *content_type,
                                  const char *transfer_encoding, const char *data, uint64_t offset,
                                  size_t size)
{
  (void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
  connection_state *state = context;
  web_form *form = &state->form;
  web_field *field = form->count ? &form->fields[form->count - 1] : NULL;
  if (!field || offset == 0 || strcmp(field->name, key)) {
    if (form->count >= WEB_FIELDS_MAX) {
      form->too_big = true;
      return MHD_NO;
    }
    field = &form->fields[form->count++];
    field->name = coop_strdup(key);
    field->value = coop_calloc(1, 1);
    if (!field->name || !field->value)
      return MHD_NO;
  }
  size_t have = strlen(field->value);
  if (have + size > WEB_FIELD_BYTES_MAX) {
    form->too_big = true;
    return MHD_NO;
  }
  char *grown = coop_realloc(field->value, have + size + 1);
  if (!grown)
    return MHD_NO;
  memcpy(grown + have, data, size);
  grown[have + size] = 0;
  field->value = grown;
  return MHD_YES;
}

static void form_free(web_form *form)
{
  for (size_t i = 0; i < form->count; i++) {
    coop_free(form->fields[i].name);
    coop_free(form->fields[i].value);
  }
  form->count = 0;
}

static void request_done(void *context, struct MHD_Connection *connection, void **state_pointer,
                         enum MHD_RequestTerminationCode code)
{
  (void)context, (void)connection, (void)code;
  connection_state *state = *state_pointer;
  if (!state)
    return;
  if (state->post)
    MHD_destroy_post_processor(state->post);
  form_free(&state->form);
  coop_free(state);
  *state_pointer = NULL;
}

static const char security_policy[] =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

static enum MHD_Result respond(struct MHD_Connection *connection, web_request *request)
{
  struct MHD_Response *response = MHD_create_response_from_buffer(
      request->body.len, request->body.data, MHD_RESPMEM_MUST_COPY);
  if (!response)
    return MHD_NO;
  MHD_add_response_header(response, "Content-Type", request->content_type);
  MHD_add_response_header(response, "Content-Security-Policy", security_policy);
  MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(response, "X-Frame-Options", "DENY");
  MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(response, "Cache-Control", "no-store");
  if (request->server->tls)
    MHD_add_response_header(response, "Strict-Transport-Security", "max-age=31536000");
  if (request->location[0])
    MHD_add_response_header(response, "Location", request->location);
  if (request->download[0]) {
    char disposition[200];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", request->download);
    MHD_add_response_header(response, "Content-Disposition", disposition);
  }
  for (size_t i = 0; i < request->cookie_count; i++)
    MHD_add_response_header(response, "Set-Cookie", request->cookies[i]);
  enum MHD_Result result = MHD_queue_response(connection, request->status, response);
  MHD_destroy_response(response);
  return result;
}

static void client_address(struct MHD_Connection *connection, char out[64])
{
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  out[0] = 0;
  if (!info || !info->client_addr)
    return;
  const struct sockaddr *address = info->client_addr;
  if (address->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)address)->sin_addr, out, 64);
  else if (address->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)address)->sin6_addr, out, 64);
}

static enum MHD_Result handle(void *context, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **state_pointer)
{
  (void)version;
  web_server *server = context;
  connection_state *state = *state_pointer;
  if (!state) {
    state = coop_calloc(1, sizeof *state);
    if (!state)
      return MHD_NO;
    *state_pointer = state;
    if (!strcmp(method, "POST"))
      state->post = MHD_create_post_processor(connection, 64 * 1024, take_field, state);
    return MHD_YES;
  }
  if (*upload_data_size) {
    state->received += *upload_data_size;
    if (state->post && state->received <= WEB_BODY_MAX && !state->form.too_big)
      MHD_post_process(state->post, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  web_request request = {.server = server, .node = &server->node, .connection = connection,
                         .method = method, .path = url, .status = 200,
                         .content_type = "text/html; charset=utf-8"};
  request.form = state->form;
  state->form.count = 0; /* the request owns the fields now */
  coop_buf_init(&request.body, WEB_BODY_MAX);
  client_address(connection, request.address);
  config_fresh(server);
  const char *language = web_cookie(&request, "coop_lang");
  request.english = language && !strcmp(language, "en");
  if (!strcmp(url, "/style.css") && !strcmp(method, "GET")) {
    request.content_type = "text/css; charset=utf-8";
    if (coop_buf_append_text(&request.body, style_css))
      request.status = 500;
  } else if (state->form.too_big || state->received > WEB_BODY_MAX) {
    web_error_page(&request, 413, "te groot / too large");
  } else {
    route(&request);
  }
  enum MHD_Result result = respond(connection, &request);
  form_free(&request.form);
  coop_buf_release(&request.body);
  return result;
}

/* ---- starting and stopping ---------------------------------------------------- */

static char *read_file(const char *path)
{
  FILE *file = fopen(path, "rb");
  if (!file)
    return NULL;
  char *text = NULL;
  size_t length = 0;
  if (fseek(file, 0, SEEK_END) == 0) {
    long size = ftell(file);
    if (size > 0 && size < 1024 * 1024 && fseek(file, 0, SEEK_SET) == 0 &&
        (text = coop_calloc(1, (size_t)size + 1)))
      length = fread(text, 1, (size_t)size, file);
  }
  fclose(file);
  if (text && !length) {
    coop_free(text);
    text = NULL;
  }
  return text;
}

static bool loopback(const struct sockaddr_storage *address)
{
  if (address->ss_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *)(const void *)address)->sin_addr.s_addr) >> 24) == 127;
  return address->ss_family == AF_INET6 &&
         IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)(const void *)address)->sin6_addr);
}

static coop_err resolve(const char *text, struct sockaddr_storage *address,
                        char message[NODE_MESSAGE_BYTES])
{
  char host[NODE_ADDRESS_BYTES_MAX + 1];
  snprintf(host, sizeof host, "%s", text);
  char *colon = strrchr(host, ':');
  if (!colon || node_address_check(text)) {
    snprintf(message, NODE_MESSAGE_BYTES, "http address '%s' is not HOST:PORT", text);
    return COOP_E_BAD_INPUT;
  }
  *colon = 0;
  const char *port = colon + 1;
  char *name = host;
  if (name[0] == '[' && name[strlen(name) - 1] == ']') {
    name[strlen(name) - 1] = 0;
    name++;
  }
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found = NULL;
  if (getaddrinfo(name, port, &hints, &found) != 0 || !found) {
    snprintf(message, NODE_MESSAGE_BYTES, "http address '%s': unknown host", text);
    return COOP_E_BAD_INPUT;
  }
  memset(address, 0, sizeof *address);
  memcpy(address, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  return COOP_OK;
}

static coop_err load_tls(web_server *server, const char *cert, const char *key,
                         char message[NODE_MESSAGE_BYTES])
{
  if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
    snprintf(message, NODE_MESSAGE_BYTES, "this libmicrohttpd was built without TLS");
    return COOP_E_CONFIG;
  }
  server->cert = read_file(cert);
  server->key = read_file(key);
  if (!server->cert || !server->key) {
    snprintf(message, NODE_MESSAGE_BYTES, "cannot read %s '%.400s'",
             server->cert ? "http_key" : "http_cert", server->cert ? key : cert);
    return COOP_E_IO;
  }
  server->tls = true;
  return COOP_OK;
}

/* The address and TLS files: options first, then node.conf. */
static coop_err configure(web_server *server, const web_options *options,
                          struct sockaddr_storage *address, char message[NODE_MESSAGE_BYTES])
{
  const node *self = &server->node;
  const char *where = options && options->address ? options->address
                      : self->http[0]             ? self->http
                                                  : NODE_DEFAULT_HTTP;
  const char *cert = options && options->cert_file ? options->cert_file : self->http_cert;
  const char *key = options && options->key_file ? options->key_file : self->http_key;
  coop_err err = resolve(where, address, message);
  if (err)
    return err;
  if ((cert && cert[0]) != (key && key[0])) {
    snprintf(message, NODE_MESSAGE_BYTES,
             "TLS needs both http_cert and http_key in node.conf (or neither)");
    return COOP_E_CONFIG;
  }
  if (cert && cert[0] && (err = load_tls(server, cert, key, message)))
    return err;
  if (!server->tls && !loopback(address)) {
    snprintf(message, NODE_MESSAGE_BYTES,
             "the web app serves '%s' only over TLS: set http_cert and http_key in node.conf "
             "(PEM files), or serve on loopback (127.0.0.1) behind your own proxy", where);
    return COOP_E_CONFIG;
  }
  snprintf(server->url, sizeof server->url, "%s://%s", server->tls ? "https" : "http", where);
  return COOP_OK;
}

coop_err web_start(const char *home, const web_options *options, web_server **out,
                   char message[NODE_MESSAGE_BYTES])
{
  web_server *server = coop_calloc(1, sizeof *server);
  if (!server)
    return snprintf(message, NODE_MESSAGE_BYTES, "out of memory"), COOP_E_NOMEM;
  coop_err err = node_open(home, &server->node, message);
  if (err) {
    coop_free(server);
    return err;
  }
  server->node.cache_reads = true; /* pages read the same logs again and again */
  const uint8_t *key = server->node.identity.public_key;
  snprintf(server->session_cookie, sizeof server->session_cookie, "coop_session_%02x%02x%02x%02x",
           key[0], key[1], key[2], key[3]);
  snprintf(server->form_cookie, sizeof server->form_cookie, "coop_form_%02x%02x%02x%02x", key[0],
           key[1], key[2], key[3]);
  struct sockaddr_storage address;
  err = configure(server, options, &address, message);
  if (!err)
    err = web_db_open(home, &server->db, message);
  /* The server's thread takes no signals: SIGTERM, SIGHUP and SIGINT stay
   * with the thread that runs the sync loop (or waits in 'coop web'). */
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  if (!err) {
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     (address.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
                     (server->tls ? MHD_USE_TLS : 0);
    if (server->tls)
      server->daemon = MHD_start_daemon(
          flags, 0, NULL, NULL, handle, server, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
          MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL, MHD_OPTION_CONNECTION_LIMIT, 256u,
          MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
          MHD_OPTION_HTTPS_MEM_KEY, server->key, MHD_OPTION_HTTPS_MEM_CERT, server->cert,
          MHD_OPTION_END);
    else
      server->daemon = MHD_start_daemon(
          flags, 0, NULL, NULL, handle, server, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
          MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL, MHD_OPTION_CONNECTION_LIMIT, 256u,
          MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
          MHD_OPTION_END);
    if (!server->daemon) {
      snprintf(message, NODE_MESSAGE_BYTES,
               "cannot serve the web app on %s (address in use, or not this machine's)",
               server->url);
      err = COOP_E_IO;
    }
  }
  pthread_sigmask(SIG_SETMASK, &before, NULL);
  if (err) {
    web_stop(server);
    return err;
  }
  *out = server;
  return COOP_OK;
}

const char *web_url(const web_server *server)
{
  return server->url;
}

void web_stop(web_server *server)
{
  if (!server)
    return;
  if (server->daemon)
    MHD_stop_daemon(server->daemon);
  if (server->db)
    sqlite3_close(server->db);
  node_close(&server->node);
  if (server->key)
    sodium_memzero(server->key, strlen(server->key));
  coop_free(server->key);
  coop_free(server->cert);
  coop_free(server);
}
