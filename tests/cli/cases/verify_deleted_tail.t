# Cutting off the newest entry is caught: the signed checkpoint covers it.
setup: coop init --role coop --name A
setup: coop note one && coop note two
setup: sqlite3 node/coop.db "DELETE FROM entries WHERE idx = 2"
run: coop verify
exit: 1
--- stdout
--- stderr
coop: error: verify failed: checkpoint at size 3 is beyond the 2 stored entries
