# member show: details, status in a month, balances.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop member set $(cat id) --from 2026-01 --n-approved yes
setup: coop record revenue --member $(cat id) --amount 1200 --date 2026-01-10 --ref inv-1
run: coop member show $(cat id) | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
member:       MEMBER
name:         Anna de Vries
client ref:   BR-1001
municipality: breda (<FP>)
status in 2026-01: born 1990-04, disregard n approved
         1200.00  assets:bank
        -1200.00  income:members:MEMBER:revenue
--- stderr
