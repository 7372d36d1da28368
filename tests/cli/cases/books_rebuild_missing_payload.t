# A rebuild refuses an entry whose payload is missing, naming it, rather than
# dropping its revenue from the books; the books stay as they were.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 987654,32 --date 2026-01-05 --ref inv-1
setup: test "$(sqlite3 node/coop.db "UPDATE entries SET payload = NULL WHERE log_no = 1 AND idx = 7; SELECT changes()")" = 1
run: coop rebuild; coop bal | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
       987654.32  assets:bank
      -987654.32  income:members:MEMBER:revenue
----------------
            0.00
--- stderr
coop: error: rebuild failed, nothing changed: entry 7 of log <FP> has no payload and no erasure by its author covers it (the database was changed outside coop)
