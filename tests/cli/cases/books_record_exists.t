# The same record under the same ref again answers exists with the first entry.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 10 --date 2026-01-05 --ref inv-1
run: coop record revenue --member $(cat id) --amount 10.00 --date 2026-01-05 --ref inv-1 && coop reg | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
exists: entry 7 (ref inv-1)
     7  2026-01-05  revenue      MEMBER  assets:bank                                            10.00  
     7  2026-01-05  revenue      MEMBER  income:members:MEMBER:revenue                       -10.00  
--- stderr
