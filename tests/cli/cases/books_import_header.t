# The header names the columns: unknown, repeated and missing ones are errors.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: printf 'type,member,amount,date,ref,note,colour,Size\n' > a.csv
setup: printf 'type,amount,date,Amount\n' > b.csv
setup: printf 'member,amount,date\n' > c.csv
setup: printf 'type,member,date\n' > d.csv
setup: : > e.csv
run: for f in a b c d e; do coop import $f.csv; done
exit: 1
--- stdout
--- stderr
coop: error: a.csv:1: unknown column 'colour' (known: type, member, amount, hours, date, ref, note)
coop: error: a.csv:1: unknown column 'Size' (known: type, member, amount, hours, date, ref, note)
coop: error: a.csv: nothing imported
coop: error: b.csv:1: column 'amount' appears twice
coop: error: b.csv: nothing imported
coop: error: c.csv:1: missing column 'type' (the first row must name the columns: type,member,amount,date,ref,note)
coop: error: c.csv: nothing imported
coop: error: d.csv:1: missing column 'amount' (or 'hours')
coop: error: d.csv: nothing imported
coop: error: e.csv: empty file: the first row must name the columns (type,member,amount,date,ref,note)
