#include "ledger/books/books.h"

#include <stdio.h>
#include <string.h>

#include "ledger/log/codec.h"

static const ledger_account_definition chart[] = {
  {LEDGER_ACCOUNT_BANK, LEDGER_ACCOUNT_ASSET, 0, "assets:bank",
   "the coop's bank account"},
  {LEDGER_ACCOUNT_RECEIVABLES, LEDGER_ACCOUNT_ASSET, 0, "assets:receivables",
   "invoiced to clients, not yet received"},
  {LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY, LEDGER_ACCOUNT_LIABILITY, 1,
   "liabilities:members:%s:municipality",
   "the member's profit share due to their municipality"},
  {LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET, LEDGER_ACCOUNT_LIABILITY, 1,
   "liabilities:members:%s:development-budget",
   "the member's development budget (ontwikkelbudget)"},
  {LEDGER_ACCOUNT_OPENING_BALANCES, LEDGER_ACCOUNT_EQUITY, 0, "equity:opening-balances",
   "balances brought in when the books were opened"},
  {LEDGER_ACCOUNT_RESULT_EARLIER_YEARS, LEDGER_ACCOUNT_EQUITY, 0, "equity:result-earlier-years",
   "the profit and loss of closed years (algemene reserve)"},
  {LEDGER_ACCOUNT_MEMBER_REVENUE, LEDGER_ACCOUNT_INCOME, 1, "income:members:%s:revenue",
   "revenue from the member's work"},
  {LEDGER_ACCOUNT_COOP_SHARE, LEDGER_ACCOUNT_INCOME, 0, "income:coop:share",
   "the coop's share of members' profit"},
  {LEDGER_ACCOUNT_MEMBER_COSTS, LEDGER_ACCOUNT_EXPENSE, 1, "expenses:members:%s:costs",
   "costs of the member's work"},
  {LEDGER_ACCOUNT_MEMBER_VOLUNTEER_ALLOWANCE, LEDGER_ACCOUNT_EXPENSE, 1,
   "expenses:members:%s:volunteer-allowance", "volunteer allowance paid to the member"},
  {LEDGER_ACCOUNT_COOP_COSTS, LEDGER_ACCOUNT_EXPENSE, 0, "expenses:coop:costs",
   "the coop's own costs"},
  {LEDGER_ACCOUNT_MEMBER_PROFIT_SPLIT, LEDGER_ACCOUNT_EXPENSE, 1,
   "expenses:members:%s:profit-split", "the member's profit, split at month close"},
};

const ledger_account_definition *ledger_chart(size_t *count)
{
  *count = sizeof chart / sizeof chart[0];
  return chart;
}

const ledger_account_definition *ledger_chart_find(uint16_t code)
{
  for (size_t i = 0; i < sizeof chart / sizeof chart[0]; i++)
    if (chart[i].code == code)
      return &chart[i];
  return NULL;
}

const char *ledger_account_type_name(ledger_account_type type)
{
  switch (type) {
  case LEDGER_ACCOUNT_ASSET: return "asset";
  case LEDGER_ACCOUNT_LIABILITY: return "liability";
  case LEDGER_ACCOUNT_EQUITY: return "equity";
  case LEDGER_ACCOUNT_INCOME: return "income";
  case LEDGER_ACCOUNT_EXPENSE: return "expense";
  }
  return "unknown";
}

/* Appends `bytes` of `text` to the account name in `out` (NUL-terminated),
 * as far as LEDGER_ACCOUNT_NAME_BYTES allows. */
static void name_append(char out[LEDGER_ACCOUNT_NAME_BYTES], size_t *used, const char *text,
                        size_t bytes)
{
  size_t room = LEDGER_ACCOUNT_NAME_BYTES - 1 - *used;
  if (bytes > room)
    bytes = room;
  memcpy(out + *used, text, bytes);
  *used += bytes;
  out[*used] = 0;
}

coop_err ledger_account_name(uint16_t code, const char *member_id,
                             char out[LEDGER_ACCOUNT_NAME_BYTES])
{
  const ledger_account_definition *account = ledger_chart_find(code);
  out[0] = 0;
  if (!account)
    return COOP_E_UNKNOWN_ACCOUNT;
  if (account->per_member && (!member_id || !member_id[0]))
    return COOP_E_UNKNOWN_ACCOUNT;
  /* Copied, not formatted: snprintf was ~1 % of an import (a name per
   * posting).  A per-member name has exactly one %s, for the member id (a
   * constant table); cut at the buffer's end, as snprintf would. */
  const char *hole = account->per_member ? strstr(account->name, "%s") : NULL;
  size_t used = 0;
  name_append(out, &used, account->name, hole ? (size_t)(hole - account->name)
                                               : strlen(account->name));
  if (hole) {
    name_append(out, &used, member_id, strlen(member_id));
    name_append(out, &used, hole + 2, strlen(hole + 2));
  }
  return COOP_OK;
}

/* ---- dates and periods -------------------------------------------------- */

static int days_in_month(uint32_t year, uint32_t month)
{
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

int ledger_period_valid(uint32_t period)
{
  uint32_t year = period / 100, month = period % 100;
  return year >= 1900 && year <= 9999 && month >= 1 && month <= 12;
}

int ledger_date_valid(uint32_t date)
{
  uint32_t day = date % 100;
  return ledger_period_valid(date / 100) && day >= 1 &&
         (int)day <= days_in_month(date / 10000, (date / 100) % 100);
}

/* Reads exactly `count` digits. */
static int digits(const char *text, int count, uint32_t *value)
{
  *value = 0;
  for (int i = 0; i < count; i++) {
    if (text[i] < '0' || text[i] > '9')
      return 0;
    *value = *value * 10 + (uint32_t)(text[i] - '0');
  }
  return 1;
}

coop_err ledger_date_parse(const char *text, uint32_t *date)
{
  uint32_t year, month, day;
  *date = 0;
  if (strlen(text) != 10 || text[4] != '-' || text[7] != '-' || !digits(text, 4, &year) ||
      !digits(text + 5, 2, &month) || !digits(text + 8, 2, &day))
    return COOP_E_BAD_INPUT;
  uint32_t value = year * 10000 + month * 100 + day;
  if (!ledger_date_valid(value))
    return COOP_E_BAD_INPUT;
  *date = value;
  return COOP_OK;
}

coop_err ledger_period_parse(const char *text, uint32_t *period)
{
  uint32_t year, month;
  *period = 0;
  if (strlen(text) != 7 || text[4] != '-' || !digits(text, 4, &year) ||
      !digits(text + 5, 2, &month))
    return COOP_E_BAD_INPUT;
  uint32_t value = year * 100 + month;
  if (!ledger_period_valid(value))
    return COOP_E_BAD_INPUT;
  *period = value;
  return COOP_OK;
}

void ledger_date_format(uint32_t date, char out[11])
{
  snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(date / 10000) % 10000,
           (unsigned)(date / 100) % 100, (unsigned)date % 100);
}

void ledger_period_format(uint32_t period, char out[8])
{
  snprintf(out, 8, "%04u-%02u", (unsigned)(period / 100) % 10000, (unsigned)period % 100);
}

/* ---- members ------------------------------------------------------------ */

static const char *const member_fields[] = {
  [LEDGER_MEMBER_BIRTH] = "birth",
  [LEDGER_MEMBER_N_APPROVED] = "n-approved",
  [LEDGER_MEMBER_MEDICAL_LIMIT] = "medical-limit",
  [LEDGER_MEMBER_SINGLE_PARENT] = "single-parent",
  [LEDGER_MEMBER_LEFT] = "left",
};

const char *ledger_member_field_name(uint8_t field)
{
  if (field < LEDGER_MEMBER_BIRTH || field > LEDGER_MEMBER_LEFT)
    return NULL;
  return member_fields[field];
}

int ledger_member_field_from_name(const char *name)
{
  for (int field = LEDGER_MEMBER_BIRTH; field <= LEDGER_MEMBER_LEFT; field++)
    if (!strcmp(name, member_fields[field]))
      return field;
  return 0;
}

static int member_status_valid(const ledger_member_payload *member)
{
  if (!ledger_member_field_name(member->field) || !ledger_period_valid(member->from_period))
    return 0;
  if (member->field == LEDGER_MEMBER_BIRTH)
    return ledger_period_valid(member->value) && member->value <= member->from_period;
  if (member->field == LEDGER_MEMBER_LEFT)
    return member->value == 1;
  return member->value <= 1;
}

/* A move names a valid month and another audience (nonzero). */
static int member_move_valid(const ledger_member_payload *member)
{
  static const uint8_t zero[LEDGER_AUDIENCE_ID_BYTES];
  return ledger_period_valid(member->from_period) &&
         memcmp(member->other_audience, zero, sizeof zero) != 0;
}

coop_err ledger_member_encode(const ledger_member_payload *member, coop_buf *out)
{
  coop_err err = COOP_OK;
  ledger_write_u8(out, 1, &err);
  ledger_write_u8(out, member->action, &err);
  if (member->action == LEDGER_MEMBER_MOVE_OUT || member->action == LEDGER_MEMBER_MOVE_IN) {
    if (!member_move_valid(member))
      return COOP_E_BAD_INPUT;
    ledger_write_u32(out, member->from_period, &err);
    ledger_write_bytes(out, member->other_audience, LEDGER_AUDIENCE_ID_BYTES, &err);
  }
  if (member->action == LEDGER_MEMBER_ENROL || member->action == LEDGER_MEMBER_DETAILS ||
      member->action == LEDGER_MEMBER_MOVE_IN) {
    if (!member->name[0] || !member->client_ref[0])
      return COOP_E_BAD_INPUT;
    ledger_write_text8(out, member->name, COOP_NAME_BYTES_MAX, &err);
    ledger_write_bytes(out, member->municipality, LEDGER_PUBLIC_KEY_BYTES, &err);
    ledger_write_text8(out, member->client_ref, LEDGER_CLIENT_REF_BYTES_MAX, &err);
    ledger_write_bytes(out, member->member_key, LEDGER_PUBLIC_KEY_BYTES, &err);
  } else if (member->action == LEDGER_MEMBER_STATUS) {
    if (!member_status_valid(member))
      return COOP_E_BAD_INPUT;
    ledger_write_u8(out, member->field, &err);
    ledger_write_u32(out, member->from_period, &err);
    ledger_write_u32(out, member->value, &err);
  } else if (member->action != LEDGER_MEMBER_MOVE_OUT) {
    return COOP_E_BAD_INPUT;
  }
  return err;
}

coop_err ledger_member_decode(const uint8_t *bytes, size_t count, ledger_member_payload *member)
{
  memset(member, 0, sizeof *member);
  ledger_reader reader;
  ledger_reader_init(&reader, bytes, count);
  if (ledger_read_u8(&reader) != 1)
    return reader.error ? reader.error : COOP_E_VERSION;
  member->action = ledger_read_u8(&reader);
  int move = member->action == LEDGER_MEMBER_MOVE_OUT || member->action == LEDGER_MEMBER_MOVE_IN;
  int details = member->action == LEDGER_MEMBER_ENROL || member->action == LEDGER_MEMBER_DETAILS ||
                member->action == LEDGER_MEMBER_MOVE_IN;
  if (move) {
    member->from_period = ledger_read_u32(&reader);
    ledger_read_bytes(&reader, member->other_audience, LEDGER_AUDIENCE_ID_BYTES);
  }
  if (details) {
    ledger_read_text8(&reader, member->name, COOP_NAME_BYTES_MAX);
    ledger_read_bytes(&reader, member->municipality, LEDGER_PUBLIC_KEY_BYTES);
    ledger_read_text8(&reader, member->client_ref, LEDGER_CLIENT_REF_BYTES_MAX);
    ledger_read_bytes(&reader, member->member_key, LEDGER_PUBLIC_KEY_BYTES);
  } else if (member->action == LEDGER_MEMBER_STATUS) {
    member->field = ledger_read_u8(&reader);
    member->from_period = ledger_read_u32(&reader);
    member->value = ledger_read_u32(&reader);
  } else if (!move) {
    memset(member, 0, sizeof *member);
    return COOP_E_DECODE;
  }
  coop_err err = ledger_reader_finish(&reader);
  if (!err && move && !member_move_valid(member))
    err = COOP_E_DECODE;
  if (!err && details && (!member->name[0] || !member->client_ref[0]))
    err = COOP_E_DECODE;
  if (!err && member->action == LEDGER_MEMBER_STATUS && !member_status_valid(member))
    err = COOP_E_DECODE;
  if (err)
    memset(member, 0, sizeof *member);
  return err;
}

void ledger_member_id(const uint8_t audience_id[LEDGER_AUDIENCE_ID_BYTES],
                      char out[LEDGER_MEMBER_ID_CHARS + 1])
{
  /* "m-%02x%02x%02x", written directly: a member id is made for every
   * record an import indexes, and snprintf was ~1.5 % of it. */
  static const char digits[] = "0123456789abcdef";
  _Static_assert(LEDGER_MEMBER_ID_CHARS == 8, "m- and three bytes in hex");
  out[0] = 'm';
  out[1] = '-';
  for (int i = 0; i < 3; i++) {
    out[2 + 2 * i] = digits[audience_id[i] >> 4];
    out[3 + 2 * i] = digits[audience_id[i] & 15];
  }
  out[LEDGER_MEMBER_ID_CHARS] = 0;
}

int ledger_looks_like_bsn(const char *text)
{
  if (strlen(text) != 9)
    return 0;
  int sum = 0;
  for (int i = 0; i < 9; i++) {
    if (text[i] < '0' || text[i] > '9')
      return 0;
    int weight = i < 8 ? 9 - i : -1; /* the 11-check: 9..2 and -1 for the last digit */
    sum += weight * (text[i] - '0');
  }
  return sum % 11 == 0 && strcmp(text, "000000000") != 0;
}

/* ---- records ------------------------------------------------------------ */

static const char *const record_types[] = {
  [LEDGER_RECORD_REVENUE] = "revenue",
  [LEDGER_RECORD_COST] = "cost",
  [LEDGER_RECORD_ALLOWANCE] = "allowance",
  [LEDGER_RECORD_SPEND] = "spend",
  [LEDGER_RECORD_OTHER_INCOME] = "other-income",
  [LEDGER_RECORD_HOURS] = "hours",
  [LEDGER_RECORD_COOP_COST] = "coop-cost",
  [LEDGER_RECORD_REMITTANCE] = "remittance",
  [LEDGER_RECORD_CORRECTION] = "correction",
  [LEDGER_RECORD_OPENING] = "opening",
  [LEDGER_RECORD_PROFIT_SPLIT] = "profit-split",
  [LEDGER_RECORD_ERASED_MEMBER] = "erased-member",
  [LEDGER_RECORD_YEAR_CLOSE] = "year-close",
};
#define RECORD_TYPE_LAST LEDGER_RECORD_YEAR_CLOSE

const char *ledger_record_type_name(uint8_t type)
{
  if (type < 1 || type > RECORD_TYPE_LAST)
    return NULL;
  return record_types[type];
}

int ledger_record_type_from_name(const char *name)
{
  for (int type = 1; type <= RECORD_TYPE_LAST; type++)
    if (!strcmp(name, record_types[type]))
      return type;
  return 0;
}

int ledger_record_by_hand(uint8_t type)
{
  return ledger_record_type_name(type) && type != LEDGER_RECORD_CORRECTION &&
         type != LEDGER_RECORD_PROFIT_SPLIT && type != LEDGER_RECORD_ERASED_MEMBER &&
         type != LEDGER_RECORD_YEAR_CLOSE;
}

int ledger_record_is_memo(uint8_t type)
{
  return type == LEDGER_RECORD_OTHER_INCOME || type == LEDGER_RECORD_HOURS;
}

static int has_member(const ledger_record *record)
{
  static const uint8_t zero[LEDGER_MEMBER_ID_BYTES];
  return memcmp(record->member, zero, sizeof zero) != 0;
}

/* Which records are about one member, and which are the coop's own. */
static int needs_member(uint8_t type)
{
  return type != LEDGER_RECORD_COOP_COST && type != LEDGER_RECORD_OPENING;
}

/* The result of earlier years moves only in a year close, and a year close
 * only moves profit and loss into it. */
static int account_allowed(const ledger_record *record, const ledger_account_definition *account)
{
  if (record->type == LEDGER_RECORD_YEAR_CLOSE)
    return account->code == LEDGER_ACCOUNT_RESULT_EARLIER_YEARS ||
           account->type == LEDGER_ACCOUNT_INCOME || account->type == LEDGER_ACCOUNT_EXPENSE;
  return account->code != LEDGER_ACCOUNT_RESULT_EARLIER_YEARS;
}

static coop_err postings_check(const ledger_record *record)
{
  if (record->posting_count < 2 || record->posting_count > LEDGER_POSTINGS_MAX)
    return COOP_E_UNBALANCED;
  int64_t sum = 0;
  for (unsigned i = 0; i < record->posting_count; i++) {
    const ledger_account_definition *account = ledger_chart_find(record->postings[i].account);
    if (!account || (account->per_member && !has_member(record)) ||
        !account_allowed(record, account))
      return COOP_E_UNKNOWN_ACCOUNT;
    if (record->postings[i].amount_cents == 0)
      return COOP_E_BAD_INPUT;
    if (__builtin_add_overflow(sum, record->postings[i].amount_cents, &sum))
      return COOP_E_OVERFLOW;
  }
  return sum == 0 ? COOP_OK : COOP_E_UNBALANCED;
}

uint32_t ledger_record_month(const ledger_record *record)
{
  return record->for_period ? record->for_period : record->date / 100;
}

coop_err ledger_record_check(const ledger_record *record)
{
  if (!ledger_record_type_name(record->type) || !ledger_date_valid(record->date))
    return COOP_E_BAD_INPUT;
  if (record->type == LEDGER_RECORD_CORRECTION) {
    if (!record->corrects || !ledger_period_valid(record->corrects_period) ||
        !ledger_record_type_name(record->memo_type) ||
        record->memo_type == LEDGER_RECORD_CORRECTION ||
        record->memo_type == LEDGER_RECORD_ERASED_MEMBER ||
        record->memo_type == LEDGER_RECORD_YEAR_CLOSE)
      return COOP_E_BAD_INPUT;
  } else if (record->corrects || record->corrects_period || record->memo_type) {
    return COOP_E_BAD_INPUT;
  }
  /* Only an earlier month: the date's own month needs no attribution (and
   * one record has one encoding). */
  if (record->for_period &&
      (!ledger_period_valid(record->for_period) || record->for_period >= record->date / 100))
    return COOP_E_BAD_INPUT;
  uint8_t kind = record->type == LEDGER_RECORD_CORRECTION ? record->memo_type : record->type;
  /* A year close is a member's (her accounts) or the coop's (its own). */
  if (kind != LEDGER_RECORD_YEAR_CLOSE && needs_member(kind) != has_member(record))
    return COOP_E_BAD_INPUT;
  if (ledger_record_is_memo(kind))
    return record->posting_count == 0 && record->quantity != 0 ? COOP_OK : COOP_E_BAD_INPUT;
  if (record->quantity != 0)
    return COOP_E_BAD_INPUT;
  return postings_check(record);
}

coop_err ledger_record_encode(const ledger_record *record, coop_buf *out)
{
  coop_err err = ledger_record_check(record);
  if (err)
    return err;
  /* Version 2 only when attributed: every other record keeps version 1's
   * bytes, as signed before version 2 existed. */
  ledger_write_u8(out, record->for_period ? 2 : 1, &err);
  ledger_write_u8(out, record->type, &err);
  ledger_write_u32(out, record->date, &err);
  ledger_write_bytes(out, record->member, LEDGER_MEMBER_ID_BYTES, &err);
  ledger_write_text8(out, record->ref, LEDGER_REF_BYTES_MAX, &err);
  ledger_write_text16(out, record->note, LEDGER_RECORD_NOTE_BYTES_MAX, &err);
  ledger_write_i64(out, record->quantity, &err);
  ledger_write_u64(out, record->corrects, &err);
  ledger_write_u32(out, record->corrects_period, &err);
  ledger_write_u8(out, record->memo_type, &err);
  if (record->for_period)
    ledger_write_u32(out, record->for_period, &err);
  ledger_write_u8(out, record->posting_count, &err);
  for (unsigned i = 0; i < record->posting_count; i++) {
    ledger_write_u16(out, record->postings[i].account, &err);
    ledger_write_i64(out, record->postings[i].amount_cents, &err);
  }
  return err;
}

coop_err ledger_record_decode(const uint8_t *bytes, size_t count, ledger_record *record)
{
  memset(record, 0, sizeof *record);
  ledger_reader reader;
  ledger_reader_init(&reader, bytes, count);
  uint8_t version = ledger_read_u8(&reader);
  if (version != 1 && version != 2)
    return reader.error ? reader.error : COOP_E_VERSION; /* nothing written yet */
  record->type = ledger_read_u8(&reader);
  record->date = ledger_read_u32(&reader);
  ledger_read_bytes(&reader, record->member, LEDGER_MEMBER_ID_BYTES);
  ledger_read_text8(&reader, record->ref, LEDGER_REF_BYTES_MAX);
  ledger_read_text16(&reader, record->note, LEDGER_RECORD_NOTE_BYTES_MAX);
  record->quantity = ledger_read_i64(&reader);
  record->corrects = ledger_read_u64(&reader);
  record->corrects_period = ledger_read_u32(&reader);
  record->memo_type = ledger_read_u8(&reader);
  if (version == 2) {
    record->for_period = ledger_read_u32(&reader);
    if (!record->for_period && !reader.error)
      reader.error = COOP_E_DECODE; /* version 2 is an attributed record */
  }
  record->posting_count = ledger_read_u8(&reader);
  if (record->posting_count > LEDGER_POSTINGS_MAX) {
    memset(record, 0, sizeof *record);
    return COOP_E_DECODE;
  }
  for (unsigned i = 0; i < record->posting_count; i++) {
    record->postings[i].account = ledger_read_u16(&reader);
    record->postings[i].amount_cents = ledger_read_i64(&reader);
  }
  coop_err err = ledger_reader_finish(&reader);
  /* The same checks as before encoding: a stored record that would not have
   * been accepted is refused on the way back in. */
  if (!err && ledger_record_check(record) != COOP_OK)
    err = COOP_E_DECODE;
  if (err)
    memset(record, 0, sizeof *record);
  return err;
}

coop_err ledger_record_postings(ledger_record *record, int64_t amount_cents)
{
  uint16_t debit, credit;
  switch (record->type) {
  case LEDGER_RECORD_REVENUE:
    debit = LEDGER_ACCOUNT_BANK, credit = LEDGER_ACCOUNT_MEMBER_REVENUE;
    break;
  case LEDGER_RECORD_COST:
    debit = LEDGER_ACCOUNT_MEMBER_COSTS, credit = LEDGER_ACCOUNT_BANK;
    break;
  case LEDGER_RECORD_ALLOWANCE:
    debit = LEDGER_ACCOUNT_MEMBER_VOLUNTEER_ALLOWANCE, credit = LEDGER_ACCOUNT_BANK;
    break;
  case LEDGER_RECORD_SPEND:
    debit = LEDGER_ACCOUNT_MEMBER_DEVELOPMENT_BUDGET, credit = LEDGER_ACCOUNT_BANK;
    break;
  case LEDGER_RECORD_COOP_COST:
    debit = LEDGER_ACCOUNT_COOP_COSTS, credit = LEDGER_ACCOUNT_BANK;
    break;
  case LEDGER_RECORD_REMITTANCE:
    debit = LEDGER_ACCOUNT_MEMBER_DUE_MUNICIPALITY, credit = LEDGER_ACCOUNT_BANK;
    break;
  case LEDGER_RECORD_OPENING:
    debit = LEDGER_ACCOUNT_BANK, credit = LEDGER_ACCOUNT_OPENING_BALANCES;
    break;
  default:
    return COOP_E_BAD_INPUT;
  }
  if (amount_cents <= 0)
    return COOP_E_BAD_INPUT;
  record->posting_count = 2;
  record->postings[0] = (ledger_posting){debit, amount_cents};
  record->postings[1] = (ledger_posting){credit, -amount_cents};
  return COOP_OK;
}
