# Hours and other income are memos: in the register, not in the balances.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: coop record hours --member $(cat id) --hours 12.5 --date 2026-01-05 --ref h-1 && coop record other-income --member $(cat id) --amount 300 --date 2026-01-06 --ref o-1 --note "part-time job" && coop reg | sed "s/$(cat id)/MEMBER/g" && coop bal
exit: 0
--- stdout
recorded entry 7 (ref h-1)
recorded entry 8 (ref o-1)
     7  2026-01-05  hours        MEMBER  (hours)                                                12.50  
     8  2026-01-06  other-income MEMBER  (memo)                                                300.00  part-time job
----------------
            0.00
--- stderr
