# A coop with no records exports declarations only.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
run: coop export -O ledger
exit: 0
--- stdout
; The books of 'Breda Werkt', exported by coop for ledger.
; Amounts are exact, from integer cents.  Each transaction is one signed
; log entry (tag entry).  Memos (hours, other income) move no money: they
; are the '; memo' comments, not postings.

commodity EUR
    format 1000.00 EUR

account assets:bank
    ; type: A
account assets:receivables
    ; type: A
account equity:opening-balances
    ; type: E
account equity:result-earlier-years
    ; type: E
account income:coop:share
    ; type: R
account expenses:coop:costs
    ; type: X

tag entry
tag type
tag member
tag ref
tag corrects

--- stderr
