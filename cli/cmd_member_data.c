/* coop member export-data: a member's own copy of everything this node holds
 * about her (node/member_data.h), as JSON for machines and as text for her
 * (Dutch first, English beside). */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/offset_json.h"
#include "ledger/base/hex.h"
#include "ledger/books/money.h"
#include "node/books.h"
#include "node/member_data.h"
#include "node/wording.h"

typedef struct export_output {
  node *node;
  cli_format format;
  json_t *coops;     /* JSON: one object per coop log (and member) */
  json_t *current;   /* the object being filled */
  uint8_t coop_log[LEDGER_LOG_ID_BYTES];
  char member_id[LEDGER_MEMBER_ID_CHARS + 1];
  node_member_data_kind last_kind; /* text: a heading when the kind changes */
  bool any;
} export_output;

/* ---- JSON -------------------------------------------------------------------------- */

static json_t *party_json(node *opened, const uint8_t key[32])
{
  char text[NODE_PARTY_TEXT_BYTES];
  node_party_text(opened, key, text);
  json_t *out = json_pack("{s:s}", "name", text);
  json_object_set_new(out, "key", cli_hex_json(key, 32));
  return out;
}

static json_t *record_json(const ledger_record *record)
{
  char date[11], period[8];
  ledger_date_format(record->date, date);
  ledger_period_format(ledger_record_month(record), period);
  json_t *out = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "type",
                          ledger_record_type_name(record->type), "date", date, "month", period,
                          "amount", (json_int_t)node_record_amount(record), "ref", record->ref,
                          "note", record->note);
  json_t *postings = json_array();
  for (unsigned i = 0; i < record->posting_count; i++)
    json_array_append_new(postings, json_pack("{s:i, s:I}", "account",
                                              (int)record->postings[i].account, "amount_cents",
                                              (json_int_t)record->postings[i].amount_cents));
  json_object_set_new(out, "postings", postings);
  if (record->corrects)
    json_object_set_new(out, "corrects_index", json_integer((json_int_t)record->corrects - 1));
  return out;
}

/* The month's inputs as the statement states them (field names as in the
 * offset simulator's months, amounts in cents). */
static json_t *inputs_json(const ledger_offset_month *month)
{
  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:b}", "revenue",
                   (json_int_t)month->revenue_cents, "costs", (json_int_t)month->costs_cents,
                   "volunteer_allowance", (json_int_t)month->volunteer_allowance_cents,
                   "other_income", (json_int_t)month->other_income_cents, "hours",
                   (json_int_t)month->hours, "age_years", (json_int_t)month->age_years,
                   "n_approved", month->n_approved, "medical_hours_limit",
                   month->medical_hours_limit, "single_parent_child_under_12",
                   month->single_parent_child_under_12);
}

static json_t *statement_json(const node_member_data_item *item)
{
  const ledger_statement_payload *statement = item->statement;
  char period[8];
  ledger_period_format(statement->period, period);
  json_t *figures = NULL;
  if (ledger_offset_json_from_statement(&statement->figures, &figures))
    return NULL;
  json_t *out = json_pack("{s:s, s:b, s:s, s:s, s:o}", "month", period, "in_force",
                          item->in_force, "name", statement->member_name, "client_ref",
                          statement->client_ref, "figures", figures);
  json_object_set_new(out, "inputs", inputs_json(&statement->month));
  if (statement->corrects)
    json_object_set_new(out, "replaces_index", json_integer((json_int_t)statement->corrects - 1));
  json_t *verdict = json_pack("{s:s}", "status", node_audit_status_name(item->verdict.status));
  if (item->verdict.status != NODE_AUDIT_PENDING) {
    json_object_set_new(verdict, "log_id", cli_hex_json(item->verdict.log_id, 32));
    json_object_set_new(verdict, "index", json_integer((json_int_t)item->verdict.index));
  }
  json_t *theirs = NULL;
  if (item->verdict.status == NODE_AUDIT_DISPUTED &&
      !ledger_offset_json_from_statement(&item->verdict.verdict.figures, &theirs)) {
    json_object_set_new(verdict, "reason",
                        json_string(ledger_dispute_reason_name(item->verdict.verdict.reason)));
    json_object_set_new(verdict, "municipality_figures", theirs);
  }
  json_object_set_new(out, "verdict", verdict);
  return out;
}

static const char *const json_sections[] = {
  [NODE_MEMBER_DATA_DETAILS] = "details",     [NODE_MEMBER_DATA_FACT] = "status_facts",
  [NODE_MEMBER_DATA_RESIDENCE] = "residences", [NODE_MEMBER_DATA_RECORD] = "records",
  [NODE_MEMBER_DATA_STATEMENT] = "statements", [NODE_MEMBER_DATA_GRANT] = "key_holders",
};

static bool is_her_node(const node_member_data_item *item)
{
  return item->member_key && !memcmp(item->member_key, item->reader, LEDGER_PUBLIC_KEY_BYTES);
}

static json_t *item_json(export_output *output, const node_member_data_item *item)
{
  char period[8] = "";
  if (item->from_period)
    ledger_period_format(item->from_period, period);
  json_t *out = NULL;
  switch (item->kind) {
  case NODE_MEMBER_DATA_DETAILS:
    out = json_pack("{s:s, s:s}", "name", item->name, "client_ref", item->client_ref);
    json_object_set_new(out, "member_key",
                        item->member_key ? cli_hex_json(item->member_key, 32) : json_null());
    break;
  case NODE_MEMBER_DATA_FACT:
    out = json_pack("{s:s, s:s, s:i}", "field", ledger_member_field_name(item->field), "from",
                    period, "value", (int)item->value);
    break;
  case NODE_MEMBER_DATA_RESIDENCE:
  case NODE_MEMBER_DATA_GRANT:
    out = json_pack("{s:s?}", "from", item->from_period ? period : NULL);
    json_object_set_new(out, item->kind == NODE_MEMBER_DATA_GRANT ? "reader" : "municipality",
                        item->kind == NODE_MEMBER_DATA_GRANT ? party_json(output->node, item->reader)
                        : item->municipality ? party_json(output->node, item->municipality)
                                             : json_null());
    if (item->kind == NODE_MEMBER_DATA_GRANT)
      json_object_set_new(out, "her_own_node", json_boolean(is_her_node(item)));
    break;
  case NODE_MEMBER_DATA_RECORD:
    out = record_json(item->record);
    break;
  case NODE_MEMBER_DATA_STATEMENT:
    out = statement_json(item);
    break;
  }
  if (out)
    json_object_set_new(out, "index", json_integer((json_int_t)item->index));
  return out;
}

/* ---- Text: Dutch first, English beside --------------------------------------------- */

static const char *const text_headings[] = {
  [NODE_MEMBER_DATA_DETAILS] = "Gegevens, met geschiedenis (details, with history)",
  [NODE_MEMBER_DATA_FACT] = "Status (status facts)",
  [NODE_MEMBER_DATA_RESIDENCE] = "Gemeente (municipality)",
  [NODE_MEMBER_DATA_RECORD] = "Boekingen (records)",
  [NODE_MEMBER_DATA_STATEMENT] = "Verrekeningen en oordeel van de gemeente (statements, verdicts)",
  [NODE_MEMBER_DATA_GRANT] = "Wie kan haar gegevens lezen (who holds her key)",
};

static void from_text(uint32_t from_period, char out[NODE_MONTH_TEXT_BYTES + 8])
{
  char month[NODE_MONTH_TEXT_BYTES];
  node_month_text(from_period, false, month);
  if (from_period)
    snprintf(out, NODE_MONTH_TEXT_BYTES + 8, "vanaf %s", month);
  else
    snprintf(out, NODE_MONTH_TEXT_BYTES + 8, "vanaf inschrijving");
}

/* The verdict in her words (English in the JSON's status). */
static const char *verdict_dutch(int status)
{
  switch (status) {
  case NODE_AUDIT_ACKNOWLEDGED: return "akkoord (acknowledged)";
  case NODE_AUDIT_DISPUTED: return "betwist (disputed)";
  case NODE_AUDIT_PENDING: return "nog niet beoordeeld (pending)";
  }
  return node_audit_status_name(status);
}

static void statement_text(const node_member_data_item *item)
{
  const ledger_offset_statement *f = &item->statement->figures;
  char month[NODE_MONTH_TEXT_BYTES], money[5][LEDGER_MONEY_TEXT_BYTES];
  node_month_text(item->statement->period, false, month);
  ledger_money_format_dutch(f->profit_cents, money[0]);
  ledger_money_format_dutch(f->coop_share_cents, money[1]);
  ledger_money_format_dutch(f->to_municipality_cents, money[2]);
  ledger_money_format_dutch(f->to_budget_cents, money[3]);
  ledger_money_format_dutch(f->benefit_cents, money[4]);
  printf("  %-14s entry %-6llu %s: winst %s, coopdeel %s, naar gemeente %s, naar budget %s, "
         "uitkering %s; oordeel: %s\n",
         month, (unsigned long long)item->index, item->in_force ? "geldend" : "vervangen",
         money[0], money[1], money[2], money[3], money[4], verdict_dutch(item->verdict.status));
}

static void item_text(export_output *output, const node_member_data_item *item)
{
  char from[NODE_MONTH_TEXT_BYTES + 8], party[NODE_PARTY_TEXT_BYTES];
  from_text(item->from_period, from);
  switch (item->kind) {
  case NODE_MEMBER_DATA_DETAILS:
    party[0] = 0;
    if (item->member_key)
      ledger_fingerprint(item->member_key, party);
    printf("  entry %-6llu naam \"%s\", klantnummer \"%s\", eigen node %s\n",
           (unsigned long long)item->index, item->name, item->client_ref,
           party[0] ? party : "(geen)");
    break;
  case NODE_MEMBER_DATA_FACT: {
    char fact[NODE_FACT_TEXT_BYTES];
    node_member_fact_text(item->field, item->value, false, fact);
    printf("  entry %-6llu %s, %s\n", (unsigned long long)item->index, fact, from);
    break;
  }
  case NODE_MEMBER_DATA_RESIDENCE:
  case NODE_MEMBER_DATA_GRANT: {
    const uint8_t *key = item->kind == NODE_MEMBER_DATA_GRANT ? item->reader : item->municipality;
    if (key)
      node_party_text(output->node, key, party);
    printf("  entry %-6llu %s %s%s\n", (unsigned long long)item->index,
           key ? party : "(niet leesbaar op deze node)", from,
           item->kind == NODE_MEMBER_DATA_GRANT && is_her_node(item) ? " (uw eigen node)" : "");
    break;
  }
  case NODE_MEMBER_DATA_RECORD: {
    char date[11], amount[LEDGER_MONEY_TEXT_BYTES];
    ledger_date_format(item->record->date, date);
    ledger_money_format_dutch(node_record_amount(item->record), amount);
    printf("  entry %-6llu %s %-14s %12s  %s%s%s\n", (unsigned long long)item->index, date,
           ledger_record_type_name(item->record->type), amount, item->record->ref,
           item->record->note[0] ? "  " : "", item->record->note);
    break;
  }
  case NODE_MEMBER_DATA_STATEMENT:
    statement_text(item);
    break;
  }
}

/* ---- The visit ------------------------------------------------------------------------ */

static void print_preamble(node *opened)
{
  char when[32], self[NODE_PARTY_TEXT_BYTES];
  cli_format_time(node_now_ms(), when);
  node_party_text(opened, opened->identity.public_key, self);
  printf("Alles wat deze node over u bewaart (everything this node holds about you)\n"
         "node: %s, gemaakt (made) %s\n"
         "Bedragen in euro; 'entry' is de plaats in het logboek van de coop.\n\n",
         self, when);
}

/* A new coop (or member) starts a new object / a new title. */
static bool starts_new(export_output *output, const node_member_data_item *item)
{
  bool same = output->any && !memcmp(output->coop_log, item->coop_log, LEDGER_LOG_ID_BYTES) &&
              !strcmp(output->member_id, item->member_id);
  memcpy(output->coop_log, item->coop_log, LEDGER_LOG_ID_BYTES);
  snprintf(output->member_id, sizeof output->member_id, "%s", item->member_id);
  output->any = true;
  return !same;
}

static coop_err export_item(void *context, const node_member_data_item *item)
{
  export_output *output = context;
  if (!output->any && output->format != CLI_FORMAT_JSON)
    print_preamble(output->node); /* only once there is something: not before an error */
  bool fresh = starts_new(output, item);
  if (output->format == CLI_FORMAT_JSON) {
    if (fresh) {
      output->current = json_pack("{s:s, s:s}", "member_id", item->member_id, "coop_name",
                                  item->coop_name);
      json_object_set_new(output->current, "coop_log", cli_hex_json(item->coop_log, 32));
      for (size_t i = 0; i < sizeof json_sections / sizeof json_sections[0]; i++)
        json_object_set_new(output->current, json_sections[i], json_array());
      json_array_append_new(output->coops, output->current);
    }
    json_t *value = item_json(output, item);
    if (!value)
      return COOP_E_NOMEM;
    json_array_append_new(json_object_get(output->current, json_sections[item->kind]), value);
    return COOP_OK;
  }
  if (fresh) {
    char coop[NODE_PARTY_TEXT_BYTES];
    node_party_text(output->node, item->coop_log, coop);
    printf("%sLid %s bij %s\n", output->last_kind ? "\n" : "", item->member_id, coop);
    output->last_kind = (node_member_data_kind)-1;
  }
  if (item->kind != output->last_kind)
    printf("%s:\n", text_headings[item->kind]);
  output->last_kind = item->kind;
  item_text(output, item);
  return COOP_OK;
}

int cli_member_export_data(const char *dir, cli_format format, const char *member_id)
{
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  export_output output = {.node = &opened, .format = format, .coops = json_array()};
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = node_member_data(&opened, member_id, export_item, &output, message);
  json_t *document = NULL;
  if (!err && format == CLI_FORMAT_JSON) {
    char when[32];
    cli_format_time(node_now_ms(), when);
    document = json_pack("{s:s, s:s, s:o}", "format", "coop-member-data-1", "made", when,
                         "coops", output.coops);
    json_object_set_new(document, "node", party_json(&opened, opened.identity.public_key));
  } else {
    json_decref(output.coops);
  }
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  return document ? cli_print_json(document) : CLI_EXIT_OK;
}
