# Notes are appended in order after the identity entry; log lists them.
setup: coop init --role coop --name "Breda Werkt"
setup: coop note "books opened for 2026"
run: COOP_NOW_MS=1767225660000 coop note "second note" && coop log
exit: 0
--- stdout
appended entry 2; log size 3
     0  2026-01-01T00:00:00.000Z  <HEX8>  identity   coop 'Breda Werkt'
     1  2026-01-01T00:00:00.000Z  <HEX8>  note       books opened for 2026
     2  2026-01-01T00:01:00.000Z  <HEX8>  note       second note
--- stderr
