# At most 744 hours per member per month (24 x 31) and 10,000,000.00 per
# record, in coop record and coop import with the same words; a refusal
# changes nothing.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: echo 'snap() { coop log | wc -l; coop bal -O json; coop verify && echo verified; }' > snap.sh
setup: COOP_NOW_MS=1794700800000 coop record hours --member $(cat id) --hours 700 --date 2026-11-02 --ref h-1 >/dev/null
setup: printf 'type,member,amount,hours,date\nhours,%s,,999999,2026-11-03\nrevenue,%s,100000000000,,2026-11-03\nhours,%s,,44.01,2026-11-04\n' $(cat id) $(cat id) $(cat id) > big.csv
setup: printf 'type,member,hours,date\nhours,%s,40,2026-11-04\nhours,%s,4.01,2026-11-05\n' $(cat id) $(cat id) > month.csv
run: export COOP_NOW_MS=1794700800000; . ./snap.sh; snap > before; { coop record hours --member $(cat id) --hours 999999 --date 2026-11-03; coop record hours --member $(cat id) --hours 44.01 --date 2026-11-03; coop record revenue --member $(cat id) --amount 100000000000 --date 2026-11-03; coop import big.csv; coop import month.csv; } 2>&1 | sed "s/$(cat id)/MEMBER/"; snap > after; cmp before after && echo unchanged; coop record hours --member $(cat id) --hours 44 --date 2026-11-03 --ref h-2; coop record revenue --member $(cat id) --amount 10000000 --date 2026-11-03 --ref big
exit: 0
--- stdout
coop: error: 999999.00 hours is more than a month holds: at most 744 hours (24 x 31)
coop: error: hours of MEMBER in 2026-11 would come to 744.01, more than a month holds (at most 744: 24 x 31)
coop: error: amount 100000000000.00 is more than 10000000.00, the most one record may hold
coop: error: big.csv:2: 999999.00 hours is more than a month holds: at most 744 hours (24 x 31)
coop: error: big.csv:3: amount 100000000000.00 is more than 10000000.00, the most one record may hold
coop: error: big.csv: 2 bad rows; nothing imported
coop: error: month.csv:3: hours of MEMBER in 2026-11 would come to 744.01, more than a month holds (at most 744: 24 x 31)
coop: error: month.csv: nothing imported
unchanged
recorded entry 8 (ref h-2)
recorded entry 9 (ref big)
--- stderr
