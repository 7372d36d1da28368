# Corrections: only records, only once, never of a correction, only in open months.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 1200 --date 2026-01-05 --ref inv-1
setup: coop correct 7 --reason first
run: coop correct 7 --reason again; coop correct 8 --reason undo; coop correct 0 --reason note; coop correct 99 --reason nothing
exit: 1
--- stdout
--- stderr
coop: error: entry 7 was already corrected by entry 8
coop: error: entry 8 is a correction: it cannot be corrected by hand
coop: error: entry 0 is not a record (see 'coop reg')
coop: error: entry 99 is not a record (see 'coop reg')
