/* JSON forms of the offset engine's rule sets, months and statements
 * (domain/offsetting.md; examples in tests/data/offset-examples.json).
 *
 * Parsing is strict, because a rule set or a month's figures decide what a
 * member is paid: unknown fields, missing required fields, wrong JSON types,
 * numbers with a fraction or exponent (money is whole cents: 1.5 and 100.0
 * are both refused), out-of-range values and unknown enum strings are errors.
 * Every error comes with a message naming the field and where it is, e.g.
 *   rule_sets[0].cap_n: must be a whole number of cents >= 0, got -5
 *   months[2] (2026-03).revenue: must be a whole number of cents >= 0, got 1.5
 * written into a caller-provided buffer (LEDGER_OFFSET_MESSAGE_BYTES is enough;
 * longer messages are truncated, never overrun).  On success the message
 * buffer is left as it was.
 *
 * The CLI is its only user (and the tests), so it lives in cli/ and the
 * ledger needs no JSON for rule sets; the binary payload is
 * ledger/offset/offset_codec.h. */
#ifndef COOP_CLI_OFFSET_JSON_H
#define COOP_CLI_OFFSET_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "ledger/base/error.h"
#include "ledger/offset/offset.h"

/* Room for any error message of this module, untruncated in practice. */
#define LEDGER_OFFSET_MESSAGE_BYTES 256

/* Most rule sets in one simulation.  A municipality publishes two a year
 * (caps change on 1 January and 1 July), so a thousand is five centuries;
 * the bound keeps the array, and the per-month search, small. */
#define LEDGER_OFFSET_RULE_SETS_MAX 1000

/* Most months in one simulation: months strictly increase within the years
 * a period may have, so no valid input has more. */
#define LEDGER_OFFSET_MONTHS_MAX (12 * (LEDGER_OFFSET_YEAR_MAX - LEDGER_OFFSET_YEAR_MIN + 1))

/* A parsed simulate file: {"rule_sets": [...], "months": [...]}.  The arrays
 * are owned by the struct (coop_malloc) and freed by
 * ledger_offset_simulation_release(). */
typedef struct ledger_offset_simulation {
  ledger_offset_rule_set *rule_sets;
  size_t rule_set_count;
  ledger_offset_month *months;
  size_t month_count;
} ledger_offset_simulation;

/* An empty simulation; safe to release. */
void ledger_offset_simulation_init(ledger_offset_simulation *simulation);

/* Frees the arrays and leaves an empty simulation. */
void ledger_offset_simulation_release(ledger_offset_simulation *simulation);

/* Parses exactly "YYYY-MM" (four-digit year LEDGER_OFFSET_YEAR_MIN ..=
 * LEDGER_OFFSET_YEAR_MAX, two-digit month 01 ..= 12).  COOP_E_DECODE for
 * anything else; *period is written only on success. */
COOP_MUST_USE coop_err ledger_offset_json_parse_period(const char *text,
                                                       ledger_offset_period *period);

/* Parses one rule set object; every field is required.  `where` names the
 * object in messages ("rule_sets[0]").  Errors: COOP_E_DECODE (shape, types,
 * unknown or missing fields), COOP_E_RANGE (values).  On error *rule_set may
 * be partly written. */
COOP_MUST_USE coop_err ledger_offset_json_parse_rule_set(const json_t *value, const char *where,
                                                         ledger_offset_rule_set *rule_set,
                                                         char *message, size_t message_bytes);

/* Parses one month object: period and age required, an absent amount is 0
 * and an absent flag is false.  Messages name the month as
 * "<where> (YYYY-MM)" once its period is known.  Errors as for rule sets. */
COOP_MUST_USE coop_err ledger_offset_json_parse_month(const json_t *value, const char *where,
                                                      ledger_offset_month *month, char *message,
                                                      size_t message_bytes);

/* Parses {"rule_sets": [...], "months": [...]} (both required, nothing else)
 * into an initialised, empty `simulation`.  Also refuses two rule sets with
 * the same effective_from (COOP_E_BAD_INPUT), months that do not strictly
 * increase (COOP_E_PERIOD_CLOSED) and arrays past the limits above
 * (COOP_E_LIMIT); COOP_E_NOMEM.  On error the simulation is left empty. */
COOP_MUST_USE coop_err ledger_offset_json_parse_simulation(const json_t *root,
                                                           ledger_offset_simulation *simulation,
                                                           char *message, size_t message_bytes);

/* The same from JSON text of `length` bytes (duplicate keys are refused).
 * COOP_E_DECODE for malformed JSON, with line and column in the message. */
COOP_MUST_USE coop_err ledger_offset_json_parse_simulation_text(
    const char *text, size_t length, ledger_offset_simulation *simulation, char *message,
    size_t message_bytes);

/* Runs the engine over the simulation's months (ledger_offset_run), writing
 * simulation->month_count statements into `statements`.  Engine errors are
 * returned with a message naming the month, e.g.
 *   months[0] (2025-12): no rule set in force (the earliest effective_from is 2026-01) */
COOP_MUST_USE coop_err ledger_offset_simulation_run(const ledger_offset_simulation *simulation,
                                                    ledger_offset_statement *statements,
                                                    char *message, size_t message_bytes);

/* A new JSON object with exactly the statement fields of the worked
 * examples' "expected" objects, in their order: period, profit, coop_share,
 * net_income, disregard, disregard_kind, volunteer_disregarded,
 * volunteer_counted, counted_income, offset, benefit, above_norm,
 * to_municipality, to_budget, n_used, r_used, a34_used, k_ytd, loss_carried.
 * The caller owns *object (json_decref).  COOP_E_NOMEM; *object is written
 * only on success. */
COOP_MUST_USE coop_err ledger_offset_json_from_statement(const ledger_offset_statement *statement,
                                                         json_t **object);

/* A new JSON array of `count` such objects. */
COOP_MUST_USE coop_err ledger_offset_json_from_statements(const ledger_offset_statement *statements,
                                                          size_t count, json_t **array);

/* A new JSON object with exactly the fields of the JSON rule set
 * (domain/offsetting.md), in its order, amounts in cents and percentages in
 * basis points, so that ledger_offset_json_parse_rule_set() reads it back to
 * the same struct.  The rule set must pass ledger_offset_rule_set_check()
 * (asserted: its enum names are needed).  The caller owns the result
 * (json_decref); NULL when out of memory. */
json_t *ledger_offset_rule_set_to_json(const ledger_offset_rule_set *rule_set);

/* The message of a failed parse or run above, in Dutch, in place (phrase
 * by phrase: field paths and values stay as they were; cut to fit). */
void ledger_offset_json_message_dutch(char *message, size_t message_bytes);

#endif
