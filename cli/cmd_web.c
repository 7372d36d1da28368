/* coop web: the web app (serve, accounts, invitations). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "node/books.h"
#include "web/web.h"

static const char usage[] =
    "usage: coop web [--http HOST:PORT] [--dir DIR]\n"
    "       coop web user add NAME --role admin|officer|member\n"
    "       coop web users\n"
    "       coop web invite --member ID|CLIENT-REF|NAME\n"
    "\n"
    "The web app for the coop's administrator (admin, on a coop node), the\n"
    "municipality's officer (officer, on a municipality's node) and the member\n"
    "(on the coop's node through an invitation, or on her own node as member).\n"
    "Dutch by default, English on a switch; it works without JavaScript.\n"
    "\n"
    "web          serves the web app without syncing, until Ctrl-C or SIGTERM.\n"
    "             'coop node run --http HOST:PORT' (or http = HOST:PORT in\n"
    "             node.conf) serves it beside the sync daemon.  The address is\n"
    "             --http, else node.conf's http, else 127.0.0.1:8420.  Any address\n"
    "             other than loopback needs TLS: http_cert and http_key (PEM files)\n"
    "             in node.conf.\n"
    "user add     adds an account and prints a one-time link (valid 7 days) on\n"
    "             which its owner sets a password.\n"
    "users        lists the accounts.\n"
    "invite       prints a one-time link (valid 7 days) on which a member of this\n"
    "             coop creates her login; she sees her own months, nothing else.\n"
    "\n"
    "Accounts and sessions live in web.db in the node home (passwords as\n"
    "Argon2id hashes), never in the signed log.  See docs/web.md.\n";

static volatile sig_atomic_t stop_requested;

static void on_stop(int signal_number)
{
  (void)signal_number;
  stop_requested = 1;
}

static int serve(int argc, char **argv)
{
  static const cli_spec spec = {"web", usage, 0, CLI_USAGE_WHOLE};
  const char *address = NULL;
  const cli_option options[] = {CLI_VALUE("http", 0, "HOST:PORT", &address, NULL), CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (address && node_address_check(address))
    return cli_usage_error("web", "--http '%s' is not HOST:PORT", address);
  char *home = cli_home_dir(args.dir);
  if (!home)
    return CLI_EXIT_FAILURE;
  struct sigaction action = {.sa_handler = on_stop};
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);
  web_options web = {.address = address};
  web_server *server = NULL;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = web_start(home, &web, &server, message);
  free(home);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  fprintf(stderr, "coop: serving the web app on %s (Ctrl-C stops)\n", web_url(server));
  while (!stop_requested)
    pause();
  web_stop(server);
  return CLI_EXIT_OK;
}

/* The one-time link on stdout, or the error. */
static int link_answer(coop_err err, const char *link, const char *message)
{
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  printf("%s\n", link);
  return CLI_EXIT_OK;
}

static int user_add(int argc, char **argv)
{
  static const cli_spec spec = {"web user add", usage, 0, CLI_USAGE_WHOLE};
  const char *role = NULL;
  const cli_option options[] = {CLI_VALUE("role", 0, "ROLE", &role, NULL), CLI_END};
  cli_args args = {0};
  int status = cli_parse(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (args.argc != 1)
    return cli_usage_error("web", "'web user add' takes one NAME");
  if (!web_role_from_name(role))
    return cli_usage_error("web", "--role must be admin, officer or member");
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char link[WEB_LINK_BYTES], message[NODE_MESSAGE_BYTES];
  coop_err err = web_account_add(&opened, args.argv[0], web_role_from_name(role), link, message);
  node_close(&opened);
  return link_answer(err, link, message);
}

static coop_err print_account(void *context, const char *name, int role, const char *member_id,
                              bool has_password)
{
  (void)context;
  printf("%-24s %-8s %-9s %s\n", name, web_role_name(role), member_id[0] ? member_id : "-",
         has_password ? "active" : "link not used yet");
  return COOP_OK;
}

static int users(int argc, char **argv)
{
  static const cli_spec spec = {"web users", usage, 0, CLI_USAGE_WHOLE};
  cli_args args = {0};
  node opened;
  int status =
      cli_parse_and_open(&spec, (const cli_option[]){CLI_END}, argc, argv, &args, &opened);
  if (status != CLI_GO)
    return status;
  char message[NODE_MESSAGE_BYTES];
  coop_err err = web_accounts(&opened, print_account, NULL, message);
  node_close(&opened);
  if (err) {
    cli_error("%s", message);
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}

static int invite(int argc, char **argv)
{
  static const cli_spec spec = {"web invite", usage, 0, CLI_USAGE_WHOLE};
  const char *member = NULL;
  const cli_option options[] = {CLI_VALUE("member", 0, "ID", &member, NULL), CLI_END};
  cli_args args = {0};
  int status = cli_parse_no_operands(&spec, options, argc, argv, &args);
  if (status != CLI_GO)
    return status;
  if (!member)
    return cli_usage_error("web", "'web invite' needs --member");
  char member_id[CLI_MEMBER_ID_BYTES];
  if (!(member = cli_member_arg(args.dir, member, member_id)))
    return CLI_EXIT_FAILURE;
  node opened;
  if (cli_open_node(args.dir, &opened))
    return CLI_EXIT_FAILURE;
  char link[WEB_LINK_BYTES], message[NODE_MESSAGE_BYTES];
  coop_err err = web_invite(&opened, member, link, message); /* checks she is a member */
  node_close(&opened);
  return link_answer(err, link, message);
}

int cli_cmd_web(int argc, char **argv)
{
  if (argc >= 3 && !strcmp(argv[1], "user") && !strcmp(argv[2], "add"))
    return user_add(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "users"))
    return users(argc - 1, argv + 1);
  if (argc >= 2 && !strcmp(argv[1], "invite"))
    return invite(argc - 1, argv + 1);
  /* 'web user --help' is help like every subcommand's, not a usage error. */
  if (argc == 3 && !strcmp(argv[1], "user") && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
    return user_add(argc - 1, argv + 1);
  if (argc >= 2 && !strcmp(argv[1], "user"))
    return cli_usage_error("web", "expected 'web user add NAME --role ROLE'");
  return serve(argc, argv);
}
