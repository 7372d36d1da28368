# rules and each subcommand answer --help on stdout with exit 0.
run: for s in '' publish list show; do coop rules $s --help | head -1 || exit 1; done; coop --help | grep rules
exit: 0
--- stdout
usage: coop rules <subcommand> [options]
usage: coop rules publish FILE [--dir DIR]
usage: coop rules list [--log KEY] [-O txt|json] [--dir DIR]
usage: coop rules show [INDEX] [--log KEY] [-O txt|json] [--dir DIR]
  rules       publish, list and show a municipality's offset rule sets
--- stderr
