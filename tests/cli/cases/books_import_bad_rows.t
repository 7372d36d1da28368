# Every bad row is reported with its line; nothing is recorded.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: m=$(cat id); printf 'type,member,amount,date,ref,note\nrevenue,%s,10,2026-01-05,ok-1,fine\nrevenue,m-000000,10,2026-01-05,,\nrevenue,%s,1.234,2026-01-05,,\nrevenue,%s,-5,2026-01-05,,\nrevenue,%s,1e3,2026-01-05,,\nrevenue,%s,,2026-01-05,,\nrevenue,%s,10,2026-02-30,,\nrevenue,%s,10,2026-13-01,,\nrevenue,%s,10,26-01-01,,\nrevnue,%s,10,2026-01-05,,\nrevenue,,10,2026-01-05,,\ncoop-cost,%s,10,2026-01-05,,\nrevenue,%s,10,2026-01-05,ok-1,"same ref\nas line 2"\nrevenue,%s,10\nrevenue,%s,10,2026-01-05,"x"y,\nrevenue,%s,10,2026-01-05,x"y,\nhours,%s,10,2026-01-05,,\ncorrection,%s,10,2026-01-05,,\nprofit-split,%s,10,2026-01-05,,\nrevenue,%s,10,2026-01-05,"unterminated\n' $m $m $m $m $m $m $m $m $m $m $m $m $m $m $m $m $m $m > bad.csv
run: coop import bad.csv; echo "exit $?"; coop checkpoint | grep size
exit: 0
--- stdout
exit 1
size:      7
--- stderr
coop: error: bad.csv:3: unknown member 'm-000000' (see 'coop member list')
coop: error: bad.csv:4: amount '1.234': more than two decimals
coop: error: bad.csv:5: amount '-5': a sign makes no sense here
coop: error: bad.csv:6: amount '1e3': not an amount (expected e.g. 1234.56)
coop: error: bad.csv:7: missing amount
coop: error: bad.csv:8: invalid date '2026-02-30' (expected YYYY-MM-DD, a real calendar day)
coop: error: bad.csv:9: invalid date '2026-13-01' (expected YYYY-MM-DD, a real calendar day)
coop: error: bad.csv:10: invalid date '26-01-01' (expected YYYY-MM-DD, a real calendar day)
coop: error: bad.csv:11: unknown record type 'revnue' (expected revenue, cost, allowance, spend, other-income, hours, remittance, coop-cost or opening)
coop: error: bad.csv:12: a revenue record needs a member
coop: error: bad.csv:13: a coop-cost record is the coop's own: leave member empty
coop: error: bad.csv:14: ref 'ok-1' is also on line 2
coop: error: bad.csv:16: 3 fields, but the header has 6
coop: error: bad.csv:17: text after a closing quote (double a quote inside a quoted field)
coop: error: bad.csv:18: quote inside an unquoted field (quote the whole field and double the quote)
coop: error: bad.csv:20: type 'correction' cannot be imported (see 'coop correct')
coop: error: bad.csv:21: type 'profit-split' cannot be imported (it is made at month close)
coop: error: bad.csv:22: unterminated quoted field (a quote opened here is never closed)
coop: error: bad.csv: 18 bad rows; nothing imported
