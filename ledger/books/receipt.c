#include "ledger/books/receipt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/log/identity.h"
#include "ledger/log/seal.h"

static coop_err fail(char problem[256], coop_err err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static coop_err fail(char problem[256], coop_err err, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(problem, 256, format, args);
  va_end(args);
  return err;
}

/* ---- Entries -------------------------------------------------------------------- */

/* The entry's header decodes and names its checkpoint's log, the checkpoint
 * is signed, and the entry is in it.  Writes the leaf hash. */
static coop_err check_entry(const ledger_receipt_entry *entry, const char *what,
                            ledger_entry_header *header, uint8_t leaf[LEDGER_HASH_BYTES],
                            char problem[256])
{
  if (ledger_entry_header_decode(entry->header, LEDGER_ENTRY_HEADER_BYTES, header))
    return fail(problem, COOP_E_DECODE, "%s: the entry header does not decode (rule 'header')",
                what);
  if (header->payload_bytes != entry->payload_bytes)
    return fail(problem, COOP_E_DECODE,
                "%s: the payload has %zu bytes, the header says %u (rule 'header')", what,
                entry->payload_bytes, (unsigned)header->payload_bytes);
  if (memcmp(header->log_id, entry->checkpoint.log_id, LEDGER_LOG_ID_BYTES))
    return fail(problem, COOP_E_BAD_PROOF,
                "%s: the checkpoint is of another log than the entry (rule 'inclusion')", what);
  if (ledger_checkpoint_verify(&entry->checkpoint))
    return fail(problem, COOP_E_BAD_SIGNATURE,
                "%s: the checkpoint's signature does not verify (not signed by the log's key) "
                "(rule 'checkpoint-signature')",
                what);
  uint8_t payload_hash[LEDGER_HASH_BYTES];
  ledger_payload_hash(entry->payload, entry->payload_bytes, payload_hash);
  ledger_leaf_hash(entry->header, payload_hash, leaf);
  if (header->index >= entry->checkpoint.size ||
      ledger_merkle_verify_inclusion(leaf, header->index, entry->checkpoint.size, &entry->proof,
                                     entry->checkpoint.root))
    return fail(problem, COOP_E_BAD_PROOF,
                "%s: entry %llu is not in the signed log of size %llu (the inclusion proof does "
                "not lead to the signed root) (rule 'inclusion')",
                what, (unsigned long long)header->index,
                (unsigned long long)entry->checkpoint.size);
  return COOP_OK;
}

static coop_err open_entry(const ledger_receipt *receipt, const ledger_receipt_entry *entry,
                           const char *what, uint8_t *plain, size_t *plain_bytes,
                           char problem[256])
{
  if (ledger_open_payload(receipt->audience_key, entry->header, entry->payload,
                          entry->payload_bytes, plain, plain_bytes))
    return fail(problem, COOP_E_CRYPTO,
                "%s: the receipt's key does not open the payload (rule 'key')", what);
  return COOP_OK;
}

/* Re-encoding what was decoded gives back exactly the plaintext: a payload
 * with one encoding cannot be read two ways (a flag byte of 2, a closed
 * window with a start month, a boolean that is not 0 or 1). */
static bool encodes_back_to(const uint8_t *plain, size_t plain_bytes,
                            const ledger_statement_payload *statement,
                            const ledger_verdict *verdict, bool dispute)
{
  coop_buf again;
  coop_buf_init(&again, COOP_PAYLOAD_BYTES_MAX);
  coop_err err = statement ? ledger_statement_encode(statement, &again)
                           : ledger_verdict_encode(verdict, dispute, &again);
  bool same = !err && again.len == plain_bytes && !memcmp(again.data, plain, plain_bytes);
  coop_buf_release(&again);
  return same;
}

/* ---- Figures ---------------------------------------------------------------------- */

/* Every figure but the profit is an amount or a count that cannot be below
 * zero (docs/log-format.md §Receipts, rule 'non-negative').  NULL when all
 * are in range, else the first one's name, its value in *value. */
static const char *negative_figure(const ledger_offset_statement *f, int64_t *value)
{
  const struct {
    const char *name;
    int64_t value;
  } figures[] = {
      {"coop_share", f->coop_share_cents},
      {"net_income", f->net_income_cents},
      {"disregard", f->disregard_cents},
      {"volunteer_disregarded", f->volunteer_disregarded_cents},
      {"volunteer_counted", f->volunteer_counted_cents},
      {"counted_income", f->counted_income_cents},
      {"offset", f->offset_cents},
      {"benefit", f->benefit_cents},
      {"to_municipality", f->to_municipality_cents},
      {"to_budget", f->to_budget_cents},
      {"n_used", f->n_used},
      {"r_used", f->r_used},
      {"a34_used", f->a34_used},
      {"k_ytd", f->k_ytd_cents},
      {"loss_carried", f->loss_carried_cents},
  };
  for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
    if (figures[i].value < 0) {
      *value = figures[i].value;
      return figures[i].name;
    }
  return NULL;
}

/* A dispute's figures (the verdict codec does not check their ranges):
 * non-negative amounts, the disregard kind (0 none, 1 n, 2 r, 3 y, 4 34a). */
static coop_err check_figures(const ledger_offset_statement *figures, const char *what,
                              char problem[256])
{
  int64_t value = 0;
  const char *name = negative_figure(figures, &value);
  if (name)
    return fail(problem, COOP_E_RANGE,
                "%s: figure '%s' is %lld, and it cannot be negative (rule 'non-negative')", what,
                name, (long long)value);
  if ((unsigned)figures->disregard_kind > LEDGER_OFFSET_DISREGARD_34A)
    return fail(problem, COOP_E_RANGE,
                "%s: disregard kind %u is not one of 0-4 (rule 'enum-range')", what,
                (unsigned)figures->disregard_kind);
  return COOP_OK;
}

static uint32_t period_number(ledger_offset_period period)
{
  return (uint32_t)(period.year * 100 + period.month);
}

/* ---- The statement ---------------------------------------------------------------- */

static coop_err check_statement_payload(const ledger_entry_header *header, const uint8_t *plain,
                                        size_t plain_bytes, ledger_receipt_facts *facts,
                                        char problem[256])
{
  ledger_statement_payload *statement = &facts->statement;
  if (ledger_statement_decode(plain, plain_bytes, statement))
    return fail(problem, COOP_E_DECODE,
                "statement: the payload does not decode (a split that does not add up, a "
                "negative share, a field out of range) (rule 'statement-decodes')");
  if (!encodes_back_to(plain, plain_bytes, statement, NULL, false))
    return fail(problem, COOP_E_DECODE,
                "statement: the payload is not in its one canonical encoding (rule "
                "'payload-canonical')");
  if (memcmp(statement->member, header->audience_id, LEDGER_MEMBER_ID_BYTES))
    return fail(problem, COOP_E_BAD_INPUT,
                "statement: not sealed to its member's audience (rule 'member-audience')");
  if (period_number(statement->month.period) != statement->period)
    return fail(problem, COOP_E_BAD_INPUT,
                "statement: its inputs are for %u, the statement for %u (rule 'inputs-period')",
                (unsigned)period_number(statement->month.period), (unsigned)statement->period);
  /* Negative figures and a disregard kind past 4 were refused by the
   * statement codec above (rule 'statement-decodes'). */
  /* A coop that names its own log as the rule-set log would acknowledge its
   * own statements: the municipality must be someone else. */
  if (!memcmp(header->log_id, statement->rule_set_log, LEDGER_LOG_ID_BYTES))
    return fail(problem, COOP_E_BAD_INPUT,
                "statement: the coop's log is also the municipality's (its rule-set log): "
                "nobody else vouches for it (rule 'coop-not-municipality')");
  memcpy(facts->coop_log, header->log_id, LEDGER_LOG_ID_BYTES);
  facts->statement_index = header->index;
  return COOP_OK;
}

static coop_err check_labels(const ledger_receipt *receipt, const ledger_statement_payload *s,
                             char problem[256])
{
  char member_id[LEDGER_MEMBER_ID_CHARS + 1], period[8];
  uint8_t audience[LEDGER_AUDIENCE_ID_BYTES] = {0};
  memcpy(audience, s->member, LEDGER_MEMBER_ID_BYTES);
  ledger_member_id(audience, member_id);
  ledger_period_format(s->period, period);
  if (strcmp(receipt->member_label, member_id) || strcmp(receipt->period_label, period))
    return fail(problem, COOP_E_BAD_INPUT,
                "'member' and 'period' say %s %s, the signed statement is for %s %s (rule "
                "'labels')",
                receipt->member_label, receipt->period_label, member_id, period);
  return COOP_OK;
}

static coop_err check_cosignature(const ledger_receipt *receipt, ledger_receipt_facts *facts,
                                  char problem[256])
{
  ledger_cosignature cosignature = {.checkpoint = receipt->statement.checkpoint};
  memcpy(cosignature.witness, receipt->witness, LEDGER_LOG_ID_BYTES);
  memcpy(cosignature.signature, receipt->cosignature, LEDGER_SIGNATURE_BYTES);
  if (ledger_cosignature_verify(&cosignature))
    return fail(problem, COOP_E_BAD_SIGNATURE,
                "cosignature: the witness's signature over the coop checkpoint does not verify "
                "(rule 'cosignature')");
  facts->cosigned = true;
  return COOP_OK;
}

/* ---- The verdict ------------------------------------------------------------------ */

/* The verdict is the municipality's and about exactly this statement: its
 * log, index, leaf hash, figures, member, month and audience. */
static coop_err check_verdict_binding(const ledger_entry_header *header,
                                      const ledger_entry_header *statement_header,
                                      const ledger_receipt_facts *facts,
                                      const uint8_t statement_leaf[LEDGER_HASH_BYTES],
                                      char problem[256])
{
  const ledger_statement_payload *statement = &facts->statement;
  const ledger_verdict *verdict = &facts->verdict;
  if (memcmp(header->log_id, statement->rule_set_log, LEDGER_LOG_ID_BYTES))
    return fail(problem, COOP_E_BAD_INPUT,
                "verdict: signed by another log than the municipality whose rules the statement "
                "uses (rule 'verdict-log')");
  if (memcmp(verdict->coop_log, facts->coop_log, LEDGER_LOG_ID_BYTES) ||
      verdict->statement_index != facts->statement_index ||
      memcmp(verdict->statement_leaf_hash, statement_leaf, LEDGER_HASH_BYTES))
    return fail(problem, COOP_E_BAD_INPUT,
                "verdict: it is about another statement (rule 'verdict-statement')");
  uint8_t figures_hash[LEDGER_HASH_BYTES];
  ledger_statement_figures_hash(statement, figures_hash);
  if (memcmp(verdict->figures_hash, figures_hash, LEDGER_HASH_BYTES))
    return fail(problem, COOP_E_BAD_INPUT,
                "verdict: it is about other figures (rule 'verdict-figures')");
  if (memcmp(verdict->member, statement->member, LEDGER_MEMBER_ID_BYTES) ||
      verdict->period != statement->period)
    return fail(problem, COOP_E_BAD_INPUT,
                "verdict: it names member bytes %02x%02x%02x and month %u, the statement "
                "%02x%02x%02x and %u (rule 'verdict-member-month')",
                verdict->member[0], verdict->member[1], verdict->member[2],
                (unsigned)verdict->period, statement->member[0], statement->member[1],
                statement->member[2], (unsigned)statement->period);
  if (memcmp(header->audience_id, statement_header->audience_id, LEDGER_AUDIENCE_ID_BYTES))
    return fail(problem, COOP_E_BAD_INPUT,
                "verdict: sealed to another audience than the statement (rule "
                "'verdict-audience')");
  return COOP_OK;
}

static coop_err check_verdict(const ledger_receipt *receipt, ledger_receipt_facts *facts,
                              const ledger_entry_header *statement_header,
                              const uint8_t statement_leaf[LEDGER_HASH_BYTES], uint8_t *plain,
                              char problem[256])
{
  ledger_entry_header header;
  uint8_t leaf[LEDGER_HASH_BYTES];
  coop_err err = check_entry(&receipt->verdict, "verdict", &header, leaf, problem);
  if (err)
    return err;
  bool dispute = header.kind == LEDGER_KIND_DISPUTE;
  if (!dispute && header.kind != LEDGER_KIND_ACKNOWLEDGEMENT)
    return fail(problem, COOP_E_DECODE,
                "verdict: entry kind %u is not an acknowledgement or dispute (rule "
                "'verdict-kind')",
                (unsigned)header.kind);
  size_t plain_bytes = 0;
  err = open_entry(receipt, &receipt->verdict, "verdict", plain, &plain_bytes, problem);
  if (err)
    return err;
  if (ledger_verdict_decode(plain, plain_bytes, dispute, &facts->verdict))
    return fail(problem, COOP_E_DECODE,
                "verdict: the payload does not decode (rule 'verdict-decodes')");
  if (!encodes_back_to(plain, plain_bytes, NULL, &facts->verdict, dispute))
    return fail(problem, COOP_E_DECODE,
                "verdict: the payload is not in its one canonical encoding (rule "
                "'payload-canonical')");
  if (dispute && (err = check_figures(&facts->verdict.figures, "verdict", problem)))
    return err;
  err = check_verdict_binding(&header, statement_header, facts, statement_leaf, problem);
  if (err)
    return err;
  memcpy(facts->municipality_log, header.log_id, LEDGER_LOG_ID_BYTES);
  facts->verdict_index = header.index;
  facts->acknowledged = !dispute;
  facts->disputed = dispute;
  return COOP_OK;
}

coop_err ledger_receipt_verify(const ledger_receipt *receipt, ledger_receipt_facts *facts,
                               char problem[256])
{
  memset(facts, 0, sizeof *facts);
  problem[0] = 0;
  ledger_entry_header header;
  uint8_t leaf[LEDGER_HASH_BYTES];
  coop_err err = check_entry(&receipt->statement, "statement", &header, leaf, problem);
  if (err)
    return err;
  if (header.kind != LEDGER_KIND_STATEMENT)
    return fail(problem, COOP_E_DECODE,
                "statement: entry kind %u is not a statement (rule 'statement-kind')",
                (unsigned)header.kind);
  uint8_t *plain = coop_malloc(COOP_PAYLOAD_BYTES_MAX);
  if (!plain)
    return fail(problem, COOP_E_NOMEM, "out of memory");
  size_t plain_bytes = 0;
  err = open_entry(receipt, &receipt->statement, "statement", plain, &plain_bytes, problem);
  if (!err)
    err = check_statement_payload(&header, plain, plain_bytes, facts, problem);
  if (!err)
    err = check_labels(receipt, &facts->statement, problem);
  if (!err && receipt->has_cosignature)
    err = check_cosignature(receipt, facts, problem);
  if (!err && receipt->has_verdict)
    err = check_verdict(receipt, facts, &header, leaf, plain, problem);
  sodium_memzero(plain, COOP_PAYLOAD_BYTES_MAX);
  coop_free(plain);
  if (err) {
    /* Nothing of a refused receipt may be read as a fact. */
    sodium_memzero(facts, sizeof *facts);
  }
  return err;
}

/* ---- Trust ------------------------------------------------------------------------ */

coop_err ledger_receipt_anchor_parse(const char *text, const char *name,
                                     ledger_receipt_anchor *anchor)
{
  memset(anchor, 0, sizeof *anchor);
  size_t length = strlen(text);
  if (length == 2 * LEDGER_LOG_ID_BYTES && !ledger_hex_decode(text, anchor->key, length / 2)) {
    anchor->has_key = true;
    ledger_fingerprint(anchor->key, anchor->fingerprint);
  } else if (length == LEDGER_FINGERPRINT_CHARS && text[4] == '-' && text[9] == '-' &&
             text[14] == '-' && strspn(text, "0123456789abcdefABCDEF-") == length) {
    for (size_t i = 0; i < length; i++)
      anchor->fingerprint[i] = (char)(text[i] >= 'A' && text[i] <= 'F' ? text[i] + 32 : text[i]);
  } else {
    return COOP_E_BAD_INPUT;
  }
  if (name)
    snprintf(anchor->name, sizeof anchor->name, "%s", name);
  return COOP_OK;
}

const ledger_receipt_anchor *ledger_receipt_anchor_find(const ledger_receipt_anchor *anchors,
                                                        size_t count,
                                                        const uint8_t key[LEDGER_LOG_ID_BYTES])
{
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_fingerprint(key, fingerprint);
  for (size_t i = 0; i < count; i++) {
    bool same = anchors[i].has_key ? !sodium_memcmp(anchors[i].key, key, LEDGER_LOG_ID_BYTES)
                                   : !strcmp(anchors[i].fingerprint, fingerprint);
    if (same)
      return &anchors[i];
  }
  return NULL;
}

/* "1a2b-..." or "1a2b-... (breda), 3c4d-..." : the anchors a key was compared with. */
static void anchor_list(const ledger_receipt_anchor *anchors, size_t count, char *out,
                        size_t size)
{
  size_t used = 0;
  out[0] = 0;
  for (size_t i = 0; i < count && used < size; i++) {
    int wrote = snprintf(out + used, size - used, "%s%s%s%s%s", i ? ", " : "",
                         anchors[i].fingerprint, anchors[i].name[0] ? " (" : "", anchors[i].name,
                         anchors[i].name[0] ? ")" : "");
    if (wrote < 0)
      break;
    used += (size_t)wrote;
  }
}

static coop_err anchor_mismatch(const char *party, const uint8_t key[LEDGER_LOG_ID_BYTES],
                                const ledger_receipt_anchor *anchors, size_t count,
                                const char *rule, char problem[256])
{
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1], expected[160];
  ledger_fingerprint(key, fingerprint);
  anchor_list(anchors, count, expected, sizeof expected);
  return fail(problem, COOP_E_BAD_INPUT,
              "the receipt's %s is %s, not the one you trust (%s) (rule '%s')", party,
              fingerprint, expected, rule);
}

coop_err ledger_receipt_judge(const ledger_receipt *receipt, const ledger_receipt_facts *facts,
                              const ledger_receipt_anchors *anchors, ledger_receipt_trust *trust,
                              char problem[256])
{
  memset(trust, 0, sizeof *trust);
  problem[0] = 0;
  /* Without a verdict the municipality is the one the statement names. */
  const uint8_t *municipality = facts->statement.rule_set_log;
  trust->municipality =
      ledger_receipt_anchor_find(anchors->municipalities, anchors->municipality_count,
                                 municipality);
  trust->coop = ledger_receipt_anchor_find(anchors->coops, anchors->coop_count, facts->coop_log);
  if (facts->cosigned && memcmp(receipt->witness, facts->coop_log, LEDGER_LOG_ID_BYTES)) {
    trust->witness =
        ledger_receipt_anchor_find(anchors->witnesses, anchors->witness_count, receipt->witness);
    trust->witness_counted =
        trust->witness || (trust->municipality &&
                           !memcmp(receipt->witness, municipality, LEDGER_LOG_ID_BYTES));
  }
  if (anchors->coop_required && !trust->coop)
    return anchor_mismatch("coop", facts->coop_log, anchors->coops, anchors->coop_count,
                           "coop-anchor", problem);
  if (!anchors->municipality_count)
    return COOP_E_NOT_FOUND;
  if (!trust->municipality)
    return anchor_mismatch("municipality", municipality, anchors->municipalities,
                           anchors->municipality_count, "municipality-anchor", problem);
  return COOP_OK;
}
