# bal as text, CSV and JSON (integer cents); -p and --member filter.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record opening --amount 5000 --date 2025-12-31 --ref open
setup: coop record revenue --member $(cat id) --amount 1200 --date 2026-01-05 --ref inv-1
setup: COOP_NOW_MS=1770681600000 coop record cost --member $(cat id) --amount 0.05 --date 2026-02-05 --ref c-1
run: { coop bal -O csv && coop bal -O json -p 2026-01 && coop bal -p 2025 && coop bal --member $(cat id) -p 2026-02; } | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
account,amount,amount_cents
assets:bank,6199.95,619995
equity:opening-balances,-5000.00,-500000
expenses:members:MEMBER:costs,0.05,5
income:members:MEMBER:revenue,-1200.00,-120000
[
  {
    "account": "assets:bank",
    "amount_cents": 120000
  },
  {
    "account": "income:members:MEMBER:revenue",
    "amount_cents": -120000
  }
]
         5000.00  assets:bank
        -5000.00  equity:opening-balances
----------------
            0.00
           -0.05  assets:bank
            0.05  expenses:members:MEMBER:costs
----------------
            0.00
--- stderr
