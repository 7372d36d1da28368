# Once the first month is fixed (here by the first close, 2026-09), a date
# before it is refused naming it, and one in a closed month naming that month;
# through coop record and coop import alike, changing nothing.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop rules publish "$DATA/../../docs/examples/breda-2026.json" --dir muni >/dev/null && coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: echo 'snap() { coop log | wc -l; coop bal -O json; coop verify && echo verified; }' > snap.sh
setup: printf 'type,member,amount,date,ref\nrevenue,%s,10,1999-01-01,old-2\nrevenue,%s,10,2026-09-30,sep-2\n' $(cat id) $(cat id) > old.csv
setup: COOP_NOW_MS=1794700800000 coop period close 2026-09
run: export COOP_NOW_MS=1794700800000; . ./snap.sh; snap > before; coop record revenue --member $(cat id) --amount 10 --date 1999-01-01 --ref old-1; coop record revenue --member $(cat id) --amount 10 --date 2026-09-30 --ref sep-1; coop import old.csv; snap > after; cmp before after && echo unchanged
exit: 0
--- stdout
unchanged
--- stderr
coop: error: 1999-01-01 comes before 2026-09, the first month of the books: nothing can be recorded before it
coop: error: period 2026-09 is closed: date it in an open month with --for-month 2026-09 (it then counts in 2026-09, and that month's statement is reissued at the next close)
coop: error: old.csv:2: 1999-01-01 comes before 2026-09, the first month of the books: nothing can be recorded before it
coop: error: old.csv:3: period 2026-09 is closed: date it in an open month with --for-month 2026-09 (it then counts in 2026-09, and that month's statement is reissued at the next close)
coop: error: old.csv: 2 bad rows; nothing imported
