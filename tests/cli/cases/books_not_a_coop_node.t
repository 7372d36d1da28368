# Only a coop node keeps books.
setup: coop init --role municipality --name "Gemeente Breda" >/dev/null
run: coop bal; coop record opening --amount 10 --date 2026-01-01
exit: 1
--- stdout
--- stderr
coop: error: this is a municipality node: only a coop node keeps books
coop: error: this is a municipality node: only a coop node keeps books
