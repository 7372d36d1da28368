# coop backup needs exactly one FILE; coop restore one of FILE, --status, --confirm.
setup: coop init --role coop --name "Breda Werkt"
run: coop backup; echo "exit $?"; coop restore --status --confirm; echo "exit $?"; coop restore "$WORK/none.db"
exit: 1
--- stdout
exit 2
exit 2
--- stderr
coop: error: expected exactly one FILE argument
see 'coop backup --help'
coop: error: expected one of FILE, --status or --confirm
see 'coop restore --help'
coop: error: backup file '<WORK>/none.db' not found
