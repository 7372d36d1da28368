# verify is silent and exits 0 on a good store.
setup: coop init --role coop --name A
setup: for i in 1 2 3 4 5 6 7; do coop note "note $i" >/dev/null; done
run: coop verify
exit: 0
--- stdout
--- stderr
