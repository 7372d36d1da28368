# A payload set to NULL behind coop's back is not "erased" (no signed erasure
# entry covers it): verify names the entry.
setup: coop init --role coop --name A
setup: coop note "pay 100 euro" && coop note "another"
setup: test "$(sqlite3 node/coop.db "UPDATE entries SET payload = NULL WHERE idx = 1; SELECT changes()")" = 1
run: coop verify -v
exit: 1
--- stdout
--- stderr
coop: error: verify failed at entry 1: the payload is missing (12 bytes were signed) and no erasure by the log's author covers it
