# A correction reverses a record with a new entry, dated today by default.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 1200 --date 2026-01-05 --ref inv-1
setup: coop record hours --member $(cat id) --hours 20 --date 2026-01-05 --ref h-1
run: { coop correct 7 --reason "invoice cancelled" && coop correct 8 --reason "wrong week" --date 2026-01-09 && coop reg && coop bal; } | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
entry 9 corrects entry 7: booked on 2026-01-01, counts in 2026-01
entry 10 corrects entry 8: booked on 2026-01-09, counts in 2026-01
     9  2026-01-01  correction   MEMBER  assets:bank                                         -1200.00  invoice cancelled
     9  2026-01-01  correction   MEMBER  income:members:MEMBER:revenue                      1200.00  invoice cancelled
     7  2026-01-05  revenue      MEMBER  assets:bank                                          1200.00  
     7  2026-01-05  revenue      MEMBER  income:members:MEMBER:revenue                     -1200.00  
     8  2026-01-05  hours        MEMBER  (hours)                                                20.00  
    10  2026-01-09  correction   MEMBER  (memo)                                                -20.00  wrong week
            0.00  assets:bank
            0.00  income:members:MEMBER:revenue
----------------
            0.00
--- stderr
