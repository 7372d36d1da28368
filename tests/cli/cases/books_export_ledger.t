# The ledger journal for one month; ledger --pedantic reads it and balances agree.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record opening --amount 5000 --date 2025-12-31 --ref open --note "bank; 31 December"
setup: coop record revenue --member $(cat id) --amount 1234.56 --date 2026-01-05 --ref inv-1 --note "Invoice 1, garden"
setup: coop record hours --member $(cat id) --hours 12.5 --date 2026-01-05 --ref h-1
setup: coop record coop-cost --amount 0.05 --date 2026-01-06 --ref fee
setup: coop correct 8 --reason "invoice cancelled" --date 2026-01-07
setup: coop correct 9 --reason "wrong week" --date 2026-01-07
run: coop export -O ledger -p 2026-01 > j.ledger && head -1 j.ledger && ledger --pedantic -f j.ledger bal --flat | sed "s/$(cat id)/MEMBER/g" && coop bal -p 2026-01 | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
; The books of 'Breda Werkt', exported by coop for ledger, period 2026-01.
           -0.05 EUR  assets:bank
            0.05 EUR  expenses:coop:costs
--------------------
                   0
           -0.05  assets:bank
            0.05  expenses:coop:costs
            0.00  income:members:MEMBER:revenue
----------------
            0.00
--- stderr
