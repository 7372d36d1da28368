# Rewriting payload and payload hash together is caught by the leaf hash.
setup: coop init --role coop --name A
setup: coop note "pay 100 euro" && coop note "another"
setup: sqlite3 node/coop.db "UPDATE entries SET payload = CAST('pay 900 euro' AS BLOB), payload_hash = sha3(CAST('x' AS BLOB), 256) WHERE idx = 1" 2>/dev/null || sqlite3 node/coop.db "UPDATE entries SET payload = CAST('pay 900 euro' AS BLOB), payload_hash = zeroblob(32) WHERE idx = 1"
run: coop verify 2>&1 | sed 's/expected.*/expected .../'; exit ${PIPESTATUS[0]}
exit: 1
--- stdout
coop: error: verify failed at entry 1: payload hash: expected ...
--- stderr
