# A changed payload byte is caught at its entry.
setup: coop init --role coop --name A
setup: coop note "pay 100 euro" && coop note "another"
setup: sqlite3 node/coop.db "UPDATE entries SET payload = CAST('pay 900 euro' AS BLOB) WHERE idx = 1"
run: coop verify
exit: 1
--- stdout
--- stderr
coop: error: verify failed at entry 1: payload hash: expected <HEX32>, found <HEX32>
