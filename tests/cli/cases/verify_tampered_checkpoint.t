# A changed checkpoint signature is caught.
setup: coop init --role coop --name A
setup: coop note one
setup: sqlite3 node/coop.db "UPDATE checkpoints SET checkpoint = substr(checkpoint, 1, 100) || x'00' || substr(checkpoint, 102) WHERE size = 2"
run: coop verify
exit: 1
--- stdout
--- stderr
coop: error: verify failed: checkpoint at size 2: bad signature
