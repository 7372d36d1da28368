/* HTML for every page: the one place values are escaped, the layout, money
 * and months the Dutch way. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ledger/books/books.h"
#include "ledger/books/money.h"
#include "node/books.h"
#include "node/wording.h"
#include "web/web_int.h"

const char *web_say(const web_request *request, const char *dutch, const char *english)
{
  return request->english ? english : dutch;
}

static void append(web_request *request, const char *bytes, size_t count)
{
  /* Past WEB_BODY_MAX the page is cut short; the status says so. */
  if (coop_buf_append(&request->body, bytes, count))
    request->status = 500;
}

/* Text into HTML: the only way a value reaches a page. */
static void text_out(web_request *request, const char *text)
{
  if (!text)
    return;
  const char *run = text;
  for (; *text; text++) {
    const char *entity;
    switch (*text) {
    case '<': entity = "&lt;"; break;
    case '>': entity = "&gt;"; break;
    case '&': entity = "&amp;"; break;
    case '"': entity = "&quot;"; break;
    case '\'': entity = "&#39;"; break;
    default: continue;
    }
    append(request, run, (size_t)(text - run));
    append(request, entity, strlen(entity));
    run = text + 1;
  }
  append(request, run, (size_t)(text - run));
}

void web_html(web_request *request, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  const char *run = format;
  for (const char *c = format; *c; c++) {
    if (*c != '%')
      continue;
    append(request, run, (size_t)(c - run));
    char number[64];
    switch (*++c) {
    case 's': text_out(request, va_arg(args, const char *)); break;
    case 't': {
      const char *trusted = va_arg(args, const char *);
      append(request, trusted, strlen(trusted));
      break;
    }
    case 'd': snprintf(number, sizeof number, "%d", va_arg(args, int)); text_out(request, number); break;
    case 'u': snprintf(number, sizeof number, "%u", va_arg(args, unsigned)); text_out(request, number); break;
    case 'j':
      snprintf(number, sizeof number, "%lld", (long long)va_arg(args, int64_t));
      text_out(request, number);
      break;
    case 'm': {
      char money[LEDGER_MONEY_TEXT_BYTES];
      ledger_money_format_dutch(va_arg(args, int64_t), money);
      text_out(request, money);
      break;
    }
    case 'p': {
      char month[NODE_MONTH_TEXT_BYTES];
      node_month_text(va_arg(args, uint32_t), request->english, month);
      text_out(request, month);
      break;
    }
    case 'y': {
      uint32_t period = va_arg(args, uint32_t);
      snprintf(number, sizeof number, "%04u-%02u", (unsigned)(period / 100) % 10000,
               (unsigned)(period % 100));
      text_out(request, number);
      break;
    }
    case '%': append(request, "%", 1); break;
    default:
      /* A conversion this writer does not know: its argument cannot be
       * skipped safely, so the page stops here, as an error. */
      request->status = 500;
      va_end(args);
      return;
    }
    run = c + 1;
  }
  append(request, run, strlen(run));
  va_end(args);
}

/* ---- the layout ------------------------------------------------------------ */

typedef struct nav_item {
  const char *path, *dutch, *english;
} nav_item;

static const nav_item admin_nav[] = {{"/", "Overzicht", "Overview"},
                                     {"/members", "Leden", "Members"},
                                     {"/record", "Boeken", "Record"},
                                     {"/import", "CSV inlezen", "Import CSV"},
                                     {"/close", "Maand afsluiten", "Close month"},
                                     {"/year-close", "Jaar afsluiten", "Close year"},
                                     {"/disputes", "Geschillen", "Disputes"},
                                     {"/downloads", "Downloads", "Downloads"},
                                     {NULL, NULL, NULL}};
static const nav_item officer_nav[] = {{"/", "Controle", "Audit"},
                                       {"/rules", "Rekenregels", "Rule sets"},
                                       {NULL, NULL, NULL}};
static const nav_item member_nav[] = {{"/", "Mijn overzicht", "My overview"},
                                      {"/what-if", "Wat als …?", "What if …?"},
                                      {NULL, NULL, NULL}};

static const nav_item *navigation(int role)
{
  switch (role) {
  case WEB_ROLE_ADMIN: return admin_nav;
  case WEB_ROLE_OFFICER: return officer_nav;
  case WEB_ROLE_MEMBER: return member_nav;
  default: return NULL;
  }
}

/* The content so far is kept aside while the head is written, then put
 * back after it: handlers write their content between begin and end. */
void web_page_begin(web_request *request, const char *title)
{
  web_html(request,
           "<!DOCTYPE html>\n<html lang=\"%t\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<title>%s · %s</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\n"
           "<body><header><div class=\"brand\">%s</div>",
           request->english ? "en" : "nl", title, request->node->name, request->node->name);
  const nav_item *items = request->logged_in ? navigation(request->account.role) : NULL;
  if (items) {
    web_html(request, "<nav aria-label=\"%t\"><ul>", web_say(request, "Hoofdmenu", "Main menu"));
    for (; items->path; items++)
      web_html(request, "<li><a href=\"%s\"%t>%t</a></li>", items->path,
               strcmp(items->path, request->path) ? "" : " aria-current=\"page\"",
               web_say(request, items->dutch, items->english));
    web_html(request, "</ul></nav>");
  }
  web_html(request, "<div class=\"account\"><a href=\"/lang?to=%t\" lang=\"%t\">%t</a>",
           request->english ? "nl" : "en", request->english ? "nl" : "en",
           request->english ? "Nederlands" : "English");
  if (request->logged_in) {
    web_html(request, " <span>%s</span><form method=\"post\" action=\"/logout\">",
             request->account.name);
    web_csrf_field(request);
    web_html(request, "<button type=\"submit\">%t</button></form>",
             web_say(request, "Uitloggen", "Log out"));
  }
  web_html(request, "</div></header>\n<main id=\"main\">\n<h1>%s</h1>\n", title);
}

void web_page_end(web_request *request)
{
  web_html(request, "\n</main>\n<footer>coop · %t</footer></body></html>\n",
           web_say(request, "elk bedrag is te controleren in het ondertekende logboek",
                   "every amount can be checked in the signed log"));
}

void web_error_page(web_request *request, unsigned status, const char *text)
{
  coop_buf_reset(&request->body);
  request->status = status;
  web_page_begin(request, status == 403   ? web_say(request, "Geen toegang", "Forbidden")
                          : status == 404 ? web_say(request, "Niet gevonden", "Not found")
                                          : web_say(request, "Fout", "Error"));
  web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", text);
  web_page_end(request);
}

void web_node_message(const web_request *request, const char *dutch, const char *node_message,
                      char out[WEB_NODE_MESSAGE_BYTES])
{
  if (request->english || !dutch || !dutch[0])
    snprintf(out, WEB_NODE_MESSAGE_BYTES, "%s", node_message);
  else
    snprintf(out, WEB_NODE_MESSAGE_BYTES, "%s (%s)", dutch, node_message);
}

void web_error_page_node(web_request *request, unsigned status, const char *dutch,
                         const char *node_message)
{
  char text[WEB_NODE_MESSAGE_BYTES];
  web_node_message(request, dutch, node_message, text);
  web_error_page(request, status, text);
}

void web_table_head(web_request *request, const char *id, const web_column *columns,
                    size_t count)
{
  if (id)
    web_html(request, "<table id=\"%s\"><thead><tr>", id);
  else
    web_html(request, "<table><thead><tr>");
  for (size_t i = 0; i < count; i++)
    web_html(request, "<th%t scope=\"col\">%t</th>", columns[i].amount ? " class=\"amount\"" : "",
             web_say(request, columns[i].dutch, columns[i].english));
  web_html(request, "</tr></thead><tbody>");
}

void web_csrf_field(web_request *request)
{
  web_html(request, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", request->account.csrf);
}

coop_err web_parse_money(const char *text, int64_t *cents, char *message, size_t bytes)
{
  /* The CLI's parser and messages; only the spaces around are forgiven. */
  char plain[64];
  while (text && *text == ' ')
    text++;
  snprintf(plain, sizeof plain, "%s", text ? text : "");
  for (size_t n = strlen(plain); n && plain[n - 1] == ' '; n--)
    plain[n - 1] = 0;
  return node_amount_parse(plain, cents, message, bytes);
}

uint32_t web_parse_period(const char *text)
{
  uint32_t period = 0;
  if (!text || !text[0])
    return 0;
  if (!ledger_period_parse(text, &period))
    return period;
  /* Links between pages carry YYYYMM: the same month, checked the same way. */
  char dashed[8];
  if (strlen(text) != 6 || strspn(text, "0123456789") != 6)
    return 0;
  snprintf(dashed, sizeof dashed, "%.4s-%.2s", text, text + 4);
  return ledger_period_parse(dashed, &period) ? 0 : period;
}

uint32_t web_last_month(void)
{
  uint32_t now = node_today() / 100;
  return now % 100 == 1 ? (now / 100 - 1) * 100 + 12 : now - 1;
}
