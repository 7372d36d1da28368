# Importing the same file twice records nothing new.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: printf 'type,member,amount,date,ref,note\nopening,,5000,2025-12-31,open,opening balance\nrevenue,%s,"1234,56",2026-01-05,inv-1,"Invoice 1, ""garden"""\ncost,%s,100.5,2026-01-06,,"Tools\nand paint"\nhours,%s,12.25,2026-01-07,,\n\ncoop-cost,,850,2026-01-02,rent-01,Rent\n' $(cat id) $(cat id) $(cat id) > a.csv
setup: coop import a.csv
run: coop import a.csv && coop checkpoint | grep size
exit: 0
--- stdout
imported 0 records (5 already there)
size:      12
--- stderr
