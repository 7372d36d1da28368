# verify -v says what it checked.
setup: coop init --role coop --name A
setup: for i in 1 2 3; do coop note "note $i" >/dev/null; done
run: coop verify -v
exit: 0
--- stdout
verified 4 entries and 4 checkpoints
--- stderr
