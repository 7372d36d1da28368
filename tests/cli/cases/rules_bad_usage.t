# Usage errors: no subcommand, an unknown one, publish without FILE, a bad INDEX.
run: coop rules; echo "exit $?"; coop rules frobnicate; echo "exit $?"; coop rules publish; echo "exit $?"; coop rules show x; echo "exit $?"; coop rules list -O csv
exit: 2
--- stdout
exit 2
exit 2
exit 2
exit 2
--- stderr
coop: error: missing subcommand (publish, list or show)
see 'coop rules --help'
coop: error: unknown subcommand 'frobnicate' (expected: publish, list or show)
see 'coop rules --help'
coop: error: missing FILE (a path, or - for stdin)
see 'coop rules publish --help'
coop: error: INDEX must be a non-negative whole number, got 'x'
coop: error: unknown output format 'csv' (expected one of: txt, json)
