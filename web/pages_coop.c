/* The coop administrator's pages: the open month, members, recording, the
 * month close with its preview, disputes.  Every change calls the same
 * node/ function as the CLI, with the same checks and messages. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/books/books.h"
#include "ledger/books/money.h"
#include "node/audit.h"
#include "node/books.h"
#include "node/export.h"
#include "node/import.h"
#include "node/wording.h"
#include "web/web_int.h"

/* ---- overview ------------------------------------------------------------------ */

static coop_err count_member(void *context, const ledger_member_row *row)
{
  (void)row;
  ++*(size_t *)context;
  return COOP_OK;
}

static coop_err count_open_dispute(void *context, const node_dispute_row *row)
{
  if (row->open)
    ++*(size_t *)context;
  return COOP_OK;
}

/* The month to close next: after the last closed one, else the first. */
static uint32_t open_month(const node_months *months)
{
  if (months->last_closed)
    return node_month_next(months->last_closed);
  return months->first ? months->first : months->now;
}

static void overview(web_request *request)
{
  char message[NODE_MESSAGE_BYTES];
  node_months months;
  size_t members = 0, disputes = 0;
  coop_err err = node_books_ready(request->node, message);
  if (!err)
    err = node_months_read(request->node, &months, message);
  if (!err)
    err = node_members(request->node, NULL, count_member, &members);
  if (!err)
    err = node_disputes(request->node, count_open_dispute, &disputes);
  if (err)
    return web_error_page_node(request, 500, WEB_COULD_NOT_READ, message);
  uint32_t month = open_month(&months);
  web_page_begin(request, web_say(request, "Overzicht", "Overview"));
  web_html(request, "<div class=\"cards\"><div class=\"card\">%t<div class=\"big\">%p</div></div>"
                    "<div class=\"card\">%t<div class=\"big\"><a href=\"/members\">%u</a></div></div>"
                    "<div class=\"card\">%t<div class=\"big\"><a href=\"/disputes\">%u</a></div></div>"
                    "</div>",
           web_say(request, "Open maand", "Open month"), month,
           web_say(request, "Leden", "Members"), (unsigned)members,
           web_say(request, "Open geschillen", "Open disputes"), (unsigned)disputes);
  web_html(request, "<h2>%t</h2>", web_say(request, "Kan de maand dicht?", "Can the month close?"));
  if (node_close_check(&months, month, 0, message))
    web_html(request, "<p>%t</p><p class=\"note\">%s</p>",
             web_say(request, "Nog niet:", "Not yet:"), message);
  else
    web_html(request, "<p>%t <a href=\"/close?p=%u\">%t</a></p>",
             web_say(request, "De maand is voorbij.", "The month has ended."), (unsigned)month,
             web_say(request, "Bekijk eerst wat de afsluiting oplevert.",
                     "See first what the close will produce."));
  if (disputes)
    web_html(request, "<p class=\"error\">%t <a href=\"/disputes\">%t</a></p>",
             web_say(request, "De gemeente heeft verrekeningen betwist.",
                     "The municipality disputed statements."),
             web_say(request, "Naar de geschillen", "To the disputes"));
  web_page_end(request);
}

/* ---- members --------------------------------------------------------------------- */

static coop_err member_line(void *context, const ledger_member_row *row)
{
  web_rows *table = context;
  web_request *request = table->request;
  if (!table->count++)
    WEB_TABLE_HEAD(request, NULL, {"Naam", "Name", false}, {"Klantnummer", "Client ref", false},
                   {"Gemeente", "Municipality", false}, {"Lidnummer", "Member id", false});
  char party[NODE_PARTY_TEXT_BYTES];
  node_party_text(request->node, row->municipality, party);
  web_html(request, "<tr><td><a href=\"/member?id=%s\">%s</a></td><td>%s</td><td>%s</td>"
                    "<td>%s</td></tr>",
           row->member_id, row->name, row->client_ref, party, row->member_id);
  return COOP_OK;
}

static void members(web_request *request)
{
  const char *search = web_query(request, "q");
  char message[NODE_MESSAGE_BYTES];
  if (node_books_ready(request->node, message))
    return web_error_page_node(request, 500, WEB_COULD_NOT_READ, message);
  web_page_begin(request, web_say(request, "Leden", "Members"));
  web_html(request, "<form method=\"get\" action=\"/members\" role=\"search\" class=\"form\">"
                    "<label for=\"q\">%t</label><input id=\"q\" name=\"q\" value=\"%s\">"
                    "<button type=\"submit\">%t</button></form>"
                    "<p><a href=\"/members/new\">%t</a></p>",
           web_say(request, "Zoek op naam of klantnummer", "Search by name or client ref"),
           search ? search : "", web_say(request, "Zoeken", "Search"),
           web_say(request, "Lid toevoegen", "Add a member"));
  web_rows table = {request, 0};
  coop_err err = node_members(request->node, search, member_line, &table);
  if (table.count)
    web_html(request, "</tbody></table><p class=\"note\">%u %t</p>", (unsigned)table.count,
             web_say(request, "leden", "members"));
  else
    web_html(request, "<p>%t</p>", err ? coop_err_message(err)
                                      : web_say(request, "Geen leden gevonden.", "No members found."));
  web_page_end(request);
}

static void municipality_options(web_request *request, const char *chosen)
{
  const node *self = request->node;
  for (size_t i = 0; i < self->peer_count; i++)
    if (self->peers[i].role == LEDGER_ROLE_MUNICIPALITY)
      web_html(request, "<option value=\"%s\"%t>%s</option>", self->peers[i].name,
               chosen && !strcmp(chosen, self->peers[i].name) ? " selected" : "",
               self->peers[i].name);
}

static void member_form(web_request *request, const char *error)
{
  const char *name = web_field_value(request, "name");
  const char *ref = web_field_value(request, "client_ref");
  const char *birth = web_field_value(request, "birth");
  web_page_begin(request, web_say(request, "Lid toevoegen", "Add a member"));
  if (error)
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", error);
  web_html(request, "<form method=\"post\" action=\"/members/new\" class=\"form\">");
  web_csrf_field(request);
  web_html(request,
           "<label for=\"name\">%t</label><input id=\"name\" name=\"name\" required value=\"%s\">"
           "<label for=\"municipality\">%t</label><select id=\"municipality\" name=\"municipality\">",
           web_say(request, "Naam", "Name"), name ? name : "",
           web_say(request, "Gemeente", "Municipality"));
  municipality_options(request, web_field_value(request, "municipality"));
  web_html(request,
           "</select><label for=\"client_ref\">%t</label><input id=\"client_ref\" name=\"client_ref\""
           " required value=\"%s\"><label><input type=\"checkbox\" name=\"not_a_bsn\" value=\"1\"> %t"
           "</label><label for=\"birth\">%t</label><input id=\"birth\" name=\"birth\" type=\"month\""
           " placeholder=\"1990-05\" value=\"%s\"><button type=\"submit\">%t</button></form>",
           web_say(request, "Klantnummer bij de gemeente (nooit een BSN)",
                   "Client ref at the municipality (never a BSN)"),
           ref ? ref : "",
           web_say(request, "Dit klantnummer van 9 cijfers is geen BSN",
                   "This 9-digit client ref is not a BSN"),
           web_say(request, "Geboortemaand (JJJJ-MM)", "Birth month (YYYY-MM)"), birth ? birth : "",
           web_say(request, "Toevoegen", "Add"));
  web_page_end(request);
}

static void member_new(web_request *request)
{
  if (!strcmp(request->method, "GET"))
    return member_form(request, NULL);
  node_member_request add = {.name = web_field_value(request, "name"),
                             .client_ref = web_field_value(request, "client_ref"),
                             .client_ref_is_not_a_bsn = web_field_value(request, "not_a_bsn") != NULL,
                             .from_period = node_today() / 100};
  const char *birth = web_field_value(request, "birth");
  char message[NODE_MESSAGE_BYTES], member_id[LEDGER_MEMBER_ID_CHARS + 1];
  coop_err err = COOP_OK;
  if (!add.name || !add.name[0] || !add.client_ref || !add.client_ref[0])
    err = COOP_E_BAD_INPUT, snprintf(message, sizeof message, "%s",
                                     web_say(request, "Naam en klantnummer zijn nodig.",
                                             "A name and a client ref are needed."));
  else if (birth && birth[0] && !(add.birth_period = web_parse_period(birth)))
    err = COOP_E_BAD_INPUT, snprintf(message, sizeof message, "'%s': %s", birth,
                                     web_say(request, "geen maand (JJJJ-MM)", "not a month (YYYY-MM)"));
  if (add.birth_period > add.from_period)
    add.from_period = add.birth_period;
  const char *municipality = web_field_value(request, "municipality");
  if (!err)
    err = node_municipality_key(request->node, municipality ? municipality : "", add.municipality,
                                message);
  if (!err)
    err = node_member_add(request->node, &add, member_id, message);
  if (err) {
    request->status = 422;
    return member_form(request, message);
  }
  web_event(request, "member %s added", member_id);
  char location[64];
  snprintf(location, sizeof location, "/member?id=%s", member_id);
  web_redirect(request, location);
}

/* Finds the member a page is about (?id=, or a form's id): answers 404 and
 * returns false when there is none. */
static bool page_member(web_request *request, const char *id, ledger_member_row *row)
{
  char message[NODE_MESSAGE_BYTES];
  if (node_books_ready(request->node, message)) {
    web_error_page_node(request, 500, WEB_COULD_NOT_READ, message);
    return false;
  }
  if (node_member_find(request->node, id ? id : "", row, message)) {
    /* The node's words are precise (two members of one name are named). */
    web_error_page_node(request, 404, node_form_error_dutch(NODE_FORM_MEMBER), message);
    return false;
  }
  return true;
}

static const struct record_kind {
  uint8_t type;
  const char *dutch, *english;
} record_kinds[] = {
    {LEDGER_RECORD_REVENUE, "omzet (ontvangen)", "revenue (received)"},
    {LEDGER_RECORD_COST, "kosten (betaald)", "cost (paid)"},
    {LEDGER_RECORD_ALLOWANCE, "vrijwilligersvergoeding", "volunteer allowance"},
    {LEDGER_RECORD_SPEND, "uitgave uit ontwikkelbudget", "development-budget spending"},
    {LEDGER_RECORD_OTHER_INCOME, "andere inkomsten (memo)", "other income (memo)"},
    {LEDGER_RECORD_HOURS, "gewerkte uren (memo)", "hours worked (memo)"},
    {LEDGER_RECORD_REMITTANCE, "betaald aan de gemeente", "paid to the municipality"},
    {LEDGER_RECORD_COOP_COST, "kosten van de coöperatie (geen lid)", "coop's own cost (no member)"},
    {LEDGER_RECORD_OPENING, "beginsaldo bank (geen lid)", "opening bank balance (no member)"},
};

/* A record's kind in the page's language. */
static const char *kind_name(const web_request *request, uint8_t type)
{
  for (size_t i = 0; i < sizeof record_kinds / sizeof record_kinds[0]; i++)
    if (record_kinds[i].type == type)
      return web_say(request, record_kinds[i].dutch, record_kinds[i].english);
  return type == LEDGER_RECORD_CORRECTION ? web_say(request, "correctie", "correction")
                                          : ledger_record_type_name(type);
}

/* ---- a member's records, with corrections, and her facts ---------------------------- */

static coop_err record_line(void *context, uint64_t index, const ledger_record *record,
                            uint64_t corrected_by)
{
  web_rows *rows = context;
  web_request *request = rows->request;
  if (record->type == LEDGER_RECORD_PROFIT_SPLIT)
    return COOP_OK; /* the close's own booking: shown in the year table */
  if (!rows->count++)
    WEB_TABLE_HEAD(request, "records", {"Datum", "Date", false}, {"Soort", "Kind", false},
                   {"Bedrag", "Amount", true}, {"Notitie", "Note", false}, {"Entry", "Entry", false});
  char date[16];
  snprintf(date, sizeof date, "%04u-%02u-%02u", (unsigned)(record->date / 10000),
           (unsigned)(record->date / 100 % 100), (unsigned)(record->date % 100));
  int64_t amount = node_record_amount(record);
  bool hours = record->type == LEDGER_RECORD_HOURS ||
               (record->type == LEDGER_RECORD_CORRECTION && record->memo_type == LEDGER_RECORD_HOURS);
  web_html(request, "<tr><td>%s</td><td>%t</td><td class=\"amount\">", date,
           kind_name(request, record->type));
  if (hours)
    web_html(request, "%j,%u%u %t", amount / 100, (unsigned)(amount % 100 / 10),
             (unsigned)(amount % 10), web_say(request, "uur", "hours"));
  else
    web_html(request, "%m", amount);
  web_html(request, "</td><td>%s</td><td>%j", record->note, (int64_t)index);
  if (record->corrects)
    web_html(request, " (%t %j)", web_say(request, "corrigeert", "corrects"),
             (int64_t)(record->corrects - 1));
  if (corrected_by) {
    web_html(request, " — %t %j", web_say(request, "gecorrigeerd door", "corrected by"),
             (int64_t)(corrected_by - 1));
  } else if (record->type != LEDGER_RECORD_CORRECTION) {
    web_html(request, "<form method=\"post\" action=\"/correct\" class=\"inline\">");
    web_csrf_field(request);
    web_html(request, "<input type=\"hidden\" name=\"entry\" value=\"%j\"><label>%t "
                      "<input name=\"reason\" required></label> <label><input type=\"checkbox\" "
                      "name=\"in_open_month\"> %t</label> <button type=\"submit\">%t</button></form>",
             (int64_t)index, web_say(request, "Reden", "Reason"),
             web_say(request, "tellen in de open maand", "count in the open month"),
             web_say(request, "Corrigeren", "Correct"));
  }
  web_html(request, "</td></tr>");
  return COOP_OK;
}

static void member_records(web_request *request, const char *member_id, uint32_t year)
{
  web_rows rows = {request, 0};
  web_html(request, "<h2>%t %u</h2>", web_say(request, "Boekingen", "Records"), (unsigned)year);
  coop_err err = node_member_records(request->node, member_id, year * 10000 + 101,
                                     year * 10000 + 1231, record_line, &rows);
  if (rows.count)
    web_html(request, "</tbody></table><p class=\"note\">%t</p>",
             web_say(request, "Een correctie draait een boeking terug, in de maand waar die "
                              "boeking in telt; een afgesloten maand wordt bij de volgende "
                              "afsluiting herberekend.",
                     "A correction reverses a record in the month that record counts in; a "
                     "closed month is reissued at the next close."));
  else
    web_html(request, "<p>%t</p>", err ? coop_err_message(err)
                                      : web_say(request, "Geen boekingen in dit jaar.",
                                                "No records in this year."));
}

static const struct fact_kind {
  uint8_t field;
  const char *name, *dutch, *english;
} fact_kinds[] = {
    {LEDGER_MEMBER_N_APPROVED, "n-approved", "inkomstenvrijlating (n) toegekend", "disregard n approved"},
    {LEDGER_MEMBER_MEDICAL_LIMIT, "medical-limit", "medische urenbeperking", "medically limited hours"},
    {LEDGER_MEMBER_SINGLE_PARENT, "single-parent", "alleenstaande ouder, kind onder 12", "single parent, child under 12"},
    {LEDGER_MEMBER_LEFT, "left", "uit de coöperatie vertrokken", "left the coop"},
};

static void member_facts_form(web_request *request, const char *member_id)
{
  web_html(request, "<h2>%t</h2><form method=\"post\" action=\"/member/fact\" class=\"form\">",
           web_say(request, "Een feit vastleggen", "Record a fact"));
  web_csrf_field(request);
  web_html(request, "<input type=\"hidden\" name=\"id\" value=\"%s\"><label for=\"field\">%t</label>"
                    "<select id=\"field\" name=\"field\">",
           member_id, web_say(request, "Wat", "What"));
  for (size_t i = 0; i < sizeof fact_kinds / sizeof fact_kinds[0]; i++)
    web_html(request, "<option value=\"%s\">%t</option>", fact_kinds[i].name,
             web_say(request, fact_kinds[i].dutch, fact_kinds[i].english));
  web_html(request, "</select><label for=\"value\">%t</label><select id=\"value\" name=\"value\">"
                    "<option value=\"yes\">%t</option><option value=\"no\">%t</option></select>"
                    "<label for=\"from\">%t</label><input id=\"from\" name=\"from\" required "
                    "placeholder=\"2026-04\"><label><input type=\"checkbox\" name=\"retroactive\" "
                    "value=\"1\"> %t</label><button type=\"submit\">%t</button></form>",
           web_say(request, "Waarde", "Value"), web_say(request, "ja", "yes"),
           web_say(request, "nee", "no"), web_say(request, "Vanaf maand (JJJJ-MM)", "From month (YYYY-MM)"),
           web_say(request, "Ook als die maand al is afgesloten (die maanden worden herberekend)",
                   "Also when that month is closed (those months are reissued)"),
           web_say(request, "Vastleggen", "Record"));
}

/* Moving to another municipality from an open month (node_member_move,
 * as 'coop member set ID --municipality M --from YYYY-MM'). */
static void member_move_form(web_request *request, const char *member_id)
{
  web_html(request, "<h2>%t</h2><form method=\"post\" action=\"/member/move\" class=\"form\">",
           web_say(request, "Verhuizen naar een andere gemeente", "Moving to another municipality"));
  web_csrf_field(request);
  web_html(request, "<input type=\"hidden\" name=\"id\" value=\"%s\"><label for=\"move-to\">%t</label>"
                    "<select id=\"move-to\" name=\"municipality\">",
           member_id, web_say(request, "Nieuwe gemeente", "New municipality"));
  municipality_options(request, NULL);
  web_html(request, "</select><label for=\"move-from\">%t</label><input id=\"move-from\" "
                    "name=\"from\" required placeholder=\"2026-05\"><label for=\"move-ref\">%t</label>"
                    "<input id=\"move-ref\" name=\"new_client_ref\"><button type=\"submit\">%t</button>"
                    "</form><p class=\"note\">%t</p>",
           web_say(request, "Vanaf maand (JJJJ-MM, een open maand)", "From month (YYYY-MM, an open month)"),
           web_say(request, "Klantnummer bij de nieuwe gemeente (leeg: het huidige)",
                   "Client ref at the new municipality (empty: the present one)"),
           web_say(request, "Verhuizing vastleggen", "Record the move"),
           web_say(request, "Vanaf die maand rekent en controleert de nieuwe gemeente; de oude "
                            "kan haar latere maanden niet lezen.",
                   "From that month the new municipality computes and checks; the old one cannot "
                   "read her later months."));
}

static void member_move(web_request *request)
{
  if (strcmp(request->method, "POST"))
    return web_redirect(request, "/members");
  ledger_member_row row;
  if (!page_member(request, web_field_value(request, "id"), &row))
    return;
  const char *municipality = web_field_value(request, "municipality");
  const char *ref = web_field_value(request, "new_client_ref");
  uint32_t from = web_parse_period(web_field_value(request, "from"));
  uint8_t key[LEDGER_PUBLIC_KEY_BYTES];
  char message[NODE_MESSAGE_BYTES];
  coop_err err = COOP_OK;
  if (!from)
    err = COOP_E_BAD_INPUT, snprintf(message, sizeof message, "%s",
                                     web_say(request, "Geef een maand (JJJJ-MM).",
                                             "Give a month (YYYY-MM)."));
  else if (!(err = node_municipality_key(request->node, municipality ? municipality : "", key,
                                         message)))
    err = node_member_move(request->node, row.member_id, key, from, ref && ref[0] ? ref : NULL, 0,
                           message);
  web_page_begin(request, row.name);
  if (err) {
    request->status = 422;
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", message);
  } else {
    web_event(request, "moved %s to %s from %04u-%02u", row.member_id, municipality,
              (unsigned)(from / 100), (unsigned)(from % 100));
    web_html(request, "<p class=\"ok\" role=\"status\">%t %s %t %p.</p>",
             web_say(request, "Verhuizing naar", "Move to"), municipality,
             web_say(request, "vastgelegd vanaf", "recorded from"), from);
  }
  web_html(request, "<p><a href=\"/member?id=%s\">%t</a></p>", row.member_id,
           web_say(request, "Terug naar het lid", "Back to the member"));
  web_page_end(request);
}

static void member_fact(web_request *request)
{
  if (strcmp(request->method, "POST"))
    return web_redirect(request, "/members");
  ledger_member_row row;
  if (!page_member(request, web_field_value(request, "id"), &row))
    return;
  const char *field_text = web_field_value(request, "field");
  const char *value_text = web_field_value(request, "value");
  uint32_t from = web_parse_period(web_field_value(request, "from"));
  int field = 0;
  for (size_t i = 0; i < sizeof fact_kinds / sizeof fact_kinds[0]; i++)
    if (field_text && !strcmp(field_text, fact_kinds[i].name))
      field = fact_kinds[i].field;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = COOP_OK;
  bool holds = false; /* already in force from that month: nothing to append, as the CLI */
  if (!field || !value_text || (strcmp(value_text, "yes") && strcmp(value_text, "no")) || !from)
    err = COOP_E_BAD_INPUT, snprintf(message, sizeof message, "%s",
                                     web_say(request, "Kies wat, ja of nee, en een maand (JJJJ-MM).",
                                             "Choose what, yes or no, and a month (YYYY-MM)."));
  else if ((err = node_member_fact_holds(request->node, row.member_id, (uint8_t)field, from,
                                         !strcmp(value_text, "yes"), &holds)))
    snprintf(message, sizeof message, "%s", coop_err_message(err));
  else if (!holds)
    err = node_member_set(request->node, row.member_id, (uint8_t)field, from,
                          !strcmp(value_text, "yes") ? 1 : 0,
                          web_field_value(request, "retroactive") != NULL, message);
  web_page_begin(request, row.name);
  if (err) {
    request->status = 422;
    char said[WEB_NODE_MESSAGE_BYTES];
    web_node_message(request,
                     node_form_error_dutch(err == COOP_E_PERIOD_CLOSED ? NODE_FORM_FACT_CLOSED
                                                                       : NODE_FORM_COUNT),
                     message, said);
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", said);
  } else if (holds) {
    web_html(request, "<p class=\"ok\" role=\"status\">%t</p>",
             web_say(request, "Dat was al zo: niets vastgelegd.", "Already so: nothing recorded."));
  } else {
    web_event(request, "fact %s = %s from %04u-%02u for %s", field_text, value_text,
              (unsigned)(from / 100), (unsigned)(from % 100), row.member_id);
    web_html(request, "<p class=\"ok\" role=\"status\">%t</p>",
             web_say(request, "Vastgelegd.", "Recorded."));
  }
  web_html(request, "<p><a href=\"/member?id=%s\">%t</a></p>", row.member_id,
           web_say(request, "Terug naar het lid", "Back to the member"));
  web_page_end(request);
}

static void correct(web_request *request)
{
  if (strcmp(request->method, "POST"))
    return web_redirect(request, "/members");
  const char *entry = web_field_value(request, "entry");
  const char *reason = web_field_value(request, "reason");
  char message[NODE_MESSAGE_BYTES];
  char *end = NULL;
  unsigned long long index = entry ? strtoull(entry, &end, 10) : 0;
  uint64_t correction = 0;
  coop_err err = COOP_OK;
  if (!entry || !entry[0] || !end || *end || !reason || !reason[0])
    err = COOP_E_BAD_INPUT, snprintf(message, sizeof message, "%s",
                                     web_say(request, "Een correctie heeft een reden nodig.",
                                             "A correction needs a reason."));
  else
    err = node_record_correct_counting(request->node, index, reason, node_today(),
                                       web_field_value(request, "in_open_month")
                                           ? NODE_CORRECTION_IN_DATE_MONTH
                                           : NODE_CORRECTION_IN_ORIGINAL_MONTH,
                                       &correction, message);
  web_page_begin(request, web_say(request, "Corrigeren", "Correct"));
  if (err) {
    request->status = 422;
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", message);
    /* The node's message names the CLI flag; here it is a checkbox. */
    if (err == COOP_E_PERIOD_CLOSED)
      web_html(request, "<p>%t</p>",
               web_say(request, "Vink 'tellen in de open maand' aan om de correctie te "
                                "laten tellen in de maand waarin ze gedateerd is.",
                       "Tick 'count in the open month' to count the correction in the "
                       "month it is dated in."));
  } else {
    uint32_t period = 0;
    bool closed = false;
    if (node_record_counts_in(request->node, index, &period, &closed))
      period = 0;
    web_event(request, "entry %llu corrected by entry %llu", index, (unsigned long long)correction);
    web_html(request, "<p class=\"ok\" role=\"status\">%t %j %t %j.", 
             web_say(request, "Entry", "Entry"), (int64_t)correction,
             web_say(request, "corrigeert entry", "corrects entry"), (int64_t)index);
    if (period && closed)
      web_html(request, " %t %p %t", web_say(request, "Die telt in", "It counts in"), period,
               web_say(request, "(afgesloten): de verrekening wordt bij de volgende afsluiting "
                                "herberekend.",
                       "(closed): its statement is reissued at the next close."));
    web_html(request, "</p>");
  }
  web_html(request, "<p><a href=\"/members\">%t</a></p>", web_say(request, "Naar de leden", "To the members"));
  web_page_end(request);
}

/* A member's jaaropgave, as she sees it (printable). */
static void member_year_page(web_request *request)
{
  ledger_member_row row;
  if (page_member(request, web_query(request, "id"), &row))
    web_year_page(request, row.member_id);
}

static void member_page(web_request *request)
{
  ledger_member_row row;
  if (!page_member(request, web_query(request, "id"), &row))
    return;
  uint32_t year = node_today() / 10000;
  const char *year_text = web_query(request, "year");
  if (year_text && strlen(year_text) == 4)
    year = (uint32_t)strtoul(year_text, NULL, 10);
  char party[NODE_PARTY_TEXT_BYTES];
  node_party_text(request->node, row.municipality, party);
  web_page_begin(request, row.name);
  web_html(request, "<p>%t %s · %t %s · %t %s</p>", web_say(request, "Lidnummer", "Member id"),
           row.member_id, web_say(request, "klantnummer", "client ref"), row.client_ref,
           web_say(request, "gemeente", "municipality"), party);
  web_html(request, "<h2>%t %u</h2><p><a href=\"/member?id=%s&amp;year=%u\">← %u</a> · "
                    "<a href=\"/member?id=%s&amp;year=%u\">%u →</a></p>",
           web_say(request, "Jaaroverzicht", "Year overview"), (unsigned)year, row.member_id,
           (unsigned)(year - 1), (unsigned)(year - 1), row.member_id, (unsigned)(year + 1),
           (unsigned)(year + 1));
  web_member_year(request, row.member_id, year);
  web_html(request, "<p><a href=\"/year?id=%s&amp;y=%u\">%t %u</a></p>", row.member_id,
           (unsigned)year, web_say(request, "Jaaropgave", "Year statement"), (unsigned)year);
  web_html(request, "<p><a href=\"/record?member=%s\">%t</a></p>", row.member_id,
           web_say(request, "Iets boeken voor dit lid", "Record something for this member"));
  member_records(request, row.member_id, year);
  member_facts_form(request, row.member_id);
  member_move_form(request, row.member_id);
  web_html(request, "<h2>%t</h2><form method=\"post\" action=\"/member/edit\" class=\"form\">",
           web_say(request, "Gegevens wijzigen", "Change details"));
  web_csrf_field(request);
  web_html(request,
           "<input type=\"hidden\" name=\"id\" value=\"%s\"><label for=\"name\">%t</label>"
           "<input id=\"name\" name=\"name\" value=\"%s\"><label for=\"client_ref\">%t</label>"
           "<input id=\"client_ref\" name=\"client_ref\" value=\"%s\"><button type=\"submit\">%t"
           "</button></form><p class=\"note\">%t</p>",
           row.member_id, web_say(request, "Naam", "Name"), row.name,
           web_say(request, "Klantnummer", "Client ref"), row.client_ref,
           web_say(request, "Opslaan", "Save"),
           web_say(request, "Een wijziging geldt vanaf nu; eerdere verrekeningen blijven zoals ze "
                            "waren.",
                   "A change holds from now on; earlier statements stay as they were."));
  web_html(request, "<p><a href=\"/member/erase?id=%s\">%t</a> · <a href=\"/retention\">%t</a></p>",
           row.member_id, web_say(request, "Gegevens wissen (AVG)", "Erase her data (GDPR)"),
           web_say(request, "Bewaartermijnen", "Retention"));
  web_page_end(request);
}

static void member_edit(web_request *request)
{
  if (strcmp(request->method, "POST"))
    return web_redirect(request, "/members");
  ledger_member_row row;
  if (!page_member(request, web_field_value(request, "id"), &row))
    return;
  const char *name = web_field_value(request, "name");
  const char *ref = web_field_value(request, "client_ref");
  node_member_request changes = {
      .name = name && strcmp(name, row.name) ? name : NULL,
      .client_ref = ref && strcmp(ref, row.client_ref) ? ref : NULL,
  };
  char message[NODE_MESSAGE_BYTES];
  if (!changes.name && !changes.client_ref)
    return web_redirect(request, "/members");
  if (node_member_details(request->node, row.member_id, &changes, message)) {
    request->status = 422;
    web_page_begin(request, row.name);
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p><p><a href=\"/member?id=%s\">%t</a></p>",
             message, row.member_id, web_say(request, "Terug", "Back"));
    return web_page_end(request);
  }
  web_event(request, "details of member %s changed", row.member_id);
  char location[64];
  snprintf(location, sizeof location, "/member?id=%s", row.member_id);
  web_redirect(request, location);
}

/* ---- recording ---------------------------------------------------------------------- */


static void record_form(web_request *request, const char *error, const char *done)
{
  const char *member = web_field_value(request, "member");
  if (!member)
    member = web_query(request, "member");
  const char *type = web_field_value(request, "type");
  const char *amount = web_field_value(request, "amount");
  const char *date = web_field_value(request, "date");
  const char *note = web_field_value(request, "note");
  web_page_begin(request, web_say(request, "Boeken", "Record"));
  if (error)
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", error);
  if (done)
    web_html(request, "<p class=\"ok\" role=\"status\">%s</p>", done);
  web_html(request, "<form method=\"post\" action=\"/record\" class=\"form\">");
  web_csrf_field(request);
  web_html(request, "<label for=\"type\">%t</label><select id=\"type\" name=\"type\">",
           web_say(request, "Soort", "Kind"));
  for (size_t i = 0; i < sizeof record_kinds / sizeof record_kinds[0]; i++) {
    const char *name = ledger_record_type_name(record_kinds[i].type);
    web_html(request, "<option value=\"%s\"%t>%t</option>", name,
             type && !strcmp(type, name) ? " selected" : "",
             web_say(request, record_kinds[i].dutch, record_kinds[i].english));
  }
  char today[16];
  uint32_t day = node_today();
  snprintf(today, sizeof today, "%04u-%02u-%02u", day / 10000, day / 100 % 100, day % 100);
  web_html(request,
           "</select><label for=\"member\">%t</label><input id=\"member\" name=\"member\" value=\"%s\">"
           "<label for=\"amount\">%t</label><input id=\"amount\" name=\"amount\" inputmode=\"decimal\""
           " required value=\"%s\"><label for=\"date\">%t</label><input id=\"date\" name=\"date\""
           " type=\"date\" required value=\"%s\"><label for=\"note\">%t</label>"
           "<input id=\"note\" name=\"note\" value=\"%s\"><button type=\"submit\">%t</button></form>",
           web_say(request, "Lid (lidnummer, klantnummer of naam; leeg voor de coöperatie zelf)",
                   "Member (id, client ref or name; empty for the coop itself)"),
           member ? member : "",
           web_say(request, "Bedrag in euro (bijv. 1234,56) of uren", "Amount in euros (e.g. 1234.56) or hours"),
           amount ? amount : "", web_say(request, "Datum", "Date"), date ? date : today,
           web_say(request, "Notitie", "Note"), note ? note : "",
           web_say(request, "Boeken", "Record"));
  web_page_end(request);
}

/* Which common mistake node_record_add refused, for the Dutch words;
 * NODE_FORM_COUNT (no Dutch lead: the node's words alone) for the rest. */
static node_form_error record_mistake(web_request *request, coop_err err,
                                      const node_record_request *add)
{
  ledger_member_row row;
  node_months months;
  char unused[NODE_MESSAGE_BYTES];
  const char *member_id = add->member_id;
  /* A date before the books' first month is refused as a closed period too. */
  if (err == COOP_E_PERIOD_CLOSED && !node_months_read(request->node, &months, unused))
    return add->date / 100 < months.first ? NODE_FORM_BEFORE_BOOKS : NODE_FORM_MONTH_CLOSED;
  if (err == COOP_E_NOT_FOUND && member_id &&
      node_member_get(request->node, member_id, &row) == COOP_E_NOT_FOUND)
    return NODE_FORM_MEMBER;
  return NODE_FORM_COUNT;
}

static void record(web_request *request)
{
  if (!strcmp(request->method, "GET"))
    return record_form(request, NULL, NULL);
  char message[NODE_MESSAGE_BYTES] = "";
  node_record_request add = {.note = web_field_value(request, "note")};
  const char *type = web_field_value(request, "type");
  const char *member = web_field_value(request, "member");
  const char *date = web_field_value(request, "date");
  add.type = (uint8_t)ledger_record_type_from_name(type ? type : "");
  ledger_member_row row;
  coop_err err = COOP_OK;
  node_form_error mistake = NODE_FORM_COUNT; /* what a refusal says first on a Dutch page */
  if (!ledger_record_by_hand(add.type)) {
    err = COOP_E_BAD_INPUT, mistake = NODE_FORM_RECORD_KIND;
    snprintf(message, sizeof message, "unknown record type '%s'", type ? type : "");
  } else if (!date || ledger_date_parse(date, &add.date)) {
    err = COOP_E_BAD_INPUT, mistake = NODE_FORM_DATE;
    snprintf(message, sizeof message,
             "invalid date '%s' (expected YYYY-MM-DD, a real calendar day)", date ? date : "");
  } else if ((err = web_parse_money(web_field_value(request, "amount"), &add.amount, message,
                                    sizeof message))) {
    mistake = NODE_FORM_AMOUNT;
  } else if (member && member[0] && node_member_id_shaped(member)) {
    add.member_id = member; /* as the CLI: an unknown id gets the books' message */
  } else if (member && member[0] && !(err = node_books_ready(request->node, message))) {
    if ((err = node_member_find(request->node, member, &row, message)))
      mistake = NODE_FORM_MEMBER;
    else
      add.member_id = row.member_id;
  }
  char ref[32];
  uint8_t random[6];
  randombytes_buf(random, sizeof random);
  snprintf(ref, sizeof ref, "w-%02x%02x%02x%02x%02x%02x", random[0], random[1], random[2],
           random[3], random[4], random[5]);
  add.ref = ref;
  node_record_result result;
  if (!err && (err = node_record_add(request->node, &add, &result, message)))
    mistake = record_mistake(request, err, &add);
  if (err) {
    request->status = 422;
    char said[WEB_NODE_MESSAGE_BYTES];
    web_node_message(request, node_form_error_dutch(mistake), message, said);
    return record_form(request, said, NULL);
  }
  web_event(request, "recorded %s as entry %llu", type, (unsigned long long)result.index);
  char done[160];
  snprintf(done, sizeof done, "%s %llu.", web_say(request, "Geboekt als entry", "Recorded as entry"),
           (unsigned long long)result.index);
  /* The form again for the next one: same kind, member and date. */
  for (size_t i = 0; i < request->form.count; i++)
    if (!strcmp(request->form.fields[i].name, "amount") ||
        !strcmp(request->form.fields[i].name, "note"))
      request->form.fields[i].value[0] = 0;
  record_form(request, NULL, done);
}

/* ---- the month close ------------------------------------------------------------------ */

static coop_err preview_row(void *context, const char *member_id,
                            const ledger_statement_payload *statement)
{
  web_rows *rows = context;
  web_request *request = rows->request;
  const ledger_offset_statement *f = &statement->figures;
  if (!rows->count++)
    WEB_TABLE_HEAD(request, NULL, {"Lid", "Member", false}, {"Maand", "Month", false},
                   {"Winst", "Profit", true}, {"Naar coöperatie", "To coop", true},
                   {"Naar gemeente", "To municipality", true}, {"Naar budget", "To budget", true},
                   {"Indicatieve uitkering", "Indicative benefit", true});
  web_html(request, "<tr><td>%s (%s)%t</td><td>%p</td><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td></tr>",
           statement->member_name, member_id,
           statement->corrects ? web_say(request, " — herberekening", " — reissue") : "",
           statement->period, f->profit_cents, f->coop_share_cents, f->to_municipality_cents,
           f->to_budget_cents, f->benefit_cents);
  return COOP_OK;
}

static void close_preview(web_request *request, uint32_t period)
{
  char message[NODE_MESSAGE_BYTES] = "";
  web_page_begin(request, web_say(request, "Maand afsluiten", "Close a month"));
  web_rows rows = {request, 0};
  web_html(request, "<h2>%p</h2>", period);
  web_html(request, "<div id=\"preview\">");
  coop_err err = node_period_close_preview(request->node, period, preview_row, &rows, message);
  if (rows.count)
    web_html(request, "</tbody></table>");
  web_html(request, "</div>");
  if (err) {
    web_html(request, "<p class=\"error\" role=\"alert\">%t %s</p>",
             web_say(request, "Deze maand kan nog niet dicht:", "This month cannot close yet:"),
             message);
    return web_page_end(request);
  }
  web_html(request, "<p>%u %t</p><form method=\"post\" action=\"/close\" class=\"form\">",
           (unsigned)rows.count,
           web_say(request, "verrekeningen worden ondertekend. Daarna kan in deze maand niets "
                            "meer geboekt worden.",
                   "statements will be signed. After that nothing more can be recorded in this month."));
  web_csrf_field(request);
  web_html(request, "<input type=\"hidden\" name=\"p\" value=\"%y\"><button type=\"submit\">"
                    "%t</button></form>",
           period,
           web_say(request, "Maand afsluiten", "Close the month"));
  web_page_end(request);
}

static void close_month(web_request *request)
{
  char message[NODE_MESSAGE_BYTES];
  node_months months;
  if (node_books_ready(request->node, message) || node_months_read(request->node, &months, message))
    return web_error_page_node(request, 500, WEB_COULD_NOT_READ, message);
  const char *text = !strcmp(request->method, "POST") ? web_field_value(request, "p")
                                                      : web_query(request, "p");
  uint32_t period = text && text[0] ? web_parse_period(text) : open_month(&months);
  if (!period)
    return web_error_page(request, 400, web_say(request, "Geen maand (JJJJ-MM).", "Not a month (YYYY-MM)."));
  if (!strcmp(request->method, "GET"))
    return close_preview(request, period);
  node_reissue_list reissued = {0};
  coop_err err = node_period_close_reissuing(request->node, period, &reissued, message);
  size_t count = reissued.count;
  node_reissue_list_free(&reissued);
  if (err) {
    request->status = 422;
    web_page_begin(request, web_say(request, "Maand afsluiten", "Close a month"));
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", message);
    return web_page_end(request);
  }
  web_event(request, "closed %04u-%02u (%u reissued first)", (unsigned)(period / 100),
            (unsigned)(period % 100), (unsigned)count);
  web_page_begin(request, web_say(request, "Maand afgesloten", "Month closed"));
  web_html(request, "<p class=\"ok\" role=\"status\">%p %t</p><p><a href=\"/members\">%t</a></p>",
           period, web_say(request, "is afgesloten; de verrekeningen zijn ondertekend.",
                           "is closed; the statements are signed."),
           web_say(request, "Naar de leden", "To the members"));
  web_page_end(request);
}

/* ---- the year close ---------------------------------------------------------------------- */

/* The year that closes next: the one after the last closed year, else the
 * year of the books' first month (0: no month closed yet). */
static uint32_t year_to_close(const node_months *months)
{
  return months->closed_year ? months->closed_year + 1 : months->first / 100;
}

static void year_close_form(web_request *request, uint32_t year)
{
  web_html(request, "<p>%t</p><form method=\"post\" action=\"/year-close\" class=\"form\">",
           web_say(request, "Het resultaat van het jaar gaat naar de algemene reserve (eigen "
                            "vermogen), met ondertekende afsluitboekingen op 1 januari. Daarna "
                            "is het jaar definitief: niets kan er nog in geboekt, gecorrigeerd of "
                            "herberekend worden. Het kan pas als december is afgesloten, het jaar "
                            "ervoor ook, er geen herberekening meer openstaat en de jaarrekening "
                            "klopt.",
                   "The year's result goes to the general reserve (equity), with signed "
                   "closing records on 1 January. After that the year is final: nothing can be "
                   "recorded, corrected or reissued in it. It needs December closed, the year "
                   "before closed, no reissue waiting and annual accounts that reconcile."));
  web_csrf_field(request);
  web_html(request, "<label>%t <input name=\"y\" value=\"%u\" inputmode=\"numeric\" "
                    "pattern=\"[0-9]{4}\" required></label> <button type=\"submit\">%t</button>"
                    "</form>",
           web_say(request, "Jaar", "Year"), (unsigned)year,
           web_say(request, "Jaar afsluiten", "Close the year"));
}

static void close_year(web_request *request)
{
  char message[NODE_MESSAGE_BYTES];
  node_months months;
  if (node_books_ready(request->node, message) || node_months_read(request->node, &months, message))
    return web_error_page_node(request, 500, WEB_COULD_NOT_READ, message);
  if (strcmp(request->method, "POST")) {
    web_page_begin(request, web_say(request, "Jaar afsluiten", "Close a year"));
    if (months.closed_year)
      web_html(request, "<p>%t %u.</p>", web_say(request, "Afgesloten tot en met",
                                                 "Closed up to and including"),
               (unsigned)months.closed_year);
    year_close_form(request, year_to_close(&months));
    return web_page_end(request);
  }
  const char *text = web_field_value(request, "y");
  char *end = NULL;
  unsigned long year = text ? strtoul(text, &end, 10) : 0;
  node_year_close_result result;
  coop_err err = !text || !text[0] || !end || *end
                     ? (snprintf(message, sizeof message, "%s",
                                 web_say(request, "Geen jaar (JJJJ).", "Not a year (YYYY).")),
                        COOP_E_BAD_INPUT)
                     : node_year_close(request->node, (uint32_t)year, &result, message);
  web_page_begin(request, web_say(request, "Jaar afsluiten", "Close a year"));
  if (err) {
    request->status = 422;
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", message);
    year_close_form(request, year_to_close(&months));
    return web_page_end(request);
  }
  web_event(request, "closed the year %lu (entry %llu)", year,
            (unsigned long long)result.entry_index);
  /* Booked as a credit for a profit: said as people say it, a profit positive. */
  web_html(request, "<p class=\"ok\" role=\"status\">%u %t %m.</p><p><a href=\"/downloads\">%t</a></p>",
           (unsigned)year, web_say(request, "is afgesloten. Resultaat naar de algemene reserve:",
                                   "is closed. Result to the general reserve:"),
           -result.result_cents,
           web_say(request, "Naar de jaarrekening en het auditbestand",
                   "To the annual accounts and the audit file"));
  web_page_end(request);
}

/* ---- disputes ---------------------------------------------------------------------------- */

static coop_err dispute_row(void *context, const node_dispute_row *row)
{
  web_rows *rows = context;
  web_request *request = rows->request;
  if (!row->open)
    return COOP_OK;
  rows->count++;
  web_html(request, "<section class=\"card\"><h2>%s (%s) — %p</h2>", row->name, row->member_id,
           row->period);
  web_dispute_details(request, row->statement, &row->found.verdict);
  web_html(request, "<form method=\"post\" action=\"/reissue\">");
  web_csrf_field(request);
  web_html(request, "<input type=\"hidden\" name=\"id\" value=\"%s\"><input type=\"hidden\" "
                    "name=\"p\" value=\"%y\"><button type=\"submit\">%t</button></form></section>",
           row->member_id, row->period,
           web_say(request, "Opnieuw berekenen", "Reissue"));
  return COOP_OK;
}

static void disputes(web_request *request)
{
  web_page_begin(request, web_say(request, "Geschillen", "Disputes"));
  web_html(request, "<p class=\"note\">%t</p>",
           web_say(request, "Verrekeningen die de gemeente betwist, met de bedragen van beide "
                            "kanten. Opnieuw berekenen gebruikt de rekenregels die deze node nu "
                            "heeft.",
                   "Statements the municipality disputed, with both sides' figures. Reissuing "
                   "uses the rule sets this node holds now."));
  web_rows rows = {request, 0};
  coop_err err = node_disputes(request->node, dispute_row, &rows);
  if (!rows.count)
    web_html(request, "<p>%t</p>", err ? coop_err_message(err)
                                      : web_say(request, "Geen open geschillen.", "No open disputes."));
  web_page_end(request);
}

static void reissue(web_request *request)
{
  if (strcmp(request->method, "POST"))
    return web_redirect(request, "/disputes");
  ledger_member_row row;
  if (!page_member(request, web_field_value(request, "id"), &row))
    return;
  uint32_t period = web_parse_period(web_field_value(request, "p"));
  char message[NODE_MESSAGE_BYTES];
  node_reissue_list done = {0};
  coop_err err = period ? node_statement_reissue(request->node, row.member_id, period, &done, message)
                        : (snprintf(message, sizeof message, "no month"), COOP_E_BAD_INPUT);
  size_t count = done.count;
  node_reissue_list_free(&done);
  web_page_begin(request, web_say(request, "Opnieuw berekenen", "Reissue"));
  if (err) {
    request->status = 422;
    web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", message);
  } else {
    web_event(request, "reissued %s %04u-%02u (%u statements)", row.member_id,
              (unsigned)(period / 100), (unsigned)(period % 100), (unsigned)count);
    web_html(request, "<p class=\"ok\" role=\"status\">%u %t</p>", (unsigned)count,
             web_say(request, "verrekening(en) opnieuw berekend; de gemeente controleert ze.",
                     "statement(s) reissued; the municipality checks them."));
  }
  web_page_end(request);
}

static void statement_page(web_request *request)
{
  ledger_member_row row;
  if (!page_member(request, web_query(request, "id"), &row))
    return;
  uint32_t period = web_parse_period(web_query(request, "p"));
  web_page_begin(request, row.name);
  web_statement_section(request, row.member_id, period);
  web_html(request, "<p><a href=\"/member?id=%s\">%t</a></p>", row.member_id,
           web_say(request, "Terug naar het lid", "Back to the member"));
  web_page_end(request);
}

/* ---- CSV upload: 'coop import' through the browser ------------------------------ */

static void import_line(void *context, unsigned long line, const char *text)
{
  (void)line;
  web_rows *lines = context;
  if (lines->count++ < 200) /* a wrong file can have thousands: the first 200 say enough */
    web_html(lines->request, "<li>%s</li>", text);
}

static void import_form(web_request *request)
{
  web_html(request, "<form method=\"post\" action=\"/import\" enctype=\"multipart/form-data\" "
                    "class=\"form\">");
  web_csrf_field(request);
  web_html(request, "<label for=\"file\">%t</label><input id=\"file\" name=\"file\" type=\"file\" "
                    "accept=\".csv,text/csv\" required><button type=\"submit\">%t</button></form>"
                    "<p class=\"note\">%t</p>",
           web_say(request, "CSV-bestand", "CSV file"), web_say(request, "Inlezen", "Import"),
           web_say(request, "Kolommen: type, member, amount, hours, date, ref, note (zie 'coop import "
                            "--help'). Alles of niets: bij één foute regel wordt niets geboekt en "
                            "staat elke foute regel hieronder.",
                   "Columns: type, member, amount, hours, date, ref, note (see 'coop import "
                   "--help'). All or nothing: one bad row and nothing is recorded, and every bad "
                   "row is listed."));
}

static void import_csv(web_request *request)
{
  web_page_begin(request, web_say(request, "CSV inlezen", "Import a CSV"));
  const char *text = web_field_value(request, "file");
  if (strcmp(request->method, "POST") || !text) {
    import_form(request);
    return web_page_end(request);
  }
  char message[NODE_MESSAGE_BYTES];
  if (node_books_ready(request->node, message)) {
    web_html(request, "<p class=\"error\">%s</p>", message);
    return web_page_end(request);
  }
  coop_buf file = {.data = (unsigned char *)text, .len = strlen(text), .max = strlen(text)};
  web_rows lines = {request, 0};
  node_import_result result;
  web_html(request, "<ul class=\"error\" role=\"alert\" id=\"import-errors\">");
  coop_err err = node_import_csv(request->node, "upload.csv", &file, false, import_line, &lines,
                                 &result);
  web_html(request, "</ul>");
  if (err) {
    request->status = 422;
    if (lines.count > 200)
      web_html(request, "<p>%t %u</p>", web_say(request, "Foute regels in totaal:", "Bad rows in all:"),
               (unsigned)lines.count);
  } else {
    web_event(request, "imported %zu records (%zu already there)", result.imported, result.existed);
    web_html(request, "<p class=\"ok\" role=\"status\">%u %t (%u %t)</p>", (unsigned)result.imported,
             web_say(request, "regels geboekt", "records recorded"), (unsigned)result.existed,
             web_say(request, "waren er al", "were there already"));
  }
  import_form(request);
  web_page_end(request);
}

/* ---- downloads: 'coop export' through the browser ------------------------------- */

static void downloads(web_request *request)
{
  web_page_begin(request, web_say(request, "Downloads", "Downloads"));
  web_html(request, "<p>%t</p><ul>"
                    "<li><a href=\"/export?format=hledger\">hledger</a></li>"
                    "<li><a href=\"/export?format=ledger\">ledger</a></li>"
                    "<li><a href=\"/export?format=csv\">CSV</a></li></ul>"
                    "<form method=\"get\" action=\"/export\" class=\"form\"><label for=\"p\">%t</label>"
                    "<input id=\"p\" name=\"p\" placeholder=\"2026-03\"><label for=\"format\">%t</label>"
                    "<select id=\"format\" name=\"format\"><option>hledger</option><option>ledger"
                    "</option><option>csv</option></select><button type=\"submit\">%t</button></form>",
           web_say(request, "De boeken voor de boekhouder: elke regel draagt het nummer van de "
                            "ondertekende entry waar hij vandaan komt.",
                   "The books for the accountant: every line carries the number of the signed "
                   "entry it comes from."),
           web_say(request, "Alleen een maand of jaar (JJJJ-MM of JJJJ)", "Only a month or year (YYYY-MM or YYYY)"),
           web_say(request, "Formaat", "Format"), web_say(request, "Download", "Download"));
  web_page_end(request);
}

/* [date_from, date_to] of "YYYY-MM" or "YYYY"; false when malformed. */
static bool period_range(const char *text, ledger_books_query *query)
{
  uint32_t period = web_parse_period(text);
  if (period) {
    query->date_from = period * 100 + 1;
    query->date_to = period * 100 + 31;
    return true;
  }
  if (strlen(text) == 4 && strspn(text, "0123456789") == 4) {
    query->date_from = (uint32_t)strtoul(text, NULL, 10) * 10000 + 101;
    query->date_to = query->date_from + 1130;
    return true;
  }
  return false;
}

static void export_books(web_request *request)
{
  static const char *const names[] = {"hledger", "ledger", "csv"};
  const char *format = web_query(request, "format");
  const char *period = web_query(request, "p");
  int chosen = -1;
  for (int i = 0; i < 3; i++)
    if (format && !strcmp(format, names[i]))
      chosen = i;
  ledger_books_query query = {0};
  if (period && !period[0])
    period = NULL;
  if (chosen < 0 || (period && !period_range(period, &query)))
    return web_error_page(request, 400, web_say(request, "Onbekend formaat of geen maand/jaar.",
                                                "Unknown format, or not a month or year."));
  char message[NODE_MESSAGE_BYTES];
  char *text = NULL;
  size_t length = 0;
  FILE *out = open_memstream(&text, &length);
  coop_err err = !out ? COOP_E_NOMEM : node_books_ready(request->node, message);
  if (!err)
    err = node_export(request->node, chosen, &query, period, out);
  if (out)
    fclose(out);
  if (!err && coop_buf_append(&request->body, text, length))
    err = COOP_E_LIMIT;
  free(text);
  if (err)
    return web_error_page_node(request, 500, "De export kon niet worden gemaakt.",
                               coop_err_message(err));
  request->content_type = chosen == NODE_EXPORT_CSV ? "text/csv; charset=utf-8"
                                                   : "text/plain; charset=utf-8";
  snprintf(request->download, sizeof request->download, "boeken%s%s.%s", period ? "-" : "",
           period ? period : "", chosen == NODE_EXPORT_CSV ? "csv" : "journal");
  web_event(request, "exported the books (%s%s%s)", names[chosen], period ? ", " : "",
            period ? period : "");
}

typedef struct route_entry {
  const char *path;
  web_handler handler;
} route_entry;

web_handler web_pages_coop(const char *path)
{
  static const route_entry routes[] = {
      {"/", overview},           {"/members", members},   {"/members/new", member_new},
      {"/member", member_page},  {"/member/edit", member_edit}, {"/record", record},
      {"/close", close_month},   {"/disputes", disputes}, {"/reissue", reissue},
      {"/statement", statement_page}, {"/import", import_csv},
      {"/member/fact", member_fact}, {"/member/move", member_move}, {"/correct", correct},
      {"/downloads", downloads}, {"/export", export_books}, {"/year", member_year_page},
      {"/year-close", close_year}, {NULL, NULL}};
  for (const route_entry *route = routes; route->path; route++)
    if (!strcmp(route->path, path))
      return route->handler;
  return NULL;
}
