# A month that has not ended, a bad month, a missing rule set.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: coop period close 2026-01; coop period close 2026-13; coop period reopen 2025-12; coop period close 2025-12 2>err; s=$?; sed "s/$(cat id)/MEMBER/g" err >&2; exit $s
exit: 1
--- stdout
--- stderr
coop: error: period 2026-01 has not ended yet
coop: error: invalid month '2026-13' (expected YYYY-MM)
coop: error: expected 'close YYYY-MM', 'close YYYY' or 'open YYYY-MM'
see 'coop period --help'
coop: error: no rule set in force for 2025-12 from municipality breda (<FP>) (member MEMBER): import its log with 'coop log import' once it has published one
