# A consistency proof verifies offline.
setup: coop init --role coop --name A
setup: for i in 1 2 3 4 5 6; do coop note "note $i" >/dev/null; done
setup: coop proof consistency 3 7 > proof.json
run: rm -rf node && coop proof verify proof.json
exit: 0
--- stdout
ok: log <FP> at size 7 extends its signed state at size 3; nothing was rewritten
--- stderr
