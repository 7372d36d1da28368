# 'member add' needs --name, --municipality and --client-ref; no action is a usage error.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
run: coop member add --name Anna; echo "exit $?"; coop member
exit: 2
--- stdout
exit 2
--- stderr
coop: error: 'member add' needs --name, --municipality and --client-ref
see 'coop member --help'
coop: error: expected 'add', 'list', 'show ID', 'set ID', 'view [ID]' or 'export-data [ID]'
see 'coop member --help'
