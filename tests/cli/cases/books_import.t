# import records every row in one go; quoted fields hold commas, quotes and newlines;
# rows without a ref get import-<hash>-<line>; blank rows are skipped.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: printf 'type,member,amount,date,ref,note\nopening,,5000,2025-12-31,open,opening balance\nrevenue,%s,"1234,56",2026-01-05,inv-1,"Invoice 1, ""garden"""\ncost,%s,100.5,2026-01-06,,"Tools\nand paint"\nhours,%s,12.25,2026-01-07,,\n\ncoop-cost,,850,2026-01-02,rent-01,Rent\n' $(cat id) $(cat id) $(cat id) > a.csv
run: coop import a.csv && coop reg -O csv | sed "s/$(cat id)/MEMBER/g" | sed -E "s/import-[0-9a-f]{12}-/import-HASH-/"
exit: 0
--- stdout
imported 5 records (0 already there)
index,date,type,member,ref,note,account,amount
7,2025-12-31,opening,,open,opening balance,assets:bank,5000.00
7,2025-12-31,opening,,open,opening balance,equity:opening-balances,-5000.00
11,2026-01-02,coop-cost,,rent-01,Rent,expenses:coop:costs,850.00
11,2026-01-02,coop-cost,,rent-01,Rent,assets:bank,-850.00
8,2026-01-05,revenue,MEMBER,inv-1,"Invoice 1, ""garden""",assets:bank,1234.56
8,2026-01-05,revenue,MEMBER,inv-1,"Invoice 1, ""garden""",income:members:MEMBER:revenue,-1234.56
9,2026-01-06,cost,MEMBER,import-HASH-4,"Tools
and paint",expenses:members:MEMBER:costs,100.50
9,2026-01-06,cost,MEMBER,import-HASH-4,"Tools
and paint",assets:bank,-100.50
10,2026-01-07,hours,MEMBER,import-HASH-6,,(hours),12.25
--- stderr
