# coop log describes the books' own public entries through their codecs
# (ledger/books_payload.c): books, period open, period close.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop period open 2025-12 >/dev/null && coop period close 2025-12 >/dev/null
run: coop log --from 2 && coop log --from 2 -O json | grep -o '"summary":"[^"]*","hex":"[^"]*"' | sed 's/"hex":"01[0-9a-f]\{32\}0100"/"hex":"01<audience>0100"/'
exit: 0
--- stdout
     2  2026-01-01T00:00:00.000Z  <HEX8>  books      books opened
     3  2026-01-01T00:00:00.000Z  <HEX8>  period_open books begin at 2025-12
     4  2026-01-01T00:00:00.000Z  <HEX8>  period_close closed 2025-12
"summary":"books opened","hex":"01<audience>0100"
"summary":"books begin at 2025-12","hex":"0110170300"
"summary":"closed 2025-12","hex":"0110170300"
--- stderr
