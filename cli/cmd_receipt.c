/* coop receipt export | verify: a member's proof of a month, checked
 * offline.  The file is JSON that only carries the signed binary parts
 * (ledger/books/receipt.h); nothing in it is trusted until verified, and it must
 * be exactly as written (canonical form, lower-case hex, no unknown fields),
 * so any change to any byte is refused. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "cli/cli.h"
#include "ledger/base/alloc.h"
#include "ledger/base/hex.h"
#include "ledger/books/money.h"
#include "node/audit.h"
#include "node/receipt.h"

#define RECEIPT_FILE_BYTES_MAX (1024u * 1024u)
/* `receipt verify`: consistent and acknowledged, but no anchor given. */
#define RECEIPT_EXIT_UNANCHORED 3
/* Anchors from the command line (each of --municipality, --coop, --witness)
 * and from the --dir node (its peers and itself). */
#define RECEIPT_ANCHORS_MAX (NODE_PEERS_MAX + 1u + 16u) /* on the heap: see verify_options */

/* parse_verify_options' answer after --help: the command stops, exit 0. */
#define HELP_SHOWN 100

static const char usage[] =
    "usage: coop receipt export [--member ID] -p YYYY-MM [--dir DIR] > receipt.json\n"
    "       coop receipt verify FILE [--municipality KEY|FINGERPRINT] [--coop KEY|FINGERPRINT]\n"
    "                                [--witness KEY|FINGERPRINT]... [--lang nl|en] [--dir DIR]\n"
    "\n"
    "export  writes a member's receipt for a month: the coop's statement, its\n"
    "        inclusion proof in a coop checkpoint (cosigned by a witness when one\n"
    "        has), the municipality's acknowledgement with its proof, and the key\n"
    "        that opens these entries.  On a member's own node --member is not\n"
    "        needed.  The key opens the member's own entries only: share a receipt\n"
    "        with whom you would show the statement.\n"
    "verify  checks a receipt offline, without a node or database: every signature,\n"
    "        hash and proof, that the key opens the statement and the verdict, and\n"
    "        that the verdict names exactly this statement and these figures.  It\n"
    "        prints one line saying what the receipt proves, or exactly what fails.\n"
    "        A receipt only proves something about a real municipality when you\n"
    "        have its key from elsewhere (its letter or website: 'coop id --card'):\n"
    "  --municipality KEY|FINGERPRINT  the municipality's key or fingerprint\n"
    "  --coop KEY|FINGERPRINT          the coop's too (optional)\n"
    "  --witness KEY|FINGERPRINT       a witness whose cosignature counts (repeatable;\n"
    "                                  the anchored municipality counts as one)\n"
    "  --lang nl|en                    the line in Dutch (default: the officer and the\n"
    "                                  member read it) or in English\n"
    "  --dir DIR                       the peers in this node's node.conf (and the node\n"
    "                                  itself) are anchors and witnesses, by name; and\n"
    "                                  the node says whether the statement is still the\n"
    "                                  one in force or which later one replaced it\n"
    "Offline a receipt shows the statement in force as of its checkpoint: a later\n"
    "reissue does not show there (check with --dir on a node that holds the logs).\n"
    "\n"
    "exit status of verify:\n"
    "  0  the statement was acknowledged and the municipality (and --coop) is anchored\n"
    "  1  refused: a rule broken, an anchor that does not match, not acknowledged,\n"
    "     or (with --dir) replaced by a later statement\n"
    "  2  usage error\n"
    "  3  internally consistent and acknowledged, but not anchored: nothing ties its\n"
    "     keys to a real municipality (compare the fingerprints it prints)\n";

/* ---- Export ------------------------------------------------------------------- */

static int receipt_export(int argc, char **argv)
{
  static const cli_spec spec = {"receipt", usage, 0, CLI_USAGE_WHOLE};
  const char *member = NULL, *period_text = NULL;
  const cli_option options[] = {CLI_VALUE("member", 0, "ID", &member, NULL),
                                CLI_VALUE("period", 'p', "YYYY-MM", &period_text, NULL),
                                CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  const char *dir = args.dir;
  uint32_t period = 0;
  if (!period_text || ledger_period_parse(period_text, &period))
    return cli_usage_error("receipt", "'receipt export' needs -p YYYY-MM");
  char member_id[CLI_MEMBER_ID_BYTES];
  if (member && !(member = cli_member_arg(dir, member, member_id)))
    return CLI_EXIT_FAILURE;
  node opened;
  if (cli_open_node(dir, &opened))
    return CLI_EXIT_FAILURE;
  ledger_receipt *receipt = sodium_malloc(sizeof *receipt);
  char message[NODE_MESSAGE_BYTES] = "";
  coop_err err = receipt ? node_receipt_build(&opened, member, period, receipt, message)
                         : COOP_E_NOMEM;
  node_close(&opened);
  char *text = NULL;
  if (!err)
    err = node_receipt_write_json(receipt, &text);
  if (receipt)
    sodium_free(receipt);
  if (err) {
    cli_error("%s", message[0] ? message : coop_err_message(err));
    return CLI_EXIT_FAILURE;
  }
  fputs(text, stdout);
  free(text);
  return CLI_EXIT_OK;
}

/* ---- Verify: anchors ---------------------------------------------------------- */

typedef struct anchor_list {
  ledger_receipt_anchor items[RECEIPT_ANCHORS_MAX];
  size_t count;
} anchor_list;

typedef struct verify_options {
  const char *file, *dir;
  anchor_list municipalities, coops, witnesses;
  bool coop_given;
  bool english; /* the line: Dutch unless --lang en, as 'coop statement' */
} verify_options;

/* Dutch or English: a macro, so that as a format both literals are checked. */
#define SAY(o, in_dutch, in_english) ((o)->english ? (in_english) : (in_dutch))

static int add_anchor(anchor_list *list, const char *text, const char *option)
{
  if (list->count == RECEIPT_ANCHORS_MAX)
    return cli_usage_error("receipt", "too many %s options", option);
  if (ledger_receipt_anchor_parse(text, NULL, &list->items[list->count]))
    return cli_usage_error("receipt",
                           "%s '%s': expected a node key (64 hex digits) or a fingerprint "
                           "(1a2b-3c4d-5e6f-7081)",
                           option, text);
  list->count++;
  return 0;
}

static void add_known_key(anchor_list *list, const uint8_t key[32], const char *name)
{
  if (list->count == RECEIPT_ANCHORS_MAX)
    return;
  ledger_receipt_anchor *anchor = &list->items[list->count++];
  char hex[65];
  ledger_hex_encode(key, 32, hex);
  if (ledger_receipt_anchor_parse(hex, name, anchor))
    list->count--;
}

/* The --dir node's own key and its peers': municipalities and coops by
 * role, and every one of them as a witness. */
static int anchors_from_node(verify_options *o)
{
  node opened;
  if (cli_open_node(o->dir, &opened))
    return CLI_EXIT_FAILURE;
  for (size_t i = 0; i <= opened.peer_count; i++) {
    bool self = i == opened.peer_count;
    const uint8_t *key = self ? opened.identity.public_key : opened.peers[i].key;
    const char *name = self ? opened.name : opened.peers[i].name;
    int role = self ? opened.role : opened.peers[i].role;
    if (role == LEDGER_ROLE_MUNICIPALITY)
      add_known_key(&o->municipalities, key, name);
    if (role == LEDGER_ROLE_COOP)
      add_known_key(&o->coops, key, name);
    add_known_key(&o->witnesses, key, name);
  }
  node_close(&opened);
  return 0;
}

/* Each --municipality, --coop and --witness adds an anchor. */
static int add_municipality(void *o, const char *text)
{
  return add_anchor(&((verify_options *)o)->municipalities, text, "--municipality");
}

static int add_coop(void *o, const char *text)
{
  ((verify_options *)o)->coop_given = true;
  return add_anchor(&((verify_options *)o)->coops, text, "--coop");
}

static int add_witness(void *o, const char *text)
{
  return add_anchor(&((verify_options *)o)->witnesses, text, "--witness");
}

/* 0 to go on, else the exit code (CLI_EXIT_OK after --help). */
static int parse_verify_options(int argc, char **argv, verify_options *o)
{
  static const cli_spec spec = {"receipt", usage, 0, CLI_USAGE_WHOLE};
  const char *lang = "nl";
  const cli_option options[] = {
      CLI_EACH("municipality", "KEY", add_municipality, o, NULL),
      CLI_EACH("coop", "KEY", add_coop, o, NULL),
      CLI_EACH("witness", "KEY", add_witness, o, NULL),
      CLI_VALUE("lang", 0, "LANGUAGE", &lang, NULL),
      CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status == CLI_EXIT_OK ? HELP_SHOWN : status;
  if (args.argc != 1)
    return cli_usage_error("receipt", "'receipt verify' needs exactly one FILE");
  if (strcmp(lang, "nl") && strcmp(lang, "en"))
    return cli_usage_error("receipt", "unknown language '%s' (expected nl or en)", lang);
  o->english = !strcmp(lang, "en");
  o->file = args.argv[0];
  o->dir = args.dir;
  return o->dir ? anchors_from_node(o) : 0;
}

/* ---- Verify: the one line ------------------------------------------------------ */

/* "1a2b-3c4d-5e6f-7081 (breda)", or the fingerprint alone when unnamed. */
static void party_text(const uint8_t key[32], const ledger_receipt_anchor *anchor, char *out,
                       size_t size)
{
  char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
  ledger_fingerprint(key, fingerprint);
  if (anchor && anchor->name[0])
    snprintf(out, size, "%s (%s)", fingerprint, anchor->name);
  else
    snprintf(out, size, "%s", fingerprint);
}

static void print_witness(const verify_options *o, const ledger_receipt *receipt,
                          const ledger_receipt_facts *facts, const ledger_receipt_trust *trust)
{
  char witness[160];
  party_text(receipt->witness, trust->witness, witness, sizeof witness);
  if (!facts->cosigned)
    printf("%s", SAY(o, ", geen medeondertekening door een getuige", ", no witness cosignature"));
  else if (trust->witness_counted)
    printf(SAY(o, ", medeondertekend door getuige %s", ", cosigned by witness %s"), witness);
  else
    printf(SAY(o, ", medeondertekening door %s niet meegeteld (geen getuige die u vertrouwt: "
                  "--witness of --dir)",
               ", cosignature by %s not counted (not a witness you trust: --witness or --dir)"),
           witness);
}

/* Who the statement is about: a version 2 statement names the member (her
 * name, client ref and, when she has a node, her key), so the reader can
 * see that the receipt is hers; version 1 only has the member id. */
static void print_member(const verify_options *o, const ledger_receipt *receipt,
                         const ledger_statement_payload *statement)
{
  if (statement->version < 2 || !statement->member_name[0]) {
    printf("%s", receipt->member_label);
    return;
  }
  printf(SAY(o, "van %s (%s, klantnummer %s", "of %s (%s, client ref %s"), statement->member_name,
         receipt->member_label, statement->client_ref);
  if (statement->has_member_key) {
    char fingerprint[LEDGER_FINGERPRINT_CHARS + 1];
    ledger_fingerprint(statement->member_key, fingerprint);
    printf(SAY(o, ", sleutel van het lid %s", ", member key %s"), fingerprint);
  }
  printf(")");
}

static void print_facts(const verify_options *o, const ledger_receipt *receipt,
                        const ledger_receipt_facts *facts, const ledger_receipt_trust *trust,
                        const char *status)
{
  char coop[160], municipality[160], period[8];
  char counted[LEDGER_MONEY_TEXT_BYTES], offset[LEDGER_MONEY_TEXT_BYTES],
      due[LEDGER_MONEY_TEXT_BYTES];
  party_text(facts->coop_log, trust->coop, coop, sizeof coop);
  party_text(facts->statement.rule_set_log, trust->municipality, municipality,
             sizeof municipality);
  ledger_period_format(facts->statement.period, period);
  ledger_money_format_dutch(facts->statement.figures.counted_income_cents, counted);
  ledger_money_format_dutch(facts->statement.figures.offset_cents, offset);
  ledger_money_format_dutch(facts->statement.figures.to_municipality_cents, due);
  printf("%s %s: ", SAY(o, "ontvangstbewijs", "receipt"), status);
  if (!trust->municipality)
    printf(SAY(o, "op zichzelf klopt het, maar niets verbindt de sleutels met een echte gemeente: "
                  "vergelijk gemeente %s en coöperatie %s met de brief of website van de "
                  "gemeente en controleer dan met --municipality; ",
               "internally consistent, but nothing ties its keys to a real municipality: compare "
               "municipality %s and coop %s with the municipality's letter or website, then "
               "verify with --municipality; "),
           municipality, coop);
  printf("%s ", SAY(o, "verrekening", "statement"));
  print_member(o, receipt, &facts->statement);
  printf(SAY(o, " %s is entry %llu van coöperatie %s (ondertekend bij omvang %llu",
             " %s is entry %llu of coop %s (signed at size %llu"),
         period, (unsigned long long)facts->statement_index, coop,
         (unsigned long long)receipt->statement.checkpoint.size);
  print_witness(o, receipt, facts, trust);
  printf("), ");
  if (facts->acknowledged)
    printf(SAY(o, "akkoord van gemeente %s in haar entry %llu",
               "acknowledged by municipality %s in its entry %llu"),
           municipality, (unsigned long long)facts->verdict_index);
  else if (facts->disputed)
    printf(SAY(o, "BETWIST door gemeente %s in haar entry %llu (%s)",
               "DISPUTED by municipality %s in its entry %llu (%s)"),
           municipality, (unsigned long long)facts->verdict_index,
           ledger_dispute_reason_name(facts->verdict.reason));
  else
    printf("%s", SAY(o, "nog zonder oordeel van de gemeente",
                     "with no verdict of the municipality yet"));
  printf(SAY(o, "; getelde inkomsten %s, verrekening %s, naar de gemeente %s\n",
             "; counted income %s, offset %s, to the municipality %s\n"),
         counted, offset, due);
}

/* ---- Verify ------------------------------------------------------------------- */

typedef struct in_force_search {
  const uint8_t *coop_log;
  uint32_t period;
  bool found;
  uint64_t latest; /* the statement in force for the member and month */
} in_force_search;

static coop_err take_latest(void *context, const node_member_month *month)
{
  in_force_search *search = context;
  if (month->period == search->period && month->has_statement &&
      !memcmp(month->coop_log, search->coop_log, LEDGER_LOG_ID_BYTES)) {
    search->found = true;
    search->latest = month->statement_index;
  }
  return COOP_OK;
}

/* Whether the receipt's statement is still in force: offline only as of its
 * checkpoint; with --dir, against the coop's log as that node holds it.
 * CLI_EXIT_FAILURE when a later statement replaced it. */
static int say_in_force(const ledger_receipt *receipt, const ledger_receipt_facts *facts,
                        const verify_options *o)
{
  char as_of[32];
  cli_format_time(receipt->statement.checkpoint.timestamp_ms, as_of);
  if (!o->dir) {
    printf(SAY(o, "geldig per %s (het controlepunt van de coöperatie); een latere herberekening "
                  "ziet u hier niet: controleer met --dir NODE\n",
               "in force as of %s (the coop's checkpoint); a later reissue would not show here: "
               "check with --dir NODE\n"),
           as_of);
    return CLI_EXIT_OK;
  }
  node opened;
  if (cli_open_node(o->dir, &opened))
    return CLI_EXIT_FAILURE;
  in_force_search search = {.coop_log = facts->coop_log, .period = facts->statement.period};
  coop_err err = node_member_months(&opened, receipt->member_label, take_latest, &search);
  node_close(&opened);
  if (err || !search.found) {
    printf(SAY(o, "geldig per %s; %s kan niet zeggen of een latere verrekening haar verving (%s)\n",
               "in force as of %s; %s cannot tell whether a later statement replaced it (%s)\n"),
           as_of, o->dir,
           err ? coop_err_message(err)
               : SAY(o, "het kan de verrekeningen van dit lid niet lezen",
                     "it cannot read this member's statements"));
    return CLI_EXIT_OK;
  }
  if (search.latest == facts->statement_index) {
    printf(SAY(o, "geldig: de laatste verrekening van dit lid en deze maand in het logboek van de "
                  "coöperatie zoals %s het heeft\n",
               "in force: the latest statement of this member and month in the coop's log as %s "
               "holds it\n"),
           o->dir);
    return CLI_EXIT_OK;
  }
  printf(SAY(o, "VERVANGEN: entry %llu van het logboek van de coöperatie vervangt deze verrekening "
                "(zie 'coop statement --member %s -p ...' of het ontvangstbewijs daarvan)\n",
             "SUPERSEDED: entry %llu of the coop's log replaces this statement (see 'coop statement "
             "--member %s -p ...' or its receipt)\n"),
         (unsigned long long)search.latest, receipt->member_label);
  return CLI_EXIT_FAILURE;
}

/* What each rule of a receipt (docs/log-format.md §Receipts) means, in
 * Dutch, for the member or officer who reads the rejection. */
static const struct {
  const char *rule;
  const char *dutch;
} rule_meanings[] = {
    {"fields", "het bestand is geen leesbaar ontvangstbewijs"},
    {"header", "een entry in het ontvangstbewijs is beschadigd"},
    {"inclusion", "de verrekening staat niet aantoonbaar in het ondertekende logboek"},
    {"checkpoint-signature", "de handtekening onder het logboek klopt niet"},
    {"key", "de sleutel in het ontvangstbewijs opent de gegevens niet"},
    {"non-negative", "een bedrag dat niet negatief kan zijn, is negatief"},
    {"enum-range", "een soort in de verrekening bestaat niet"},
    {"statement-decodes", "de verrekening is onleesbaar of telt niet op"},
    {"payload-canonical", "de gegevens staan niet in hun enige geldige vorm"},
    {"member-audience", "de verrekening is niet versleuteld voor het lid"},
    {"inputs-period", "de gegevens zijn van een andere maand dan de verrekening"},
    {"coop-not-municipality",
     "coöperatie en gemeente hebben dezelfde sleutel: niemand anders staat ervoor in"},
    {"labels", "lid en maand in het bestand zijn niet die van de ondertekende verrekening"},
    {"cosignature", "de medeondertekening van de getuige klopt niet"},
    {"verdict-log", "het oordeel is ondertekend door een andere gemeente dan die van de regels"},
    {"verdict-statement", "het oordeel gaat over een andere verrekening"},
    {"verdict-figures", "het oordeel gaat over andere bedragen"},
    {"verdict-member-month", "het oordeel gaat over een ander lid of een andere maand"},
    {"verdict-audience", "het oordeel is versleuteld voor een ander dan het lid"},
    {"verdict-kind", "het oordeel is geen akkoord en geen bezwaar"},
    {"verdict-decodes", "het oordeel is onleesbaar"},
    {"statement-kind", "de entry is geen verrekening"},
    {"coop-anchor", "de coöperatie is niet de coöperatie die u vertrouwt"},
    {"municipality-anchor", "de gemeente is niet de gemeente die u vertrouwt"},
};

/* The Dutch meaning of the rule `problem` ends with ("... (rule 'key')"),
 * or NULL; `detail` gets the problem without that ending. */
static const char *rule_in_dutch(const char *problem, char *detail, size_t detail_bytes,
                                 const char **rule)
{
  const char *mark = strstr(problem, " (rule '");
  snprintf(detail, detail_bytes, "%.*s", mark ? (int)(mark - problem) : (int)strlen(problem),
           problem);
  for (size_t i = 0; mark && i < sizeof rule_meanings / sizeof rule_meanings[0]; i++) {
    size_t length = strlen(rule_meanings[i].rule);
    if (!strncmp(mark + 8, rule_meanings[i].rule, length) && !strcmp(mark + 8 + length, "')")) {
      *rule = rule_meanings[i].rule;
      return rule_meanings[i].dutch;
    }
  }
  return NULL;
}

/* A rule the receipt breaks, after the verdict: in Dutch what the rule
 * means, then the check's own words (ledger/books/receipt.h names its
 * rules), which hold the numbers and fingerprints; in English the check's
 * words alone. */
static void say_rejected(const verify_options *o, const char *problem)
{
  char detail[256];
  const char *rule = NULL;
  const char *meaning = o->english ? NULL : rule_in_dutch(problem, detail, sizeof detail, &rule);
  if (meaning)
    cli_error("ontvangstbewijs AFGEWEZEN: %s: %s (regel '%s'; in detail: %s)", o->file, meaning,
              rule, detail);
  else
    cli_error("%s: %s: %s", SAY(o, "ontvangstbewijs AFGEWEZEN", "receipt REJECTED"), o->file,
              problem);
}

/* Verified and judged: the status word, the line, the exit status. */
static int report(const ledger_receipt *receipt, const ledger_receipt_facts *facts,
                  const verify_options *o)
{
  ledger_receipt_anchors anchors = {
      .municipalities = o->municipalities.items, .municipality_count = o->municipalities.count,
      .coops = o->coops.items, .coop_count = o->coops.count, .coop_required = o->coop_given,
      .witnesses = o->witnesses.items, .witness_count = o->witnesses.count};
  ledger_receipt_trust trust;
  char problem[256];
  coop_err judged = ledger_receipt_judge(receipt, facts, &anchors, &trust, problem);
  if (judged && judged != COOP_E_NOT_FOUND) {
    say_rejected(o, problem);
    return CLI_EXIT_FAILURE;
  }
  bool anchored = !judged;
  const char *status = !facts->acknowledged ? (facts->disputed ? SAY(o, "BETWIST", "DISPUTED")
                                                               : SAY(o, "NOG GEEN AKKOORD",
                                                                     "NOT ACKNOWLEDGED"))
                       : anchored           ? "OK"
                                            : SAY(o, "NIET VERANKERD", "NOT ANCHORED");
  print_facts(o, receipt, facts, &trust, status);
  if (facts->statement.corrects)
    printf(SAY(o, "zij vervangt de verrekening in entry %llu van het logboek van de coöperatie\n",
               "it replaces the statement in entry %llu of the coop's log\n"),
           (unsigned long long)(facts->statement.corrects - 1));
  int in_force = say_in_force(receipt, facts, o);
  if (!facts->acknowledged || in_force != CLI_EXIT_OK)
    return CLI_EXIT_FAILURE;
  return anchored ? CLI_EXIT_OK : RECEIPT_EXIT_UNANCHORED;
}

static int receipt_verify(int argc, char **argv)
{
  verify_options *o = coop_calloc(1, sizeof *o);
  ledger_receipt *receipt = sodium_malloc(sizeof *receipt);
  ledger_receipt_facts *facts = coop_malloc(sizeof *facts);
  int status = CLI_EXIT_FAILURE;
  if (o && receipt && facts)
    status = parse_verify_options(argc, argv, o);
  else
    cli_error("out of memory");
  coop_buf text;
  coop_buf_init(&text, RECEIPT_FILE_BYTES_MAX);
  char problem[256] = "";
  /* Errors name the file the user typed ("receipt" alone for standard input). */
  const char *name = o->file && strcmp(o->file, "-") ? o->file : "receipt";
  if (status == 0 && cli_read_input(o->file, name, "more than 1 MiB", &text))
    status = CLI_EXIT_FAILURE;
  if (status == 0 &&
      (node_receipt_read_json((const char *)text.data, text.len, receipt, problem) ||
       ledger_receipt_verify(receipt, facts, problem))) {
    say_rejected(o, problem);
    status = CLI_EXIT_FAILURE;
  }
  if (status == 0)
    status = report(receipt, facts, o);
  coop_buf_release(&text);
  if (receipt)
    sodium_free(receipt);
  coop_free(facts);
  coop_free(o);
  return status == HELP_SHOWN ? CLI_EXIT_OK : status;
}

int cli_cmd_receipt(int argc, char **argv)
{
  static const cli_subcommand table[] = {
      {"export", receipt_export}, {"verify", receipt_verify}, {NULL, NULL}};
  return cli_run_subcommand("receipt", usage, table, argc, argv);
}
