# Every command answers --help on stdout with exit 0.
run: for c in init id note log checkpoint verify proof offset node sync forks audit disputes receipt web; do coop $c --help | head -1 || exit 1; done
exit: 0
--- stdout
usage: coop init --role coop|municipality|partner|member --name NAME [--dir DIR]
usage: coop id [--card] [-O txt|json] [--dir DIR]
usage: coop note TEXT [--dir DIR]
usage: coop log [--log KEY] [--from N] [-O txt|json] [--dir DIR]
usage: coop checkpoint [-O txt|json] [--dir DIR]
usage: coop verify [-v] [--dir DIR]
usage: coop proof inclusion INDEX [--size N] [--dir DIR]
usage: coop offset <subcommand> [options]
usage: coop node run [--listen HOST:PORT] [--http HOST:PORT] [--dir DIR]
usage: coop sync [--peer NAME] [--timeout S] [--quiet] [--dir DIR]
usage: coop forks [-O txt|json] [--dir DIR]
usage: coop audit run [--dir DIR]
usage: coop disputes [--all] [-O txt|json] [--dir DIR]
usage: coop receipt export [--member ID] -p YYYY-MM [--dir DIR] > receipt.json
usage: coop web [--http HOST:PORT] [--dir DIR]
--- stderr
