# A row only the books can refuse (the development budget) stops the whole file;
# the message names its line and the rows before it are not recorded.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: printf 'type,member,amount,date,ref\nrevenue,%s,10,2026-01-05,r-1\nrevenue,%s,20,2026-01-06,r-2\nspend,%s,5,2026-01-07,r-3\n' $(cat id) $(cat id) $(cat id) > a.csv
run: coop import a.csv 2>err; s=$?; sed "s/$(cat id)/MEMBER/g" err >&2; coop bal; exit $s
exit: 1
--- stdout
----------------
            0.00
--- stderr
coop: error: a.csv:4: development budget of MEMBER is 0.00; cannot spend 5.00
coop: error: a.csv: nothing imported
