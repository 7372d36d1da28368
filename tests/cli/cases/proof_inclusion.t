# An inclusion proof verifies offline, without the node.
setup: coop init --role coop --name A
setup: for i in 1 2 3 4 5 6; do coop note "note $i" >/dev/null; done
setup: coop proof inclusion 3 --size 5 > proof.json
run: rm -rf node && coop proof verify proof.json
exit: 0
--- stdout
ok: entry 3 (note) is in log <FP> as signed at size 5 on 2026-01-01T00:00:00.000Z
--- stderr
