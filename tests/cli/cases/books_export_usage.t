# export: -O is required and one of hledger, ledger, csv; -p is checked.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
run: coop export; coop export -O json; coop export -O csv -p 2026-00; coop export -O csv extra; coop export --help | head -1
exit: 0
--- stdout
usage: coop export -O hledger|ledger|csv [-p YYYY-MM|YYYY] [--dir DIR]
--- stderr
coop: error: -O hledger, -O ledger, -O csv or -O xaf is required
see 'coop export --help'
coop: error: unknown export format 'json' (expected one of: hledger, ledger, csv, xaf)
coop: error: invalid period '2026-00' (expected YYYY-MM or YYYY)
coop: error: unexpected argument 'extra'
see 'coop export --help'
