# A balanced edit of the derived postings (both of a record's postings ten
# times larger) is not signed into the month's statement: the close computes
# from the signed entries, so the statement says EUR 1,200.00 as the log
# does; verify names the edit and suggests a rebuild; after it, verify passes.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle
setup: coop record revenue --member $(cat id) --amount 1200 --date 2025-12-05 --ref inv-1
setup: test "$(sqlite3 node/coop.db "UPDATE books_postings SET amount_cents = amount_cents * 10 WHERE entry_index = 7; SELECT changes()")" = 2
run: { coop period close 2025-12; coop statement --member $(cat id) -p 2025-12 -O json | grep '"revenue"'; coop verify; coop rebuild; coop verify >/dev/null && echo verified; } 2>&1 | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
closed 2025-12
    "revenue": 120000,
coop: error: verify failed: the books do not match the log: table books_postings, row entry_index 7, position 0 (member_id 'MEMBER', account 'assets:bank'): amount_cents expected 120000, found 1200000; run 'coop rebuild'
rebuilt the books from 11 entries
verified
--- stderr
