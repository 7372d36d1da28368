# A database whose log was emptied is caught.
setup: coop init --role coop --name A
setup: sqlite3 node/coop.db "DELETE FROM entries; DELETE FROM checkpoints"
run: coop verify
exit: 1
--- stdout
--- stderr
coop: error: verify failed: the log is empty: entry 0 (this node's identity) is missing
