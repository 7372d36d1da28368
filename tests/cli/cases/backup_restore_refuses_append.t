# A restored backup refuses to append (the message names the backup and the
# way out), changes nothing, and appends again after 'coop restore --confirm'.
setup: coop init --role coop --name "Breda Werkt"
setup: coop note "voor de backup"
setup: coop backup "$WORK/b.db"
setup: coop note "na de backup"
run: coop restore "$WORK/b.db" && { coop note "tweede geschiedenis"; echo "exit $?"; coop checkpoint | grep size; coop restore --status; coop restore --confirm; coop note "na bevestiging"; }
exit: 0
--- stdout
restored: backup made 2026-01-01T00:00:00.000Z, own log size 2
appending is refused until 'coop sync' has synced with every peer, or 'coop restore --confirm'
exit 1
size:      2
restored, waiting: appending refused until 'coop sync' with every peer or 'coop restore --confirm': backup made 2026-01-01T00:00:00.000Z, own log size 2
confirmed; appending works again: backup made 2026-01-01T00:00:00.000Z, own log size 2
appended entry 2; log size 3
--- stderr
coop: error: cannot append note: this database is a restored backup: run 'coop sync' with every peer first, or confirm with 'coop restore --confirm' (backup made 2026-01-01T00:00:00Z, own log size 2 then)
