/* The coop administrator's pages for a member's data under the AVG:
 * retention (who may be erased now) and erasing one member, with the same
 * node/ functions and messages as 'coop retention' and 'coop member erase'. */
#include <stdio.h>
#include <string.h>

#include "node/books.h"
#include "node/erase.h"
#include "web/web_int.h"

static void retention_row_html(web_request *request, const node_retention_row *row)
{
  web_html(request, "<tr><td><a href=\"/member?id=%s\">%s</a></td><td>%s</td><td>%p</td>"
                    "<td>%u-%02u-%02u</td><td>",
           row->member_id, row->name, row->member_id, row->left_period,
           row->retention_until / 10000u, row->retention_until / 100u % 100u,
           row->retention_until % 100u);
  if (row->due)
    web_html(request, "<a href=\"/member/erase?id=%s\">%t</a>", row->member_id,
             web_say(request, "verlopen: wissen", "ended: erase"));
  else
    web_html(request, "%t", web_say(request, "loopt nog", "still running"));
  web_html(request, "</td></tr>");
}

static coop_err retention_row(void *context, const node_retention_row *row)
{
  web_rows *rows = context;
  rows->count++;
  retention_row_html(rows->request, row);
  return COOP_OK;
}

/* GET /retention: every member who left and the day her data may go. */
static void retention(web_request *request)
{
  web_page_begin(request, web_say(request, "Bewaartermijnen", "Retention"));
  web_html(request, "<p>%t %d %t</p>",
           web_say(request, "Gegevens van een lid blijven bewaard tot 1 januari van het jaar na "
                            "haar vertrek plus", "A member's data is kept until 1 January of the "
                            "year after she left plus"),
           request->node->retention_years,
           web_say(request, "jaar (art. 52 AWR); daarna moeten ze weg (AVG art. 17).",
                   "years (art. 52 AWR); then it must go (AVG art. 17)."));
  web_html(request, "<table><thead><tr><th>%t</th><th>%t</th><th>%t</th><th>%t</th><th>%t</th>"
                    "</tr></thead><tbody>",
           web_say(request, "Naam", "Name"), web_say(request, "Lidnummer", "Member id"),
           web_say(request, "Vertrokken", "Left"), web_say(request, "Bewaren tot", "Kept until"),
           web_say(request, "Termijn", "Period"));
  web_rows rows = {.request = request};
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_retention_list(request->node, retention_row, &rows, message);
  web_html(request, "</tbody></table>");
  if (err)
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", message);
  else if (!rows.count)
    web_html(request, "<p>%t</p>", web_say(request, "Niemand is vertrokken.", "Nobody has left."));
  web_page_end(request);
}

static void erase_form(web_request *request, const ledger_member_row *row)
{
  web_html(request, "<p>%t</p><p>%t</p>",
           web_say(request, "Wissen vernietigt de sleutels van haar gegevens en verwijdert ze op "
                            "elke node die ze heeft (deze, de gemeente, haar eigen node). "
                            "Bedragen blijven in de boeken als 'gewist lid'; alle bewijzen "
                            "blijven geldig. Dit kan niet ongedaan worden.",
                   "Erasing destroys the keys of her data and removes it from every node that "
                   "holds it (this one, the municipality, her own node). Amounts stay in the "
                   "books as 'erased member'; every proof stays valid. This cannot be undone."),
           web_say(request, "De reden is zichtbaar voor elke node die het logboek heeft: noem "
                            "geen persoonsgegevens.",
                   "The reason is visible to every node that holds the log: no personal data."));
  web_html(request, "<form method=\"post\" action=\"/member/erase\" class=\"form\">");
  web_csrf_field(request);
  web_html(request, "<input type=\"hidden\" name=\"id\" value=\"%s\"><label for=\"reason\">%t"
                    "</label><input id=\"reason\" name=\"reason\" required maxlength=\"200\" "
                    "placeholder=\"verzoek art. 17 AVG\"><label><input type=\"checkbox\" "
                    "name=\"before_retention\" value=\"1\"> %t</label><label><input "
                    "type=\"checkbox\" name=\"sure\" value=\"1\" required> %t</label>"
                    "<button type=\"submit\" class=\"danger\">%t</button></form>",
           row->member_id, web_say(request, "Reden", "Reason"),
           web_say(request, "Voor het einde van de bewaartermijn (uitspraak rechter, "
                            "inschrijving in fout)",
                   "Before her retention ends (court order, mistaken enrolment)"),
           web_say(request, "Ik begrijp dat dit niet ongedaan kan worden",
                   "I understand this cannot be undone"),
           web_say(request, "Gegevens wissen", "Erase her data"));
}

static void erase_done(web_request *request, const char *member_id, const node_erase_result *result)
{
  web_event(request, "erased %s (erasure entry %llu)", member_id,
            (unsigned long long)result->erasure_index);
  web_html(request, "<p class=\"ok\" role=\"status\">%t %s %t %u %t</p>",
           web_say(request, "Gewist:", "Erased:"), member_id,
           web_say(request, "— haar bedragen staan nu in", "— her amounts are now in"),
           result->day_records,
           web_say(request, "boeking(en) 'gewist lid'.", "'erased member' record(s)."));
}

/* GET: the form; POST: node_member_erase. */
static void member_erase(web_request *request)
{
  bool post = !strcmp(request->method, "POST");
  const char *id = post ? web_field_value(request, "id") : web_query(request, "id");
  ledger_member_row row;
  char message[NODE_MESSAGE_BYTES] = "";
  if (node_books_ready(request->node, message) ||
      node_member_find(request->node, id ? id : "", &row, message))
    return web_error_page_node(request, 404, "Dit lid is niet gevonden.", message);
  web_page_begin(request, row.name);
  if (!post) {
    erase_form(request, &row);
    return web_page_end(request);
  }
  const char *before = web_field_value(request, "before_retention");
  const char *sure = web_field_value(request, "sure");
  node_erase_request erase = {.member_id = row.member_id,
                              .reason = web_field_value(request, "reason"),
                              .before_retention = before && !strcmp(before, "1")};
  node_erase_result result;
  coop_err err = sure && !strcmp(sure, "1")
                     ? node_member_erase(request->node, &erase, &result, message)
                     : (snprintf(message, sizeof message, "%s",
                                 web_say(request, "Bevestig dat dit niet ongedaan kan worden.",
                                         "Confirm that this cannot be undone.")),
                        COOP_E_BAD_INPUT);
  if (err) {
    request->status = 422;
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", message);
    erase_form(request, &row);
  } else {
    erase_done(request, row.member_id, &result);
    web_html(request, "<p><a href=\"/members\">%t</a></p>",
             web_say(request, "Naar de leden", "To the members"));
  }
  web_page_end(request);
}

web_handler web_pages_erase(const char *path)
{
  if (!strcmp(path, "/retention"))
    return retention;
  if (!strcmp(path, "/member/erase"))
    return member_erase;
  return NULL;
}
