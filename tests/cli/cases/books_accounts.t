# The chart of accounts, with each per-member account per member.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: coop accounts | sed "s/$(cat id)/MEMBER/g" && coop accounts -O json | grep -c '"account"'
exit: 0
--- stdout
assets:bank                                   asset     the coop's bank account
assets:receivables                            asset     invoiced to clients, not yet received
liabilities:members:MEMBER:municipality     liability the member's profit share due to their municipality
liabilities:members:MEMBER:development-budget liability the member's development budget (ontwikkelbudget)
equity:opening-balances                       equity    balances brought in when the books were opened
equity:result-earlier-years                   equity    the profit and loss of closed years (algemene reserve)
income:members:MEMBER:revenue               income    revenue from the member's work
income:coop:share                             income    the coop's share of members' profit
expenses:members:MEMBER:costs               expense   costs of the member's work
expenses:members:MEMBER:volunteer-allowance expense   volunteer allowance paid to the member
expenses:coop:costs                           expense   the coop's own costs
expenses:members:MEMBER:profit-split        expense   the member's profit, split at month close
12
--- stderr
