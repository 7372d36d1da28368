# A changed leaf hash is caught at its entry.
setup: coop init --role coop --name A
setup: coop note one && coop note two
setup: sqlite3 node/coop.db "UPDATE entries SET leaf_hash = zeroblob(32) WHERE idx = 2"
run: coop verify
exit: 1
--- stdout
--- stderr
coop: error: verify failed at entry 2: leaf hash: expected <HEX32>, found <HEX32>
