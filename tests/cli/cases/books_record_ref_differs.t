# The same ref with other content is refused, saying what differs.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 10 --date 2026-01-05 --ref inv-1 --note first
run: coop record revenue --member $(cat id) --amount 12 --date 2026-01-06 --ref inv-1 --note second; coop record cost --member $(cat id) --amount 10 --date 2026-01-05 --ref inv-1 --note first
exit: 1
--- stdout
--- stderr
coop: error: ref 'inv-1' already holds entry 7 with different content; date 2026-01-05, now 2026-01-06; amount 10.00, now 12.00; note 'first', now 'second'
coop: error: ref 'inv-1' already holds entry 7 with different content; type revenue, now cost
