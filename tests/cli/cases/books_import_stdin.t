# FILE - reads standard input; errors name it <stdin>.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: printf 'type,member,amount,date\ncoop-cost,,12.5,2026-01-05\n' | coop import - && printf 'type,member,amount,date\ncoop-cost,,12.555,2026-01-05\n' | coop import -
exit: 1
--- stdout
imported 1 record (0 already there)
--- stderr
coop: error: <stdin>:2: amount '12.555': more than two decimals
coop: error: <stdin>: 1 bad row; nothing imported
