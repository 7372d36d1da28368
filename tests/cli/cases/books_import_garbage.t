# A file that is not text: its bytes are shown as '?' in the messages, never raw;
# an unnamed column and an all-space row.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: printf 'type,\xff\xfe\x01amount,date,\n' > bin.csv
setup: printf 'type,amount,date\ncoop-cost,7\x01,2026-01-01\n  , ,\ncoop-cost,7,2026-01-01\n' > rows.csv
run: coop import bin.csv; coop import rows.csv
exit: 1
--- stdout
--- stderr
coop: error: bin.csv:1: unknown column '???amount' (known: type, member, amount, hours, date, ref, note)
coop: error: bin.csv:1: column 4 of the header has no name
coop: error: bin.csv: nothing imported
coop: error: rows.csv:2: amount '7?': not an amount (expected e.g. 1234.56)
coop: error: rows.csv: 1 bad row; nothing imported
