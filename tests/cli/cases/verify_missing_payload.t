# A payload set to NULL behind coop's back is not "erased" (erasure is not a
# signed operation): verify names the entry.
setup: coop init --role coop --name A
setup: coop note "pay 100 euro" && coop note "another"
setup: test "$(sqlite3 node/coop.db "UPDATE entries SET payload = NULL WHERE idx = 1; SELECT changes()")" = 1
run: coop verify -v
exit: 1
--- stdout
--- stderr
coop: error: verify failed at entry 1: the payload is missing (erasure is not supported; 12 bytes were signed)
