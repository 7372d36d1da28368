# A missing entry is named.
setup: coop init --role coop --name A
setup: coop note one && coop note two && coop note three
setup: sqlite3 node/coop.db "DELETE FROM entries WHERE idx = 2"
run: coop verify
exit: 1
--- stdout
--- stderr
coop: error: verify failed at entry 2: entry missing (next stored entry is 3)
