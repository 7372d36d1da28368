# Listing or exporting a log refuses an entry whose payload is missing and
# names it: no signed erasure covers it (coop member erase makes those).
setup: coop init --role coop --name A
setup: coop note "pay 100 euro" && coop note "another"
setup: test "$(sqlite3 node/coop.db "UPDATE entries SET payload = NULL WHERE idx = 1; SELECT changes()")" = 1
run: coop log > /dev/null; coop log export > bundle
exit: 1
--- stdout
--- stderr
coop: error: cannot list the log: entry 1 of log <FP> has no payload and no erasure by its author covers it (the database was changed outside coop)
coop: error: export failed: entry 1 of log <FP> has no payload and no erasure by its author covers it (the database was changed outside coop)
