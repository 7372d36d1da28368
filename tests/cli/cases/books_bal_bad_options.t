# bal: bad format, bad period, stray argument.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: coop bal -O xml; coop bal -p 2026-1; coop bal extra; coop reg -p 26
exit: 2
--- stdout
--- stderr
coop: error: unknown output format 'xml' (expected one of: txt, json, csv)
coop: error: invalid period '2026-1' (expected YYYY-MM or YYYY)
coop: error: unexpected argument 'extra'
see 'coop bal --help'
coop: error: invalid period '26' (expected YYYY-MM or YYYY)
