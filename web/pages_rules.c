/* The officer's rule sets: every field with its meaning in plain words, and
 * a new version tried on a month's residents (node_rule_set_effect) before
 * it is published (node_rule_set_publish, as 'coop rules publish'). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/base/alloc.h"
#include "ledger/books/money.h"
#include "ledger/books/rule_sets.h"
#include "node/books.h"
#include "node/rules.h"
#include "node/wording.h"
#include "web/web_int.h"

/* As many as 'coop rules list' reads: a municipality publishes a few a year. */
#define RULE_SETS_SHOWN_MAX 1000u

/* The numbers of a rule set and what each means: node/wording.h's table,
 * which 'coop rules show' reads too.  Its text fields (municipality,
 * month, the enums) have inputs of their own here: loops over it skip them.
 * A number's place in the rule set the form fills in: */
static int64_t *field_in(ledger_offset_rule_set *rules, const node_rule_field *field)
{
  return (int64_t *)(void *)((char *)rules + field->offset);
}

/* "12,50" for 1250 (cents or basis points), "6" for a count: as a form
 * field holds it (web_parse_money reads it back). */
static void field_text(const node_rule_field *field, int64_t value, char out[LEDGER_MONEY_TEXT_BYTES])
{
  if (field->kind == NODE_RULE_COUNT)
    snprintf(out, LEDGER_MONEY_TEXT_BYTES, "%lld", (long long)value);
  else
    snprintf(out, LEDGER_MONEY_TEXT_BYTES, "%lld,%02lld", (long long)(value / 100),
             (long long)(value % 100));
}

/* As the table shows it: money as on every other page ("€ 1.401,50"). */
static void field_shown(const node_rule_field *field, int64_t value, char out[LEDGER_MONEY_TEXT_BYTES])
{
  if (field->kind == NODE_RULE_MONEY)
    ledger_money_format_dutch(value, out);
  else
    field_text(field, value, out);
}

/* ---- reading what is published ---------------------------------------------------- */

typedef struct published {
  ledger_offset_rule_set *sets;
  uint64_t *index;
  size_t count;
  coop_err err;
} published;

static void read_published(web_request *request, published *out)
{
  *out = (published){.sets = coop_calloc(RULE_SETS_SHOWN_MAX, sizeof *out->sets),
                     .index = coop_calloc(RULE_SETS_SHOWN_MAX, sizeof *out->index)};
  out->err = out->sets && out->index
                 ? node_rule_sets(request->node, request->node->identity.public_key, out->sets,
                                  out->index, NULL, RULE_SETS_SHOWN_MAX, &out->count)
                 : COOP_E_NOMEM;
}

static void release_published(published *list)
{
  coop_free(list->sets);
  coop_free(list->index);
}

static void rule_set_table(web_request *request, const ledger_offset_rule_set *rules,
                           uint64_t index)
{
  char from[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(rules->effective_from, from);
  web_html(request, "<h2>%t %s (entry %j)</h2><p>%t: %s · %t: %s · %t: %s</p>",
           web_say(request, "Geldig vanaf", "In force from"), from, (int64_t)index,
           web_say(request, "Regime", "Regime"), ledger_offset_regime_name(rules->regime),
           web_say(request, "Verdeling", "Distribution"),
           ledger_offset_distribution_name(rules->distribution),
           web_say(request, "Verlies", "Loss rule"), ledger_offset_loss_rule_name(rules->loss_rule));
  WEB_TABLE_HEAD(request, NULL, {"Veld", "Field", false}, {"Waarde", "Value", true},
                 {"Betekenis", "Meaning", false});
  size_t total = 0;
  const node_rule_field *fields = node_rule_fields(&total);
  for (size_t i = 0; i < total; i++) {
    if (fields[i].kind == NODE_RULE_TEXT)
      continue;
    char value[LEDGER_MONEY_TEXT_BYTES];
    field_shown(&fields[i], node_rule_field_value(rules, &fields[i]), value);
    web_html(request, "<tr><th scope=\"row\"><code>%s</code></th><td class=\"amount\">%s%t</td>"
                      "<td>%t</td></tr>",
             fields[i].name, value,
             fields[i].kind == NODE_RULE_PERCENT ? " %" : "",
             web_say(request, fields[i].dutch, fields[i].english));
  }
  web_html(request, "</tbody></table>");
}

void web_rules_page(web_request *request)
{
  published list;
  read_published(request, &list);
  web_page_begin(request, web_say(request, "Rekenregels", "Rule sets"));
  web_html(request, "<p class=\"note\">%t</p><p><a href=\"/rules/new\">%t</a></p>",
           web_say(request, "De rekenregels die deze gemeente heeft gepubliceerd, nieuwste eerst. "
                            "Een coöperatie rekent elke maand met de regels die dan gelden; de "
                            "gemeente rekent na met dezelfde regels. Bedragen per maand tenzij "
                            "anders vermeld.",
                   "The rule sets this municipality published, newest first. A coop computes "
                   "each month with the rules in force then; the municipality checks with the "
                   "same rules."),
           web_say(request, "Een nieuwe versie opstellen en eerst uitproberen",
                   "Draft a new version and try it first"));
  if (list.err)
    web_html(request, "<p class=\"error\">%s</p>", coop_err_message(list.err));
  for (size_t i = list.count; i-- > 0;)
    rule_set_table(request, &list.sets[i], list.index[i]);
  if (!list.err && !list.count)
    web_html(request, "<p>%t</p>", web_say(request, "Nog geen rekenregels gepubliceerd.",
                                           "No rule sets published yet."));
  web_page_end(request);
  release_published(&list);
}

/* ---- a new version: the form, the try, the publish ---------------------------------- */

typedef struct choice {
  const char *field;
  int values[2];
  const char *(*name)(int);
} choice;

static const char *regime_name(int value) { return ledger_offset_regime_name(value); }
static const char *distribution_name(int value) { return ledger_offset_distribution_name(value); }
static const char *loss_rule_name(int value) { return ledger_offset_loss_rule_name(value); }

static const choice choices[] = {
    {"regime", {LEDGER_OFFSET_REGIME_PW2015, LEDGER_OFFSET_REGIME_PW34A}, regime_name},
    {"distribution", {LEDGER_OFFSET_DISTRIBUTION_STATUTORY, LEDGER_OFFSET_DISTRIBUTION_PERCENT},
     distribution_name},
    {"loss_rule", {LEDGER_OFFSET_LOSS_FLOOR_ZERO, LEDGER_OFFSET_LOSS_CARRY_FORWARD_YEAR},
     loss_rule_name},
};

static int *choice_in(ledger_offset_rule_set *rules, size_t i)
{
  return i == 0 ? (int *)&rules->regime : i == 1 ? (int *)&rules->distribution
                                                 : (int *)&rules->loss_rule;
}

static void rules_form(web_request *request, const ledger_offset_rule_set *rules, uint32_t period)
{
  char from[LEDGER_OFFSET_PERIOD_TEXT_BYTES];
  ledger_offset_period_format(rules->effective_from, from);
  web_html(request, "<form method=\"post\" action=\"/rules/new\" class=\"form\">");
  web_csrf_field(request);
  web_html(request, "<label for=\"municipality\">%t</label><input id=\"municipality\" "
                    "name=\"municipality\" required value=\"%s\"><label for=\"effective_from\">%t"
                    "</label><input id=\"effective_from\" name=\"effective_from\" required "
                    "placeholder=\"2027-01\" value=\"%s\">",
           web_say(request, "Gemeente (zoals op de verrekening)", "Municipality (as on the statement)"),
           rules->municipality, web_say(request, "Geldig vanaf (JJJJ-MM)", "In force from (YYYY-MM)"),
           from);
  ledger_offset_rule_set copy = *rules;
  for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
    web_html(request, "<label for=\"%s\">%s</label><select id=\"%s\" name=\"%s\">", choices[i].field,
             choices[i].field, choices[i].field, choices[i].field);
    for (int v = 0; v < 2; v++)
      web_html(request, "<option value=\"%d\"%t>%s</option>", choices[i].values[v],
               *choice_in(&copy, i) == choices[i].values[v] ? " selected" : "",
               choices[i].name(choices[i].values[v]));
    web_html(request, "</select>");
  }
  size_t total = 0;
  const node_rule_field *fields = node_rule_fields(&total);
  for (size_t i = 0; i < total; i++) {
    if (fields[i].kind == NODE_RULE_TEXT)
      continue;
    char value[LEDGER_MONEY_TEXT_BYTES];
    field_text(&fields[i], node_rule_field_value(rules, &fields[i]), value);
    /* What was typed stays in the form, also when it was wrong. */
    const char *typed = web_field_value(request, fields[i].name);
    web_html(request, "<label for=\"%s\">%s (%t) — %t</label><input id=\"%s\" name=\"%s\" "
                      "inputmode=\"decimal\" required value=\"%s\">",
             fields[i].name, fields[i].name,
             fields[i].kind == NODE_RULE_MONEY     ? web_say(request, "euro", "euros")
             : fields[i].kind == NODE_RULE_PERCENT ? web_say(request, "procent", "percent")
                                               : web_say(request, "aantal", "number"),
             web_say(request, fields[i].dutch, fields[i].english), fields[i].name, fields[i].name,
             typed ? typed : value);
  }
  web_html(request, "<label for=\"p\">%t</label><input id=\"p\" name=\"p\" value=\"%y\">"
                    "<button type=\"submit\" name=\"action\" value=\"try\">%t</button>"
                    "<button type=\"submit\" name=\"action\" value=\"publish\">%t</button></form>",
           web_say(request, "Uitproberen op de inwoners van maand (JJJJ-MM)",
                   "Try on the residents of month (YYYY-MM)"),
           period, web_say(request, "Uitproberen", "Try"),
           web_say(request, "Publiceren", "Publish"));
}

/* A whole number, or an amount with at most two decimals as hundredths. */
static bool parse_number(const char *text, node_rule_field_kind kind, int64_t *value)
{
  if (!text || !text[0])
    return false;
  if (kind == NODE_RULE_COUNT) {
    char *end = NULL;
    long long n = strtoll(text, &end, 10);
    *value = n;
    return end && !*end && n >= 0 && n <= 1000;
  }
  if (!strcmp(text, "0") || !strcmp(text, "0,00") || !strcmp(text, "0.00")) {
    *value = 0;
    return true;
  }
  char message[128];
  return web_parse_money(text, value, message, sizeof message) == COOP_OK;
}

/* The rule set the form holds; false with the field named in `bad`. */
static bool rules_from_form(web_request *request, ledger_offset_rule_set *rules, const char **bad)
{
  memset(rules, 0, sizeof *rules);
  const char *name = web_field_value(request, "municipality");
  *bad = "municipality";
  if (!name || !name[0] || strlen(name) > LEDGER_OFFSET_MUNICIPALITY_BYTES_MAX)
    return false;
  snprintf(rules->municipality, sizeof rules->municipality, "%s", name);
  *bad = "effective_from";
  uint32_t from = web_parse_period(web_field_value(request, "effective_from"));
  if (!from)
    return false;
  rules->effective_from = (ledger_offset_period){(int)(from / 100), (int)(from % 100)};
  for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
    const char *text = web_field_value(request, choices[i].field);
    *bad = choices[i].field;
    int value = text ? atoi(text) : 0;
    if (value != choices[i].values[0] && value != choices[i].values[1])
      return false;
    *choice_in(rules, i) = value;
  }
  size_t total = 0;
  const node_rule_field *fields = node_rule_fields(&total);
  for (size_t i = 0; i < total; i++) {
    if (fields[i].kind == NODE_RULE_TEXT)
      continue;
    *bad = fields[i].name;
    if (!parse_number(web_field_value(request, fields[i].name), fields[i].kind,
                      field_in(rules, &fields[i])))
      return false;
  }
  return ledger_offset_rule_set_check(rules, bad) == COOP_OK;
}

typedef struct effect_table {
  web_request *request;
  size_t count;
  int64_t benefit_now, benefit_tried;
} effect_table;

static coop_err effect_row(void *context, const node_rule_effect *effect)
{
  effect_table *table = context;
  web_request *request = table->request;
  const node_audit_row *row = effect->row;
  if (!table->count++)
    WEB_TABLE_HEAD(request, "effect", {"Inwoner", "Resident", false},
                   {"Uitkering nu", "Benefit now", true},
                   {"Met deze regels", "With these rules", true},
                   {"Naar gemeente nu", "To municipality now", true},
                   {"Met deze regels", "With these rules", true});
  if (effect->err) {
    web_html(request, "<tr><td>%s (%s)</td><td colspan=\"4\">%s</td></tr>", row->name,
             row->client_ref, coop_err_message(effect->err));
    return COOP_OK;
  }
  web_html(request, "<tr><td>%s (%s)</td><td class=\"amount\">%m</td><td class=\"amount\">%m</td>"
                    "<td class=\"amount\">%m</td><td class=\"amount\">%m</td></tr>",
           row->name, row->client_ref, row->figures.benefit_cents, effect->tried.benefit_cents,
           row->figures.to_municipality_cents, effect->tried.to_municipality_cents);
  table->benefit_now += row->figures.benefit_cents;
  table->benefit_tried += effect->tried.benefit_cents;
  return COOP_OK;
}

static void try_rules(web_request *request, const ledger_offset_rule_set *rules, uint32_t period)
{
  char message[NODE_MESSAGE_BYTES] = "";
  effect_table table = {request, 0, 0, 0};
  web_html(request, "<h2>%t %p</h2>", web_say(request, "Wat deze regels doen in",
                                              "What these rules do in"), period);
  coop_err err = node_rule_set_effect(request->node, rules, period, effect_row, &table, message);
  if (table.count)
    web_html(request, "</tbody><tfoot><tr><th scope=\"row\">%t</th><td class=\"amount\">%m</td>"
                      "<td class=\"amount\">%m</td><td></td><td></td></tr></tfoot></table>",
             web_say(request, "Totaal", "Total"), table.benefit_now, table.benefit_tried);
  else if (!err)
    web_html(request, "<p>%t</p>", web_say(request, "Geen inwoners met een verrekening in die maand.",
                                           "No residents with a statement in that month."));
  if (err)
    web_html(request, "<p class=\"error\">%s</p>", message);
}

void web_rules_form(web_request *request)
{
  ledger_offset_rule_set rules;
  uint32_t now = node_today() / 100;
  uint32_t period = web_parse_period(web_field_value(request, "p"));
  if (!period)
    period = web_last_month();
  web_page_begin(request, web_say(request, "Nieuwe rekenregels", "New rule set"));
  if (strcmp(request->method, "POST")) {
    published list;
    read_published(request, &list);
    memset(&rules, 0, sizeof rules);
    if (list.count)
      rules = list.sets[list.count - 1];
    else
      snprintf(rules.municipality, sizeof rules.municipality, "%s", request->node->name);
    rules.effective_from = (ledger_offset_period){(int)(now / 100 + 1), 1};
    release_published(&list);
    rules_form(request, &rules, period);
    return web_page_end(request);
  }
  const char *bad = "?";
  if (!rules_from_form(request, &rules, &bad)) {
    request->status = 422;
    web_html(request, "<p class=\"error\" role=\"alert\">%t <code>%s</code></p>",
             web_say(request, "Dit veld klopt niet:", "This field is not right:"), bad);
    rules_form(request, &rules, period);
    return web_page_end(request);
  }
  const char *action = web_field_value(request, "action");
  if (action && !strcmp(action, "publish")) {
    char message[NODE_MESSAGE_BYTES];
    uint64_t index = 0;
    if (node_rule_set_publish(request->node, &rules, &index, message)) {
      request->status = 422;
      web_html(request, "<p class=\"error\" role=\"alert\">%s</p>", message);
    } else {
      web_event(request, "published a rule set effective from %04d-%02d as entry %llu",
                rules.effective_from.year, rules.effective_from.month, (unsigned long long)index);
      web_html(request, "<p class=\"ok\" role=\"status\">%t %j.</p><p><a href=\"/rules\">%t</a></p>",
               web_say(request, "Gepubliceerd als entry", "Published as entry"), (int64_t)index,
               web_say(request, "Naar de rekenregels", "To the rule sets"));
      return web_page_end(request);
    }
  } else {
    try_rules(request, &rules, period);
  }
  rules_form(request, &rules, period);
  web_page_end(request);
}
