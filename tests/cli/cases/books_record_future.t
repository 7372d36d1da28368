# A date in a month after the current one (now is 2026-11) needs --future, in
# coop record and in coop import; a refusal changes nothing.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: echo 'snap() { coop log | wc -l; coop bal -O json; coop verify && echo verified; }' > snap.sh
setup: printf 'type,member,amount,date,ref\nrevenue,%s,10,2027-06-01,f-2\n' $(cat id) > future.csv
run: export COOP_NOW_MS=1794700800000; . ./snap.sh; snap > before; coop record revenue --member $(cat id) --amount 10 --date 2027-06-01 --ref f-1; coop import future.csv; snap > after; cmp before after && echo unchanged; coop record revenue --member $(cat id) --amount 10 --date 2027-06-01 --ref f-1 --future; coop import --future future.csv; coop record revenue --member $(cat id) --amount 10 --date 2026-11-30 --ref now
exit: 0
--- stdout
unchanged
recorded entry 7 (ref f-1)
imported 1 record (0 already there)
recorded entry 9 (ref now)
--- stderr
coop: error: 2027-06-01 is in a future month (now is 2026-11); pass --future if this really belongs to June 2027
coop: error: future.csv:2: 2027-06-01 is in a future month (now is 2026-11); pass --future if this really belongs to June 2027
coop: error: future.csv: 1 bad row; nothing imported
