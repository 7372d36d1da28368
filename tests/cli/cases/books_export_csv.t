# The CSV export: one row per posting, corrections name what they correct, no memos.
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
run: coop export -O csv | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
entry,date,type,member,ref,corrects,note,account,amount
7,2025-12-31,opening,,open,,bank; 31 December,assets:bank,5000.00
7,2025-12-31,opening,,open,,bank; 31 December,equity:opening-balances,-5000.00
8,2026-01-05,revenue,MEMBER,inv-1,,"Invoice 1, garden",assets:bank,1234.56
8,2026-01-05,revenue,MEMBER,inv-1,,"Invoice 1, garden",income:members:MEMBER:revenue,-1234.56
10,2026-01-06,coop-cost,,fee,,,expenses:coop:costs,0.05
10,2026-01-06,coop-cost,,fee,,,assets:bank,-0.05
11,2026-01-07,correction,MEMBER,,8,invoice cancelled,assets:bank,-1234.56
11,2026-01-07,correction,MEMBER,,8,invoice cancelled,income:members:MEMBER:revenue,1234.56
--- stderr
