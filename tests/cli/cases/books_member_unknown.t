# Showing, setting or balancing an unknown member names it.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: coop member show m-000000; coop member set m-000000 --from 2026-01 --left; coop bal --member m-000000
exit: 1
--- stdout
--- stderr
coop: error: unknown member 'm-000000' (see 'coop member list')
coop: error: unknown member 'm-000000' (see 'coop member list')
coop: error: unknown member 'm-000000' (see 'coop member list')
