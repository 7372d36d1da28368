/* The member's pages: what she keeps, her months, each statement in plain
 * Dutch with the municipality's verdict, and her receipt.  On the coop's
 * node a member account sees that member only: no page takes a member id
 * from the request. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/books/receipt.h"
#include "node/audit.h"
#include "node/books.h"
#include "node/receipt.h"
#include "web/web_int.h"

/* Her member id: the account's on the coop's node, NULL (the node's own
 * member) on her own node. */
static const char *own_member(const web_request *request)
{
  return request->account.member_id[0] ? request->account.member_id : NULL;
}

typedef struct latest_month {
  node_member_month month;
  bool found;
  char name[COOP_NAME_BYTES_MAX + 1];
} latest_month;

static coop_err take_latest(void *context, const node_member_month *month)
{
  latest_month *latest = context;
  snprintf(latest->name, sizeof latest->name, "%s", month->name);
  if (month->has_statement && (!latest->found || month->period >= latest->month.period)) {
    latest->month = *month;
    latest->month.statement = NULL; /* valid only during the visit */
    latest->found = true;
  }
  return COOP_OK;
}

static void home(web_request *request)
{
  latest_month latest = {0};
  coop_err err = node_member_months(request->node, own_member(request), take_latest, &latest);
  web_page_begin(request, web_say(request, "Mijn overzicht", "My overview"));
  if (latest.name[0])
    web_html(request, "<p>%t %s.</p>", web_say(request, "Welkom,", "Welcome,"), latest.name);
  if (latest.found) {
    const ledger_offset_statement *f = &latest.month.figures;
    web_html(request, "<h2>%p</h2><div class=\"cards\">"
                      "<div class=\"card\">%t<div class=\"big\">%m</div></div>"
                      "<div class=\"card\">%t<div class=\"big\">%m</div></div>"
                      "<div class=\"card\">%t<div class=\"big\">%m</div></div></div>",
             latest.month.period, web_say(request, "Uw uitkering (indicatief)", "Your benefit (indicative)"),
             f->benefit_cents, web_say(request, "Vrijgelaten: u houdt het", "Disregarded: you keep it"),
             f->disregard_cents, web_say(request, "Naar uw ontwikkelbudget", "To your development budget"),
             f->to_budget_cents);
    web_html(request, "<p><a href=\"/statement?p=%u\">%t</a></p>", (unsigned)latest.month.period,
             web_say(request, "Bekijk de hele verrekening", "See the whole statement"));
  } else if (!err) {
    web_html(request, "<p>%t</p>", web_say(request, "Er is nog geen verrekening voor u.",
                                           "There is no statement for you yet."));
  }
  if (err)
    web_html(request, "<p class=\"error\">%s</p>", coop_err_message(err));
  uint32_t year = latest.found ? latest.month.period / 100 : node_today() / 10000;
  web_html(request, "<h2>%t %u</h2>", web_say(request, "Dit jaar", "This year"), (unsigned)year);
  web_member_year(request, own_member(request), year);
  web_page_end(request);
}

static uint32_t asked_period(web_request *request)
{
  const char *text = web_query(request, "p");
  if (text && strlen(text) == 6)
    return (uint32_t)strtoul(text, NULL, 10);
  return web_parse_period(text);
}

static void statement_page(web_request *request)
{
  uint32_t period = asked_period(request);
  web_page_begin(request, web_say(request, "Verrekening", "Statement"));
  web_statement_section(request, own_member(request), period);
  web_html(request, "<p><a href=\"/receipt?p=%u\">%t</a></p><p><a href=\"/\">%t</a></p>",
           (unsigned)period,
           web_say(request, "Download het bewijs (receipt) van deze maand",
                   "Download this month's receipt"),
           web_say(request, "Terug naar mijn overzicht", "Back to my overview"));
  web_page_end(request);
}

static void receipt(web_request *request)
{
  uint32_t period = asked_period(request);
  char message[NODE_MESSAGE_BYTES] = "";
  ledger_receipt *built = sodium_malloc(sizeof *built);
  coop_err err = built ? node_receipt_build(request->node, own_member(request), period, built,
                                            message)
                       : COOP_E_NOMEM;
  char *text = NULL;
  if (!err)
    err = ledger_receipt_write_json(built, &text);
  if (built)
    sodium_free(built);
  if (err) {
    free(text);
    return web_error_page(request, 404, message[0] ? message : coop_err_message(err));
  }
  request->content_type = "application/json";
  snprintf(request->download, sizeof request->download, "receipt-%04u-%02u.json",
           (unsigned)(period / 100), (unsigned)(period % 100));
  if (coop_buf_append_text(&request->body, text))
    request->status = 500;
  free(text);
}

web_handler web_pages_member(const char *path)
{
  if (!strcmp(path, "/"))
    return home;
  if (!strcmp(path, "/statement"))
    return statement_page;
  if (!strcmp(path, "/receipt"))
    return receipt;
  return NULL;
}
