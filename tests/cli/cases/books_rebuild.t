# rebuild recomputes the derived tables; the reports come out identical.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 1200 --date 2026-01-05 --ref inv-1
setup: coop correct 7 --reason undo
setup: coop bal -O csv > before.csv && coop reg -O csv > before-reg.csv
run: coop rebuild && coop bal -O csv | cmp - before.csv && coop reg -O csv | cmp - before-reg.csv && echo identical
exit: 0
--- stdout
rebuilt the books from 9 entries
identical
--- stderr
