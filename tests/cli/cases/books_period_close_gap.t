# Months close in order with no gap: March cannot close while February has
# records and is open; a month without records closes; a refusal changes
# nothing.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop rules publish "$DATA/../../docs/examples/breda-2026.json" --dir muni >/dev/null && coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: echo 'snap() { coop log | wc -l; coop bal -O json; coop verify && echo verified; }' > snap.sh
setup: COOP_NOW_MS=1770681600000 coop record revenue --member $(cat id) --amount 10 --date 2026-02-05 --ref feb >/dev/null
setup: COOP_NOW_MS=1775088000000 coop record revenue --member $(cat id) --amount 10 --date 2026-03-05 --ref mar >/dev/null
run: export COOP_NOW_MS=1775088000000; . ./snap.sh; snap > before; coop period close 2026-03; snap > after; cmp before after && echo unchanged; coop period close 2026-01; coop period close 2026-02; coop period close 2026-03
exit: 0
--- stdout
unchanged
closed 2026-01
closed 2026-02
closed 2026-03
--- stderr
coop: error: period 2026-03 cannot close while 2026-02 is open: months close in order, with no gap (close 2026-02 first)
