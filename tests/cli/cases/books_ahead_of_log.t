# Books that say they describe more of the log than there is, or hold rows
# past their own counter, say so and suggest a rebuild (not "database error").
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 1200 --date 2026-01-05 --ref inv-1
run: sqlite3 node/coop.db "UPDATE books_state SET value = 50 WHERE name = 'indexed_size'"; coop bal; sqlite3 node/coop.db "UPDATE books_state SET value = 3 WHERE name = 'indexed_size'"; coop record revenue --member $(cat id) --amount 1 --date 2026-01-06 --ref inv-2; coop rebuild && coop bal | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
rebuilt the books from 8 entries
         1200.00  assets:bank
        -1200.00  income:members:MEMBER:revenue
----------------
            0.00
--- stderr
coop: error: the books do not match the log: the books say they describe 50 entries of this node's log, but it holds only 8; run 'coop rebuild'
coop: error: the books do not match the log: the books already hold entry 7, but their 'indexed up to' counter says 3; run 'coop rebuild'
