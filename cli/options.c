/* The option parser every command shares: a table per command, getopt_long
 * underneath, and --dir, -O/--output and --help handled here once. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Options a table may hold, besides the three added here. */
#define OPTIONS_MAX 32
/* getopt_long's answer for entry i of the merged table (above any letter). */
#define LONG_BASE 256

/* The command's table with --output (when it takes formats), --dir and
 * --help added, and what getopt_long is given for it. */
typedef struct merged {
  cli_option all[OPTIONS_MAX + 4];
  int count;
  const char *output; /* the added -O's text */
  int help;           /* the added --help */
  char formats[64];   /* the added -O's help: "txt (default) or json" */
  struct option longs[OPTIONS_MAX + 4];
  char shorts[2 * OPTIONS_MAX + 8];
} merged;

static int table_has(const cli_option *options, const char *name)
{
  for (; options && options->name; options++)
    if (!strcmp(options->name, name))
      return 1;
  return 0;
}

/* "txt (default) or json", "txt (default), json or csv". */
static void format_list(unsigned formats, char *out, size_t size)
{
  static const char *const names[] = {"txt (default)", "json", "csv"};
  int total = __builtin_popcount(formats & 7u), done = 0;
  out[0] = 0;
  for (int i = 0; i < 3; i++) {
    if (!(formats & (1u << i)))
      continue;
    const char *joint = done == 0 ? "" : done == total - 1 ? " or " : ", ";
    snprintf(out + strlen(out), size - strlen(out), "%s%s", joint, names[i]);
    done++;
  }
}

static void add(merged *m, cli_option option)
{
  int i = m->count++;
  m->all[i] = option;
  m->longs[i] = (struct option){option.name, option.arg != NULL, NULL, LONG_BASE + i};
  if (option.letter) {
    size_t len = strlen(m->shorts);
    m->shorts[len++] = option.letter;
    if (option.arg)
      m->shorts[len++] = ':';
    m->shorts[len] = 0;
  }
}

static void merge(const cli_spec *spec, const cli_option *options, cli_args *args, merged *m)
{
  memset(m, 0, sizeof *m);
  /* "+": stop at the first operand; ":": report a missing value apart. */
  strcpy(m->shorts, spec->flags & CLI_STOP_AT_OPERAND ? "+" : "");
  if (!(spec->flags & CLI_GETOPT_MESSAGES))
    strcat(m->shorts, ":");
  for (int i = 0; options && options[i].name && i < OPTIONS_MAX; i++)
    add(m, options[i]);
  format_list(spec->formats, m->formats, sizeof m->formats);
  /* -O txt alone changes nothing: accepted, not shown in --help. */
  if (spec->formats && !table_has(options, "output"))
    add(m, (cli_option)CLI_VALUE("output", 'O', "FORMAT", &m->output,
                                 __builtin_popcount(spec->formats) > 1 ? m->formats : NULL));
  if (!table_has(options, "dir"))
    add(m, (cli_option)CLI_VALUE("dir", 0, "DIR", &args->dir,
                                 "node home (default $COOP_HOME, else ~/.local/share/coop)"));
  if (!table_has(options, "help"))
    add(m, (cli_option)CLI_FLAG("help", 'h', &m->help, "show this help"));
}

/* Which entry getopt_long answered: long options answer LONG_BASE + i,
 * short ones their letter. */
static int position(const merged *m, int answer)
{
  if (answer >= LONG_BASE)
    return answer - LONG_BASE;
  for (int i = 0; i < m->count; i++)
    if (m->all[i].letter == answer)
      return i;
  return -1;
}

/* ---- --help ------------------------------------------------------------- */

/* "-p, --period P": the left column of an option's line. */
static void option_left(const cli_option *option, char out[64])
{
  int at = option->letter ? snprintf(out, 64, "-%c, ", option->letter) : 0;
  snprintf(out + at, 64 - (size_t)at, "--%s%s%s", option->name, option->arg ? " " : "",
           option->arg ? option->arg : "");
}

static void print_help_line(const cli_option *option, int width)
{
  char left[64];
  option_left(option, left);
  printf("  %-*s  ", width, left);
  for (const char *text = option->help; *text; text++) {
    putchar(*text);
    if (*text == '\n')
      printf("  %-*s  ", width, "");
  }
  putchar('\n');
}

/* The usage text, then a line per option with help (others are accepted,
 * but not worth showing: see cmd_books.c). */
static void print_help(const cli_spec *spec, const merged *m)
{
  fputs(spec->usage, stdout);
  if (spec->flags & CLI_USAGE_WHOLE)
    return;
  int width = 0;
  for (int i = 0; i < m->count; i++) {
    char left[64];
    option_left(&m->all[i], left);
    if (m->all[i].help && (int)strlen(left) > width)
      width = (int)strlen(left);
  }
  printf("\noptions:\n");
  for (int i = 0; i < m->count; i++)
    if (m->all[i].help)
      print_help_line(&m->all[i], width);
}

/* ---- parsing ------------------------------------------------------------ */

/* "unknown option 'X'" or "option 'X' needs a value", naming the command;
 * the global options have none. */
static int option_error(const cli_spec *spec, int missing, const char *option)
{
  char message[160];
  snprintf(message, sizeof message,
           missing ? "option '%s' needs a value" : "unknown option '%s'", option);
  if (spec->name)
    return cli_usage_error(spec->name, "%s", message);
  cli_error("%s", message);
  fputs("see 'coop --help'\n", stderr);
  return CLI_EXIT_USAGE;
}

/* getopt_long answered '?' or ':' for the argument before argv[optind]. */
static int bad_option(const cli_spec *spec, int answer, char **argv)
{
  if (spec->flags & CLI_GETOPT_MESSAGES) /* getopt printed what was wrong */
    return cli_usage_error(spec->name, "invalid option");
  char shown[3] = {'-', (char)optopt, 0};
  /* optopt is the short letter; for a long option it is 0 (unknown) or its
   * LONG_BASE answer (value missing), and the option is argv[optind - 1]. */
  const char *option = optopt > 0 && optopt < LONG_BASE ? shown : argv[optind - 1];
  if (answer == ':' && !spec->name && !strcmp(option, "--dir")) {
    cli_error("--dir needs a directory: coop --dir DIR <command> [options]");
    return CLI_EXIT_USAGE;
  }
  return option_error(spec, answer == ':', option);
}

/* One option found: its value stored.  CLI_GO, or the exit code. */
static int take(const cli_spec *spec, merged *m, const cli_option *option, cli_args *args)
{
  if (option->each) {
    int status = option->each(option->context, optarg);
    return status ? status : CLI_GO;
  }
  if (!option->arg) {
    *option->flag = 1;
  } else {
    *option->value = optarg;
    if (option->value == &m->output && cli_parse_format(optarg, spec->formats, &args->format))
      return CLI_EXIT_USAGE;
  }
  if (m->help) { /* at once: what follows --help is not checked */
    print_help(spec, m);
    return CLI_EXIT_OK;
  }
  return CLI_GO;
}

int cli_parse(const cli_spec *spec, const cli_option *options, int argc, char **argv,
              cli_args *args)
{
  merged m;
  merge(spec, options, args, &m);
  /* 0, not 1: a command's second parse (after a subcommand's name) must
   * make getopt start over instead of continuing its previous scan. */
  optind = 0;
  opterr = (spec->flags & CLI_GETOPT_MESSAGES) != 0;
  int answer;
  while ((answer = getopt_long(argc, argv, m.shorts, m.longs, NULL)) != -1) {
    int i = position(&m, answer);
    if (i < 0)
      return bad_option(spec, answer, argv);
    int status = take(spec, &m, &m.all[i], args);
    if (status != CLI_GO)
      return status;
  }
  args->argc = argc - optind;
  args->argv = argv + optind;
  return CLI_GO;
}

int cli_parse_no_operands(const cli_spec *spec, const cli_option *options, int argc,
                          char **argv, cli_args *args)
{
  int status = cli_parse(spec, options, argc, argv, args);
  if (status == CLI_GO && args->argc > 0)
    return cli_usage_error(spec->name, "unexpected argument '%s'", args->argv[0]);
  return status;
}

int cli_run_subcommand(const char *command, const char *usage, const cli_subcommand *table,
                       int argc, char **argv)
{
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  }
  size_t count = 0;
  for (; table[count].name; count++)
    if (!strcmp(argv[1], table[count].name))
      return table[count].run(argc - 1, argv + 1);
  /* "(expected 'a')", "(expected 'a' or 'b')", "(expected 'a', 'b' or 'c')". */
  char expected[160] = "";
  size_t used = 0;
  for (size_t i = 0; i < count && used < sizeof expected; i++)
    used += (size_t)snprintf(expected + used, sizeof expected - used, "%s'%s'",
                             i == 0 ? "" : i + 1 == count ? " or " : ", ", table[i].name);
  return cli_usage_error(command, "unknown subcommand '%s' (expected %s)", argv[1], expected);
}

/* ---- global options ----------------------------------------------------- */

int cli_parse_global(int argc, char **argv, int *command_index, const char **output, int *help)
{
  int version = 0;
  const cli_option options[] = {
      CLI_VALUE("output", 'O', "FORMAT", output, NULL),
      CLI_FLAG("help", 'h', help, NULL),
      CLI_FLAG("version", 0, &version, NULL),
      CLI_END,
  };
  static const cli_spec spec = {NULL, NULL, 0, CLI_STOP_AT_OPERAND};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (version) {
    printf("coop 0.1.0\n");
    return CLI_EXIT_OK;
  }
  /* Every command reads COOP_HOME when not given --dir itself, so a --dir
   * after the command still wins. */
  if (args.dir && (!args.dir[0] || setenv("COOP_HOME", args.dir, 1) != 0)) {
    cli_error("--dir must not be empty");
    return CLI_EXIT_USAGE;
  }
  *command_index = argc - args.argc;
  /* The command's own getopt loop (cmd_log.c's, say) starts at optind 1
   * with getopt's messages on; only optind 0 makes getopt forget this
   * parse's "+" and permute again. */
  optind = 0;
  opterr = 1;
  return CLI_GO;
}
