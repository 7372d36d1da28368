/* The municipality officer's pages: the audit report per month (with a
 * CSV for the benefits system), a resident's months, the rule sets in
 * force explained field by field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "node/audit.h"
#include "node/books.h"
#include "node/year_statement.h"
#include "web/web_int.h"

#define STATUS_COUNT 7

/* ?p=: the month asked for, by default the month being audited; 0 when p
 * is given but not a month (the page says so rather than show another). */
static uint32_t asked_period(web_request *request)
{
  const char *text = web_query(request, "p");
  if (!text || !text[0])
    return web_last_month();
  return web_parse_period(text);
}

static void not_a_month(web_request *request)
{
  web_error_page(request, 400, web_say(request, "Geen maand (JJJJ-MM).", "Not a month (YYYY-MM)."));
}

typedef struct report_rows {
  web_request *request;
  bool csv;
  size_t counts[STATUS_COUNT];
  size_t count;
} report_rows;

/* CSV cells: quoted, quotes doubled; a leading =+-@ gets a quote so a
 * spreadsheet does not run it as a formula. */
static void csv_cell(web_request *request, const char *text, bool last)
{
  coop_buf *body = &request->body;
  coop_err err = coop_buf_append_text(body, "\"");
  if (!err && text[0] && strchr("=+-@", text[0]))
    err = coop_buf_append_text(body, "'");
  for (const char *c = text; !err && *c; c++)
    err = coop_buf_append(body, *c == '"' ? "\"\"" : c, *c == '"' ? 2 : 1);
  if (!err)
    err = coop_buf_append_text(body, last ? "\"\r\n" : "\",");
  if (err)
    request->status = 500;
}

static coop_err report_row(void *context, const node_audit_row *row)
{
  report_rows *rows = context;
  web_request *request = rows->request;
  if (row->status > 0 && row->status < STATUS_COUNT)
    rows->counts[row->status]++;
  bool figures = row->has_statement;
  if (rows->csv) {
    char to_municipality[32] = "", benefit[32] = "", coop_log[65];
    if (figures) {
      snprintf(to_municipality, sizeof to_municipality, "%lld",
               (long long)row->figures.to_municipality_cents);
      snprintf(benefit, sizeof benefit, "%lld", (long long)row->figures.benefit_cents);
    }
    ledger_hex_encode(row->coop_log, LEDGER_LOG_ID_BYTES, coop_log);
    csv_cell(request, row->coop_name, false);
    csv_cell(request, coop_log, false);
    csv_cell(request, row->client_ref, false);
    csv_cell(request, row->name, false);
    csv_cell(request, node_audit_status_name(row->status), false);
    csv_cell(request, to_municipality, false);
    csv_cell(request, benefit, true);
    return COOP_OK;
  }
  if (!rows->count++)
    WEB_TABLE_HEAD(request, NULL, {"Inwoner", "Resident", false},
                   {"Klantnummer", "Client ref", false}, {"Coöperatie", "Coop", false},
                   {"Status", "Status", false}, {"Naar gemeente", "To municipality", true},
                   {"Indicatieve uitkering", "Indicative benefit", true});
  char coop_log[65];
  ledger_hex_encode(row->coop_log, LEDGER_LOG_ID_BYTES, coop_log);
  web_html(request, "<tr><td><a href=\"/resident?coop=%s&amp;id=%s\">%s</a></td><td>%s</td>"
                    "<td>%s</td><td>",
           coop_log, row->member_id, row->name, row->client_ref, row->coop_name);
  web_status_label(request, row->status);
  if (figures)
    web_html(request, "</td><td class=\"amount\">%m</td><td class=\"amount\">%m</td></tr>",
             row->figures.to_municipality_cents, row->figures.benefit_cents);
  else
    web_html(request, "</td><td></td><td></td></tr>");
  return COOP_OK;
}

static void report(web_request *request)
{
  uint32_t period = asked_period(request);
  if (!period)
    return not_a_month(request);
  char message[NODE_MESSAGE_BYTES] = "";
  report_rows rows = {.request = request};
  coop_buf table;
  web_page_begin(request, web_say(request, "Controle van de verrekeningen", "Audit of the statements"));
  web_html(request, "<form method=\"get\" action=\"/\" class=\"form\"><label for=\"p\">%t</label>"
                    "<input id=\"p\" name=\"p\" type=\"month\" value=\"%y\">"
                    "<button type=\"submit\">%t</button></form><h2>%p</h2>",
           web_say(request, "Maand", "Month"), period,
           web_say(request, "Tonen", "Show"), period);
  /* The counts come first on the page but are known after the rows: the
   * rows are written aside and put after them. */
  coop_buf page = request->body;
  coop_buf_init(&request->body, WEB_BODY_MAX);
  coop_err err = node_audit_report(request->node, period, report_row, &rows, message);
  if (rows.count)
    web_html(request, "</tbody></table>");
  table = request->body;
  request->body = page;
  if (err) {
    web_html(request, "<p class=\"error\">%s</p>", message);
  } else {
    web_html(request, "<div class=\"cards\">");
    static const int order[] = {NODE_AUDIT_ACKNOWLEDGED, NODE_AUDIT_DISPUTED, NODE_AUDIT_PENDING,
                                NODE_AUDIT_MISSING, NODE_AUDIT_OPEN, NODE_AUDIT_REISSUE_DUE};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
      web_html(request, "<div class=\"card\">");
      web_status_label(request, order[i]);
      web_html(request, "<div class=\"big\">%u</div></div>", (unsigned)rows.counts[order[i]]);
    }
    web_html(request, "</div>");
  }
  if (coop_buf_append(&request->body, table.data, table.len))
    request->status = 500;
  coop_buf_release(&table);
  if (!rows.count && !err)
    web_html(request, "<p>%t</p>", web_say(request, "Geen inwoners met inkomsten of verrekeningen "
                                                    "in deze maand.",
                                           "No residents with income or statements this month."));
  web_html(request, "<p><a href=\"/report.csv?p=%y\">%t</a></p>", period, web_say(request, "Download als CSV", "Download as CSV"));
  web_html(request, "<p><a href=\"/year?y=%u\">%t %u</a></p>", (unsigned)(period / 100),
           web_say(request, "Jaaroverzicht", "Year overview"), (unsigned)(period / 100));
  web_page_end(request);
}

static void report_csv(web_request *request)
{
  uint32_t period = asked_period(request);
  if (!period)
    return not_a_month(request);
  char message[NODE_MESSAGE_BYTES] = "";
  report_rows rows = {.request = request, .csv = true};
  request->content_type = "text/csv; charset=utf-8";
  snprintf(request->download, sizeof request->download, "controle-%04u-%02u.csv",
           (unsigned)(period / 100), (unsigned)(period % 100));
  if (coop_buf_append_text(&request->body, "coop,coop_log,client_ref,name,status,"
                                           "to_municipality_cents,benefit_cents\r\n") ||
      node_audit_report(request->node, period, report_row, &rows, message)) {
    request->content_type = "text/html; charset=utf-8";
    request->download[0] = 0;
    web_error_page_node(request, 500, "Het overzicht kon niet worden gemaakt.", message);
  }
}

/* Whom the resident page is about: her name, client ref and coop, from the
 * last month read (a later name replaces an earlier one). */
static coop_err resident_name(void *context, const node_member_month *month)
{
  node_member_month *named = context;
  memcpy(named->name, month->name, sizeof named->name);
  memcpy(named->client_ref, month->client_ref, sizeof named->client_ref);
  memcpy(named->coop_name, month->coop_name, sizeof named->coop_name);
  return COOP_OK;
}

static void resident(web_request *request)
{
  const char *id = web_query(request, "id");
  uint32_t year = node_today() / 10000;
  const char *year_text = web_query(request, "year");
  if (year_text && strlen(year_text) == 4)
    year = (uint32_t)strtoul(year_text, NULL, 10);
  if (!id || strlen(id) != LEDGER_MEMBER_ID_CHARS)
    return web_error_page(request, 404, web_say(request, "Onbekende inwoner.", "Unknown resident."));
  web_page_begin(request, web_say(request, "Inwoner", "Resident"));
  /* People see names, not keys: say whom the months are of. */
  node_member_month *named = coop_calloc(1, sizeof *named);
  if (named && !node_member_months(request->node, id, resident_name, named) && named->name[0])
    web_html(request, "<p>%s (%s), %t %s · %s</p>", named->name, id,
             web_say(request, "klantnummer", "client ref"), named->client_ref, named->coop_name);
  coop_free(named);
  web_html(request, "<h2>%u</h2>", (unsigned)year);
  web_member_year(request, id, year);
  web_page_end(request);
}

static void statement_page(web_request *request)
{
  const char *id = web_query(request, "id");
  uint32_t period = web_parse_period(web_query(request, "p"));
  web_page_begin(request, web_say(request, "Verrekening", "Statement"));
  web_statement_section(request, id ? id : "", period);
  web_page_end(request);
}

/* ---- the year overview ------------------------------------------------------------------------ */

static void year_overview_total(web_request *request, const char *label,
                                const ledger_offset_statement *total)
{
  web_html(request, "<tr class=\"total\"><th scope=\"row\" colspan=\"4\">%s</th>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td></tr>",
           label, total->counted_income_cents, total->offset_cents, total->benefit_cents,
           total->to_municipality_cents);
}

static void year_overview_row(web_request *request, const node_audit_year_row *row)
{
  web_html(request, "<tr><td>%s</td><td>%s</td><td>%y</td><td>", row->month.name,
           row->month.client_ref, row->period);
  web_status_label(request, row->month.status);
  if (row->month.has_statement)
    web_html(request, "</td><td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                      "<td class=\"amount\">%m</td><td class=\"amount\">%m</td></tr>",
             row->figures.counted_income_cents, row->figures.offset_cents,
             row->figures.benefit_cents, row->figures.to_municipality_cents);
  else
    web_html(request, "</td><td colspan=\"4\"></td></tr>");
}

/* /year?y=YYYY: every resident's months of the year, each resident's total
 * and all residents' (node_audit_year_build, as 'coop audit report --year'). */
static void year_overview(web_request *request)
{
  const char *text = web_query(request, "y");
  uint32_t year = web_last_month() / 100;
  if (text && (strlen(text) != 4 || (year = (uint32_t)strtoul(text, NULL, 10)) < 1900))
    return web_error_page(request, 400, web_say(request, "Geen jaar (JJJJ).", "Not a year (YYYY)."));
  node_audit_year overview;
  char message[NODE_MESSAGE_BYTES] = "";
  if (node_audit_year_build(request->node, year, &overview, message))
    return web_error_page_node(request, 404, "Geen jaaroverzicht van dit jaar", message);
  web_page_begin(request, web_say(request, "Jaaroverzicht", "Year overview"));
  web_html(request, "<h2>%t %u</h2><p class=\"note\">%t</p>",
           web_say(request, "Jaaroverzicht", "Year overview"), (unsigned)year,
           web_say(request, "Wat er binnenkwam: een maand die de coöperatie nog niet afsloot "
                            "staat als open. Bij een betwiste maand staan uw eigen bedragen.",
                   "What arrived: a month the coop has not closed shows as open. A disputed "
                   "month shows your own figures."));
  WEB_TABLE_HEAD(request, "year-overview", {"Inwoner", "Resident", false},
                 {"Klantnummer", "Client ref", false}, {"Maand", "Month", false},
                 {"Status", "Status", false}, {"Getelde inkomsten", "Counted income", true},
                 {"Verrekening", "Offset", true}, {"Indicatieve uitkering", "Indicative benefit", true},
                 {"Naar gemeente", "To municipality", true});
  ledger_offset_statement all, resident;
  memset(&all, 0, sizeof all);
  memset(&resident, 0, sizeof resident);
  for (size_t i = 0; i < overview.row_count; i++) {
    const node_audit_year_row *row = &overview.rows[i];
    year_overview_row(request, row);
    node_audit_year_add(&resident, row);
    node_audit_year_add(&all, row);
    if (i + 1 == overview.row_count || !node_audit_year_same_resident(row, row + 1)) {
      year_overview_total(request, row->month.name, &resident);
      memset(&resident, 0, sizeof resident);
    }
  }
  year_overview_total(request, web_say(request, "Alle inwoners", "All residents"), &all);
  web_html(request, "</tbody></table>");
  node_audit_year_free(&overview);
  web_page_end(request);
}

web_handler web_pages_municipality(const char *path)
{
  if (!strcmp(path, "/year"))
    return year_overview;
  if (!strcmp(path, "/"))
    return report;
  if (!strcmp(path, "/report.csv"))
    return report_csv;
  if (!strcmp(path, "/resident"))
    return resident;
  if (!strcmp(path, "/statement"))
    return statement_page;
  if (!strcmp(path, "/rules"))
    return web_rules_page;
  if (!strcmp(path, "/rules/new"))
    return web_rules_form;
  return NULL;
}
