# 'coop correct' needs an ENTRY index and --reason.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: coop correct; coop correct 6; coop correct x --reason r; coop correct 6 --reason r --amount 5; coop correct 6 --reason r --date 2026-02-31
exit: 2
--- stdout
--- stderr
coop: error: expected exactly one ENTRY index
see 'coop correct --help'
coop: error: --reason is required
see 'coop correct --help'
coop: error: ENTRY must be a non-negative whole number, got 'x'
coop: error: only --reason, --date and --in-open-month go with 'coop correct'
see 'coop correct --help'
coop: error: invalid date '2026-02-31' (expected YYYY-MM-DD, a real calendar day)
