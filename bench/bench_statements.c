/* Statement benchmarks: month close for many members from the books, the
 * offset engine alone, and (--audit K) the municipality's audit of K coops.
 *
 * usage: bench_statements [--members N] [--months M] [--dir DIR]
 *        bench_statements --audit K [--members N] [--months M] [--dir DIR]
 *        bench_statements --open-last [--members N] [--months M] [--dir DIR]
 *        bench_statements --pages [--members N] [--months M] [--dir DIR]
 * Builds a municipality with the 2026 rule set and a coop with N members in a
 * fresh directory, records revenue and costs for each member and month, then
 * closes the months one by one and reports statements per second (wall and
 * CPU).  --open-last records month M but leaves it open, so that its close
 * can be run (and profiled) with 'coop period close' on copies of the coop;
 * BENCH_PERF_CONTROL (perf_control) profiles the closes of a run (with
 * --audit, the full audit from scratch); --pages
 * says what each close wrote (pages_begin).  With
 * --audit K: K such coops; months 1..M-1 closed everywhere are audited from
 * scratch (statements/s), then one coop closes month M and the audit runs
 * again as the daemon does (incremental: logs judged completely and not
 * grown are skipped) and as a one-shot 'coop audit run' does (every log
 * read again).  The audit runs with its second thread (the tables'
 * writer and the verdicts' appender, node/audit_index.h) whatever the
 * load; --one-thread without it, to compare.  Either way 'coop rebuild'
 * is timed with one thread and with two, one after the other.  Not a test: it asserts nothing and is never run by `meson
 * test`. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "ledger/base/alloc.h"
#include "ledger/offset/offset.h"
#include "ledger/offset/offset_codec.h"
#include "ledger/store/bundle.h"
#include "node/audit.h"
#include "node/audit_index.h"
#include "node/books.h"
#include "ledger/store/store_sql.h" /* --pages: the connection, for sqlite3_db_status */

static double now_seconds(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* With BENCH_PERF_CONTROL=FIFO (perf record --control fifo:FIFO -D -1),
 * perf samples the closes only, not the enrolment and records before. */
static void perf_control(const char *command)
{
  const char *fifo = getenv("BENCH_PERF_CONTROL");
  FILE *control = fifo ? fopen(fifo, "w") : NULL;
  if (control) {
    fprintf(control, "%s\n", command);
    fclose(control);
  }
}

/* --pages: what a close writes.  sqlite3_db_status counts the pages the
 * pager wrote (WAL frames, at the commit or spilled before it when the
 * transaction outgrows the cache); the WAL hook stands in for SQLite's
 * default one, making the same PASSIVE checkpoint at the same threshold
 * (PRAGMA wal_autocheckpoint), and counts the frames it copies. */
typedef struct page_stats {
  int threshold; /* wal_autocheckpoint, in frames */
  long long checkpoints, checkpointed;
} page_stats;

static int count_checkpoints(void *context, sqlite3 *db, const char *name, int frames)
{
  page_stats *stats = context;
  if (stats->threshold <= 0 || frames < stats->threshold)
    return SQLITE_OK;
  int log = 0, copied = 0;
  if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK) {
    stats->checkpoints++;
    stats->checkpointed += copied;
  }
  return SQLITE_OK;
}

static int pragma_int(sqlite3 *db, const char *sql)
{
  sqlite3_stmt *statement = NULL;
  int value = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW)
    value = sqlite3_column_int(statement, 0);
  sqlite3_finalize(statement);
  return value;
}

static void pages_begin(node *coop, page_stats *stats)
{
  sqlite3 *db = ledger_store_db(coop->store);
  int current = 0, highest = 0;
  if (!stats->threshold) {
    stats->threshold = pragma_int(db, "PRAGMA wal_autocheckpoint");
    fprintf(stderr, "pages: page_size %d, wal_autocheckpoint %d, cache_size %d\n",
            pragma_int(db, "PRAGMA page_size"), stats->threshold,
            pragma_int(db, "PRAGMA cache_size"));
    sqlite3_wal_hook(db, count_checkpoints, stats);
  }
  sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_WRITE, &current, &highest, 1);
  sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_SPILL, &current, &highest, 1);
  stats->checkpoints = stats->checkpointed = 0;
}

static void pages_end(node *coop, const page_stats *stats, long members)
{
  sqlite3 *db = ledger_store_db(coop->store);
  int written = 0, spilled = 0, highest = 0;
  sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_WRITE, &written, &highest, 0);
  sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_SPILL, &spilled, &highest, 0);
  fprintf(stderr, "pages: %d written (%.2f per statement), %d of them spilled before the "
          "commit; %lld checkpoints copied %lld (%.2f per statement)\n", written,
          (double)written / (double)members, spilled, stats->checkpoints, stats->checkpointed,
          (double)stats->checkpointed / (double)members);
}

static void die(const char *what, const char *detail)
{
  fprintf(stderr, "bench_statements: %s: %s\n", what, detail);
  exit(1);
}

static void set_clock(uint32_t period)
{
  /* The first day of the month after `period`, noon UTC. */
  struct tm day = {.tm_year = (int)(period / 100) - 1900, .tm_mon = (int)(period % 100),
                   .tm_mday = 1, .tm_hour = 12};
  char text[32];
  snprintf(text, sizeof text, "%lld000", (long long)timegm(&day));
  setenv("COOP_NOW_MS", text, 1);
}

static ledger_offset_rule_set breda_2026(void)
{
  ledger_offset_rule_set rules = {
      .effective_from = {2026, 1}, .regime = LEDGER_OFFSET_REGIME_PW2015, .norm_cents = 140150,
      .coop_pct_basis_points = 1000, .distribution = LEDGER_OFFSET_DISTRIBUTION_STATUTORY,
      .loss_rule = LEDGER_OFFSET_LOSS_FLOOR_ZERO, .min_age_nrk_years = 27,
      .pct_n_basis_points = 2500, .cap_n_cents = 28500, .n_months = 6, .pct_r_basis_points = 1250,
      .cap_r_cents = 17766, .r_months = 30, .pct_y_basis_points = 1500, .cap_y_cents = 18019,
      .pct_34a_basis_points = 1500, .months_34a = 12, .k_month_cents = 22000,
      .k_year_cents = 220000};
  snprintf(rules.municipality, sizeof rules.municipality, "Breda");
  return rules;
}

static void make_municipality(const char *dir, node *municipality)
{
  char message[NODE_MESSAGE_BYTES], path[4200];
  snprintf(path, sizeof path, "%s/municipality", dir);
  if (node_create(path, LEDGER_ROLE_MUNICIPALITY, "Breda", node_now_ms(), municipality, message))
    die("municipality", message);
  ledger_offset_rule_set rules = breda_2026();
  coop_buf payload;
  coop_buf_init(&payload, COOP_PAYLOAD_BYTES_MAX);
  if (ledger_offset_rule_set_encode(&rules, &payload))
    die("rule set", "does not encode");
  ledger_append_item item = {.kind = LEDGER_KIND_RULE_SET, .payload = payload.data,
                             .payload_bytes = payload.len};
  if (ledger_store_append(municipality->store, &municipality->identity, &item, 1, node_now_ms(),
                          NULL))
    die("rule set", "append failed");
  coop_buf_release(&payload);
}

static void copy_log(node *from, node *to, const char *dir)
{
  char path[4200], problem[256];
  snprintf(path, sizeof path, "%s/municipality.bundle", dir);
  FILE *file = fopen(path, "w+b");
  uint64_t written = 0;
  ledger_bundle_result result;
  if (!file || ledger_bundle_export(from->store, from->identity.public_key, 0, file, &written))
    die("bundle", "export failed");
  rewind(file);
  if (ledger_bundle_import(to->store, file, to->identity.public_key, node_now_ms(), &result,
                           problem))
    die("bundle", problem);
  fclose(file);
}

static void enrol_members(node *coop, const node *municipality, long members, char (*ids)[9])
{
  char message[NODE_MESSAGE_BYTES];
  for (long i = 0; i < members; i++) {
    char client_ref[32];
    snprintf(client_ref, sizeof client_ref, "BR-%06ld", i);
    node_member_request request = {.name = "Member", .client_ref = client_ref,
                                   .birth_period = 198001 + (uint32_t)(i % 12),
                                   .from_period = 202601};
    memcpy(request.municipality, municipality->identity.public_key, 32);
    if (node_member_add(coop, &request, ids[i], message))
      die("enrol", message);
    if (i % 2 == 0 && node_member_set(coop, ids[i], LEDGER_MEMBER_N_APPROVED, 202601, 1, false, message))
      die("status", message);
  }
}

static void record_month(node *coop, long members, char (*ids)[9], uint32_t period)
{
  node_record_request *requests = coop_calloc((size_t)members * 2, sizeof *requests);
  node_record_result *results = coop_calloc((size_t)members * 2, sizeof *results);
  char message[NODE_MESSAGE_BYTES];
  size_t failed_at = 0;
  for (long i = 0; i < members; i++) {
    requests[2 * i] = (node_record_request){LEDGER_RECORD_REVENUE, ids[i],
                                            50000 + (i * 7919) % 150000, period * 100 + 10,
                                            NULL, NULL, 0, 0};
    requests[2 * i + 1] = (node_record_request){LEDGER_RECORD_COST, ids[i],
                                                5000 + (i * 104729) % 40000, period * 100 + 20,
                                                NULL, NULL, 0, 0};
  }
  if (node_record_many(coop, requests, (size_t)members * 2, results, &failed_at, message))
    die("records", message);
  coop_free(requests);
  coop_free(results);
}

static double engine_per_second(long count)
{
  ledger_offset_rule_set rules = breda_2026();
  ledger_offset_state state;
  ledger_offset_statement statement;
  double start = now_seconds();
  for (long i = 0; i < count; i++) {
    if (i % 12 == 0)
      ledger_offset_state_init(&state);
    ledger_offset_month month = {.period = {2026, (int)(i % 12) + 1},
                                 .revenue_cents = 80000 + i % 1000, .costs_cents = 20000,
                                 .age_years = 30, .n_approved = (i & 1)};
    if (ledger_offset_month_compute(&rules, 1, &month, &state, &statement))
      die("engine", "compute failed");
  }
  return (double)count / (now_seconds() - start);
}

/* One coop of `members` members with months 1..months closed. */
static void make_coop(const char *home, node *municipality, const char *dir, long members,
                      long months, node *coop, char (*ids)[9])
{
  char message[NODE_MESSAGE_BYTES];
  set_clock(202512);
  if (node_create(home, LEDGER_ROLE_COOP, "Coop", node_now_ms(), coop, message))
    die("coop", message);
  copy_log(municipality, coop, dir);
  enrol_members(coop, municipality, members, ids);
  for (long month = 1; month <= months; month++) {
    uint32_t period = 202600 + (uint32_t)month;
    set_clock(period - 1);
    record_month(coop, members, ids, period);
    set_clock(period);
    if (node_period_close(coop, period, message))
      die("close", message);
  }
}

static coop_err count_verdict(void *context, const uint8_t coop_log[LEDGER_LOG_ID_BYTES],
                              uint64_t statement_index, bool dispute, const uint8_t *payload,
                              size_t payload_bytes)
{
  (void)coop_log, (void)statement_index, (void)dispute, (void)payload, (void)payload_bytes;
  ++*(size_t *)context;
  return COOP_OK;
}

/* Wall and CPU seconds of one step of the audit benchmark: the machine is
 * shared, so the CPU time is the figure to compare between runs. */
typedef struct span {
  double wall, cpu;
} span;

static double cpu_seconds(void)
{
  struct timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static span span_begin(void)
{
  return (span){now_seconds(), cpu_seconds()};
}

static span span_end(span start)
{
  return (span){now_seconds() - start.wall, cpu_seconds() - start.cpu};
}

static span timed_audit(node *municipality, node_audit_summary *summary)
{
  char message[NODE_MESSAGE_BYTES];
  span start = span_begin();
  if (node_audit_run(municipality, summary, message))
    die("audit", message);
  return span_end(start);
}

/* "N statements in W s wall (C s CPU): R/s wall, R/s CPU" */
static void print_rate(const char *what, size_t count, span took)
{
  printf("| %s: %zu statements | %.2f s wall, %.2f s CPU | %.0f/s wall, %.0f/s CPU |\n", what,
         count, took.wall, took.cpu, (double)count / took.wall, (double)count / took.cpu);
}

static void print_span(const char *what, span took)
{
  printf("| %s | %.3f s wall, %.3f s CPU | |\n", what, took.wall, took.cpu);
}

/* K coops audited from scratch, then one new month of one coop. */
static int audit_bench(const char *dir, long coops, long members, long months)
{
  node municipality;
  set_clock(202512);
  make_municipality(dir, &municipality);
  node *coop = coop_calloc((size_t)coops, sizeof *coop);
  /* Coop 0's member ids are kept: it records the new month. */
  char(*ids)[9] = coop_calloc((size_t)members, sizeof *ids);
  char(*other_ids)[9] = coop_calloc((size_t)members, sizeof *other_ids);
  char home[4200];
  for (long k = 0; k < coops; k++) {
    snprintf(home, sizeof home, "%s/coop%ld", dir, k);
    make_coop(home, &municipality, dir, members, months - 1, &coop[k], k ? other_ids : ids);
    copy_log(&coop[k], &municipality, dir);
    if (k)
      node_close(&coop[k]);
  }
  /* The path before the audit tables, judging everything without
   * appending: every log read whole (node_audit_from_scratch). */
  size_t scratch_count = 0;
  char message[NODE_MESSAGE_BYTES];
  node_audit_from_scratch(&municipality, true);
  span start = span_begin();
  if (node_audit_preview(&municipality, count_verdict, &scratch_count, message))
    die("preview", message);
  span scratch = span_end(start);
  node_audit_from_scratch(&municipality, false);
  node_audit_summary full, incremental, again, unchanged;
  perf_control("enable"); /* BENCH_PERF_CONTROL: the full audit only */
  span full_took = timed_audit(&municipality, &full);
  perf_control("disable");
  uint32_t period = 202600 + (uint32_t)months;
  set_clock(period - 1);
  record_month(&coop[0], members, ids, period);
  set_clock(period);
  if (node_period_close(&coop[0], period, message))
    die("close", message);
  copy_log(&coop[0], &municipality, dir);
  span incremental_took = timed_audit(&municipality, &incremental);
  span unchanged_took = timed_audit(&municipality, &unchanged);
  node_audit_from_scratch(&municipality, true);
  span again_took = timed_audit(&municipality, &again);
  node_audit_from_scratch(&municipality, false);
  /* What 'coop rebuild' does to the audit tables, last (it resets the
   * judged marks): every log and the verdicts indexed again. */
  uint64_t entries = 0;
  bool threads = audit_index_threads_on();
  audit_index_threads(AUDIT_THREADS_OFF);
  start = span_begin();
  if (audit_index_rebuild(&municipality, &entries))
    die("rebuild", ledger_store_problem(municipality.store));
  span rebuild_one = span_end(start);
  audit_index_threads(AUDIT_THREADS_ON);
  start = span_begin();
  if (audit_index_rebuild(&municipality, &entries))
    die("rebuild", ledger_store_problem(municipality.store));
  span rebuild = span_end(start);
  audit_index_threads(threads ? AUDIT_THREADS_ON : AUDIT_THREADS_OFF);
  size_t full_count = full.acknowledged + full.disputed;
  printf("%ld coops x %ld members x %ld months%s\n\n", coops, members, months - 1,
         threads ? "" : ", one thread");
  printf("| measurement | time | rate |\n|---|---:|---:|\n");
  print_rate("full audit from scratch with the tables (index every log, judge, append)",
             full_count, full_took);
  print_rate("judging every statement, whole logs read (the path before the tables, no append)",
             scratch_count, scratch);
  start = span_begin();
  double engine = engine_per_second(1000000);
  print_rate("the offset engine alone", 1000000, span_end(start));
  (void)engine;
  printf("| 'coop rebuild' of the audit tables, one thread: %llu entries read | %.2f s wall, %.2f s"
         " CPU | |\n", (unsigned long long)entries, rebuild_one.wall, rebuild_one.cpu);
  printf("| 'coop rebuild' of the audit tables: %llu entries read | %.2f s wall, %.2f s CPU | |\n",
         (unsigned long long)entries, rebuild.wall, rebuild.cpu);
  printf("| one coop closes a month, one-shot 'coop audit run' (tables): %zu new statements"
         " judged | %.3f s wall, %.3f s CPU | |\n",
         incremental.acknowledged + incremental.disputed, incremental_took.wall,
         incremental_took.cpu);
  print_span("the next run, nothing new (tables)", unchanged_took);
  print_span("the same, every log read again (the path before the tables)", again_took);
  node_close(&coop[0]);
  node_close(&municipality);
  coop_free(coop);
  coop_free(ids);
  coop_free(other_ids);
  return 0;
}

int main(int argc, char **argv)
{
  coop_heap_use_huge_pages(argv); /* as the coop command does */
  long members = 10000, months = 12, audit_coops = 0;
  bool open_last = false, pages = false, one_thread = false;
  page_stats stats = {0};
  const char *base = "/tmp";
  static const struct option options[] = {{"members", required_argument, NULL, 'n'},
                                          {"months", required_argument, NULL, 'm'},
                                          {"dir", required_argument, NULL, 'd'},
                                          {"audit", required_argument, NULL, 'a'},
                                          {"open-last", no_argument, NULL, 'o'},
                                          {"pages", no_argument, NULL, 'p'},
                                          {"one-thread", no_argument, NULL, '1'},
                                          {NULL, 0, NULL, 0}};
  int option;
  while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
    if (option == 'n') members = atol(optarg);
    else if (option == 'm') months = atol(optarg);
    else if (option == 'd') base = optarg;
    else if (option == 'a') audit_coops = atol(optarg);
    else if (option == 'o') open_last = true;
    else if (option == 'p') pages = true;
    else if (option == '1') one_thread = true;
    else die("usage", "bench_statements [--members N] [--months M] [--dir DIR] [--open-last] "
                      "[--pages] [--audit K [--one-thread]]");
  }
  if (sodium_init() < 0 || members <= 0 || months <= 0 || months > 12)
    die("arguments", "members > 0, 1 <= months <= 12");
  if (open_last && months < 2)
    die("arguments", "--open-last needs a month to close before the one left open");
  char dir[4096], coop_home[4200], message[NODE_MESSAGE_BYTES];
  snprintf(dir, sizeof dir, "%s/bench-statements-XXXXXX", base);
  if (!mkdtemp(dir))
    die("mkdtemp", dir);
  /* The second thread measured whatever the load, unless --one-thread. */
  audit_index_threads(one_thread ? AUDIT_THREADS_OFF : AUDIT_THREADS_ON);
  if (audit_coops > 0)
    return audit_bench(dir, audit_coops, members, months);
  set_clock(202512);
  node municipality, coop;
  make_municipality(dir, &municipality);
  snprintf(coop_home, sizeof coop_home, "%s/coop", dir);
  if (node_create(coop_home, LEDGER_ROLE_COOP, "Coop", node_now_ms(), &coop, message))
    die("coop", message);
  copy_log(&municipality, &coop, dir);
  char(*ids)[9] = coop_calloc((size_t)members, sizeof *ids);
  double start = now_seconds();
  enrol_members(&coop, &municipality, members, ids);
  double enrol_seconds = now_seconds() - start;
  double record_seconds = 0, close_seconds = 0, close_cpu_seconds = 0;
  for (long month = 1; month <= months; month++) {
    uint32_t period = 202600 + (uint32_t)month;
    set_clock(period - 1);
    start = now_seconds();
    record_month(&coop, members, ids, period);
    record_seconds += now_seconds() - start;
    set_clock(period);
    if (open_last && month == months)
      break; /* left for 'coop period close' under a profiler */
    start = now_seconds();
    double cpu_start = cpu_seconds();
    if (pages)
      pages_begin(&coop, &stats);
    perf_control("enable");
    if (node_period_close(&coop, period, message))
      die("close", message);
    perf_control("disable");
    if (pages)
      pages_end(&coop, &stats, members);
    double month_seconds = now_seconds() - start, month_cpu_seconds = cpu_seconds() - cpu_start;
    close_seconds += month_seconds;
    close_cpu_seconds += month_cpu_seconds;
    fprintf(stderr, "close %u: %.3f s wall, %.3f s CPU\n", (unsigned)period, month_seconds,
            month_cpu_seconds);
  }
  long closed = open_last ? months - 1 : months;
  double statements = (double)members * (double)closed;
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  printf("| measurement | result |\n|---|---:|\n");
  printf("| enrol %ld members (audience, grants, sealed enrolment, status) | %.0f members/s |\n",
         members, (double)members / enrol_seconds);
  double records = 2.0 * (double)members * (double)months;
  printf("| record %.0f revenue and cost records | %.0f records/s |\n", records,
         records / record_seconds);
  printf("| month close: %.0f statements from the books (%ld members x %ld months) | %.0f "
         "statements/s (%.2f s wall), %.0f per CPU-second (%.2f s) |\n", statements, members,
         closed, statements / close_seconds, close_seconds, statements / close_cpu_seconds,
         close_cpu_seconds);
  printf("| offset engine alone (pure function) | %.0f statements/s |\n",
         engine_per_second(10000000));
  printf("\npeak RSS: %.1f MiB; nodes left in %s\n", (double)usage.ru_maxrss / 1024.0, dir);
  node_close(&coop);
  node_close(&municipality);
  coop_free(ids);
  return 0;
}
