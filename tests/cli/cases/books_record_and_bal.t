# Recording revenue, cost, allowance, a remittance and the coop's own records; bal sums them.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record opening --amount 5000 --date 2025-12-31 --ref open
setup: coop record coop-cost --amount 850 --date 2026-01-02 --ref rent-01 --note "Rent workshop"
run: m=$(cat id); { coop record revenue --member $m --amount 1234,56 --date 2026-01-05 --ref inv-1 && coop record cost --member $m --amount 100.5 --date 2026-01-06 --ref c-1 && coop record allowance --member $m --amount 95 --date 2026-01-25 --ref a-1 && coop record remittance --member $m --amount 40 --date 2026-01-26 --ref rem-1 && coop bal; } | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
recorded entry 9 (ref inv-1)
recorded entry 10 (ref c-1)
recorded entry 11 (ref a-1)
recorded entry 12 (ref rem-1)
         5149.06  assets:bank
        -5000.00  equity:opening-balances
          850.00  expenses:coop:costs
          100.50  expenses:members:MEMBER:costs
           95.00  expenses:members:MEMBER:volunteer-allowance
        -1234.56  income:members:MEMBER:revenue
           40.00  liabilities:members:MEMBER:municipality
----------------
            0.00
--- stderr
