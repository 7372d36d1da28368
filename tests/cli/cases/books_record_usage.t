# Usage errors: type, --date, --hours/--amount, --reason.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: coop record; coop record salary --amount 1 --date 2026-01-01; coop record correction --amount 1 --date 2026-01-01; coop record revenue --amount 1; coop record hours --member x --amount 1 --date 2026-01-01; coop record revenue --member x --hours 1 --date 2026-01-01; coop record revenue --amount 1 --date 2026-01-01 --reason x
exit: 2
--- stdout
--- stderr
coop: error: expected exactly one TYPE
see 'coop record --help'
coop: error: unknown record type 'salary'
see 'coop record --help'
coop: error: unknown record type 'correction'
see 'coop record --help'
coop: error: --date is required
see 'coop record --help'
coop: error: 'record hours' takes --hours H, not --amount
see 'coop record --help'
coop: error: this record takes --amount A, not --hours
see 'coop record --help'
coop: error: --reason and --in-open-month go with 'coop correct'
see 'coop record --help'
