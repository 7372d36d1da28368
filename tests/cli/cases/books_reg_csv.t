# reg -O csv: one row per posting (memos show their quantity), CSV quoting of notes.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 1200 --date 2026-01-05 --ref inv-1 --note 'Invoice 1, "garden"'
setup: coop record hours --member $(cat id) --hours 7.5 --date 2026-01-04 --ref h-1
run: coop reg -O csv | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
index,date,type,member,ref,note,account,amount
8,2026-01-04,hours,MEMBER,h-1,,(hours),7.50
7,2026-01-05,revenue,MEMBER,inv-1,"Invoice 1, ""garden""",assets:bank,1200.00
7,2026-01-05,revenue,MEMBER,inv-1,"Invoice 1, ""garden""",income:members:MEMBER:revenue,-1200.00
--- stderr
