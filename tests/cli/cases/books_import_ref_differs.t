# A row whose ref already holds other content stops the import, naming the line
# and what differs.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 10 --date 2026-01-05 --ref inv-1
setup: printf 'type,member,amount,date,ref\nrevenue,%s,11,2026-01-05,inv-2\nrevenue,%s,12,2026-01-05,inv-1\n' $(cat id) $(cat id) > a.csv
run: coop import a.csv
exit: 1
--- stdout
--- stderr
coop: error: a.csv:3: ref 'inv-1' already holds entry 7 with different content; amount 10.00, now 12.00
coop: error: a.csv: nothing imported
