# coop period open fixes the first month before any close: dates before it
# are refused, it is the month to close first, and it is fixed once.  It is
# refused for a future month and while records are dated before it.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: echo 'snap() { coop log | wc -l; coop bal -O json; coop verify && echo verified; }' > snap.sh
setup: COOP_NOW_MS=1794700800000 coop record revenue --member $(cat id) --amount 10 --date 2026-10-05 --ref oct >/dev/null
run: export COOP_NOW_MS=1794700800000; . ./snap.sh; snap > before; coop period open 2026-12; coop period open 2026-11; snap > after; cmp before after && echo unchanged; coop period open 2026-10; coop period open 2026-09; coop record revenue --member $(cat id) --amount 10 --date 2026-09-30 --ref sep; export COOP_NOW_MS=1796342400000; coop period close 2026-11; coop period close 2026-09
exit: 1
--- stdout
unchanged
the books begin at 2026-10
--- stderr
coop: error: period 2026-12 is in the future
coop: error: records are dated in 2026-10, before 2026-11: they could never be closed (open the books at 2026-10 or earlier)
coop: error: the books already begin at 2026-10: the first month is fixed once
coop: error: 2026-09-30 comes before 2026-10, the first month of the books: nothing can be recorded before it
coop: error: period 2026-11 cannot close while 2026-10 is open: months close in order, with no gap (close 2026-10 first)
coop: error: period 2026-09 comes before 2026-10, the first month of the books
