/* The option parser every command shares: a table per command, getopt_long
 * underneath, and --dir, -O/--output and --help handled here once. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Options a table may hold, besides the three added here. */
#define OPTIONS_MAX 32
/* getopt_long's answer for table entry i (above any short letter). */
#define LONG_BASE 256

enum { ADDED_OUTPUT = -1, ADDED_DIR = -2, ADDED_HELP = -3 };

/* The options getopt_long sees: the table's, then the added ones. */
typedef struct option_set {
  struct option longs[OPTIONS_MAX + 4];
  int index[OPTIONS_MAX + 4]; /* table index, or ADDED_* */
  char letters[OPTIONS_MAX + 4];
  char shorts[2 * OPTIONS_MAX + 8];
  int count;
} option_set;

static int table_has(const cli_option *options, const char *name)
{
  for (; options && options->name; options++)
    if (!strcmp(options->name, name))
      return 1;
  return 0;
}

static void add_option(option_set *set, const char *name, char letter, int has_arg, int index)
{
  set->longs[set->count] = (struct option){name, has_arg, NULL, LONG_BASE + set->count};
  set->letters[set->count] = letter;
  set->index[set->count++] = index;
  if (letter) {
    size_t len = strlen(set->shorts);
    set->shorts[len++] = letter;
    if (has_arg)
      set->shorts[len++] = ':';
    set->shorts[len] = 0;
  }
}

static void build_set(const cli_spec *spec, const cli_option *options, option_set *set)
{
  memset(set, 0, sizeof *set);
  /* "+": stop at the first operand; ":": report a missing value apart. */
  strcpy(set->shorts, spec->flags & CLI_STOP_AT_OPERAND ? "+" : "");
  if (!(spec->flags & CLI_GETOPT_MESSAGES))
    strcat(set->shorts, ":");
  for (int i = 0; options && options[i].name && i < OPTIONS_MAX; i++)
    add_option(set, options[i].name, options[i].letter, options[i].arg != NULL, i);
  if (spec->formats && !table_has(options, "output"))
    add_option(set, "output", 'O', 1, ADDED_OUTPUT);
  if (!table_has(options, "dir"))
    add_option(set, "dir", 0, 1, ADDED_DIR);
  if (!table_has(options, "help"))
    add_option(set, "help", 'h', 0, ADDED_HELP);
}

/* Which entry of the set getopt_long answered: long options answer
 * LONG_BASE + position, short ones their letter. */
static int set_position(const option_set *set, int answer)
{
  if (answer >= LONG_BASE)
    return answer - LONG_BASE;
  for (int i = 0; i < set->count; i++)
    if (set->letters[i] == answer)
      return i;
  return -1;
}

/* ---- --help ------------------------------------------------------------- */

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

typedef struct help_line {
  char left[64];
  const char *help;
} help_line;

static void help_left(help_line *line, const char *name, char letter, const char *arg)
{
  int at = letter ? snprintf(line->left, sizeof line->left, "-%c, ", letter) : 0;
  snprintf(line->left + at, sizeof line->left - (size_t)at, "--%s%s%s", name, arg ? " " : "",
           arg ? arg : "");
}

static void print_help_line(const help_line *line, int width)
{
  printf("  %-*s  ", width, line->left);
  for (const char *text = line->help; *text; text++) {
    putchar(*text);
    if (*text == '\n')
      printf("  %-*s  ", width, "");
  }
  putchar('\n');
}

static void print_help(const cli_spec *spec, const cli_option *options)
{
  fputs(spec->usage, stdout);
  if (spec->flags & CLI_USAGE_WHOLE)
    return;
  help_line lines[OPTIONS_MAX + 3];
  int count = 0;
  for (const cli_option *option = options; option && option->name && count < OPTIONS_MAX;
       option++) {
    if (!option->help)
      continue; /* accepted, but not worth showing (see cmd_books.c) */
    help_left(&lines[count], option->name, option->letter, option->arg);
    lines[count++].help = option->help;
  }
  char formats[64];
  format_list(spec->formats, formats, sizeof formats);
  /* -O txt alone changes nothing: accepted, not shown. */
  if (__builtin_popcount(spec->formats) > 1 && !table_has(options, "output")) {
    help_left(&lines[count], "output", 'O', "FORMAT");
    lines[count++].help = formats;
  }
  help_left(&lines[count], "dir", 0, "DIR");
  lines[count++].help = "node home (default $COOP_HOME, else ~/.local/share/coop)";
  help_left(&lines[count], "help", 'h', NULL);
  lines[count++].help = "show this help";
  int width = 0;
  for (int i = 0; i < count; i++)
    if ((int)strlen(lines[i].left) > width)
      width = (int)strlen(lines[i].left);
  printf("\noptions:\n");
  for (int i = 0; i < count; i++)
    print_help_line(&lines[i], width);
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
static int take(const cli_spec *spec, const cli_option *options, int index, cli_args *args)
{
  switch (index) {
  case ADDED_OUTPUT:
    return cli_parse_format(optarg, spec->formats, &args->format) ? CLI_EXIT_USAGE : CLI_GO;
  case ADDED_DIR: args->dir = optarg; return CLI_GO;
  case ADDED_HELP: print_help(spec, options); return CLI_EXIT_OK;
  }
  if (options[index].each) {
    int status = options[index].each(options[index].context, optarg);
    return status ? status : CLI_GO;
  }
  if (options[index].arg)
    *options[index].value = optarg;
  else
    *options[index].flag = 1;
  return CLI_GO;
}

int cli_parse(const cli_spec *spec, const cli_option *options, int argc, char **argv,
              cli_args *args)
{
  option_set set;
  build_set(spec, options, &set);
  /* 0, not 1: a command's second parse (after a subcommand's name) must
   * make getopt start over instead of continuing its previous scan. */
  optind = 0;
  opterr = (spec->flags & CLI_GETOPT_MESSAGES) != 0;
  int answer;
  while ((answer = getopt_long(argc, argv, set.shorts, set.longs, NULL)) != -1) {
    int position = set_position(&set, answer);
    if (position < 0)
      return bad_option(spec, answer, argv);
    int status = take(spec, options, set.index[position], args);
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

int cli_parse_simple_options(int argc, char **argv, const char *command, const char *usage,
                             unsigned formats, const char **dir, cli_format *format)
{
  const cli_spec spec = {command, usage, formats, CLI_GETOPT_MESSAGES | CLI_USAGE_WHOLE};
  cli_args args = {.dir = *dir, .format = *format};
  int status = cli_parse_no_operands(&spec, NULL, argc, argv, &args);
  *dir = args.dir;
  *format = args.format;
  return status == CLI_GO ? 0 : status == CLI_EXIT_OK ? CLI_PARSED_HELP : -1;
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
