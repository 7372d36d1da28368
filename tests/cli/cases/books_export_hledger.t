# The hledger journal: declarations, one transaction per record with its entry index
# and tags, memos as comments; hledger check -s accepts it.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record opening --amount 5000 --date 2025-12-31 --ref open --note "bank; 31 December"
setup: coop record revenue --member $(cat id) --amount 1234.56 --date 2026-01-05 --ref inv-1 --note "Invoice 1, garden"
setup: coop record hours --member $(cat id) --hours 12.5 --date 2026-01-05 --ref h-1
setup: coop record coop-cost --amount 0.05 --date 2026-01-06 --ref fee
setup: coop correct 8 --reason "invoice cancelled" --date 2026-01-07
setup: coop correct 9 --reason "wrong week" --date 2026-01-07
run: coop export -O hledger > j.journal && sed "s/$(cat id)/MEMBER/g" j.journal && hledger -f j.journal check -s && echo hledger ok
exit: 0
--- stdout
; The books of 'Breda Werkt', exported by coop for hledger.
; Amounts are exact, from integer cents.  Each transaction is one signed
; log entry (tag entry).  Memos (hours, other income) move no money: they
; are the '; memo' comments, not postings.

commodity EUR
    format 1000.00 EUR

account assets:bank
    ; type: A
account assets:receivables
    ; type: A
account liabilities:members:MEMBER:municipality
    ; type: L
account liabilities:members:MEMBER:development-budget
    ; type: L
account equity:opening-balances
    ; type: E
account equity:result-earlier-years
    ; type: E
account income:members:MEMBER:revenue
    ; type: R
account income:coop:share
    ; type: R
account expenses:members:MEMBER:costs
    ; type: X
account expenses:members:MEMBER:volunteer-allowance
    ; type: X
account expenses:coop:costs
    ; type: X
account expenses:members:MEMBER:profit-split
    ; type: X

tag entry
tag type
tag member
tag ref
tag corrects

2025-12-31 opening | bank, 31 December
    ; entry: 7
    ; type: opening
    ; ref: open
    assets:bank                                                5000.00 EUR
    equity:opening-balances                                   -5000.00 EUR

2026-01-05 revenue MEMBER | Invoice 1, garden
    ; entry: 8
    ; type: revenue
    ; member: MEMBER
    ; ref: inv-1
    assets:bank                                                1234.56 EUR
    income:members:MEMBER:revenue                           -1234.56 EUR

; memo 2026-01-05 entry 9 hours MEMBER 12.50 hours, ref h-1

2026-01-06 coop-cost
    ; entry: 10
    ; type: coop-cost
    ; ref: fee
    expenses:coop:costs                                           0.05 EUR
    assets:bank                                                  -0.05 EUR

2026-01-07 correction MEMBER | invoice cancelled
    ; entry: 11
    ; type: correction
    ; member: MEMBER
    ; corrects: 8
    assets:bank                                               -1234.56 EUR
    income:members:MEMBER:revenue                            1234.56 EUR

; memo 2026-01-07 entry 12 correction of entry 9 (hours) MEMBER -12.50 hours | wrong week

hledger ok
--- stderr
