# A changed header (the timestamp here) is caught by the leaf hash.
setup: coop init --role coop --name A
setup: coop note one && coop note two
setup: sqlite3 node/coop.db "UPDATE entries SET header = substr(header, 1, 16) || x'ffffffffffffff00' || substr(header, 25) WHERE idx = 1"
run: coop verify 2>&1 | sed "s/expected.*/expected .../"; exit ${PIPESTATUS[0]}
exit: 1
--- stdout
coop: error: verify failed at entry 1: leaf hash: expected ...
--- stderr
