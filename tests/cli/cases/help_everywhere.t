# Every command answers --help on stdout with exit 0.
run: for c in init id note log checkpoint verify proof offset; do coop $c --help | head -1 || exit 1; done
exit: 0
--- stdout
usage: coop init --role coop|municipality|partner|member --name NAME [--dir DIR]
usage: coop id [-O txt|json] [--dir DIR]
usage: coop note TEXT [--dir DIR]
usage: coop log [--from N] [-O txt|json] [--dir DIR]
usage: coop checkpoint [-O txt|json] [--dir DIR]
usage: coop verify [-v] [--dir DIR]
usage: coop proof inclusion INDEX [--size N] [--dir DIR]
usage: coop offset <subcommand> [options]
--- stderr
