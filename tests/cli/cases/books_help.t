# Every books command answers --help on stdout with exit 0.
run: for c in member record correct period accounts bal reg rebuild import export; do coop $c --help | head -1 || exit 1; done
exit: 0
--- stdout
usage: coop member add (--name NAME | --name-file FILE) --municipality KEY
usage: coop record TYPE [--member ID] (--amount A | --hours H) --date YYYY-MM-DD
usage: coop correct ENTRY --reason TEXT [--date YYYY-MM-DD] [--in-open-month]
usage: coop period close YYYY-MM [--dir DIR]
usage: coop accounts [-O txt|json] [--dir DIR]
usage: coop bal [--member ID] [-p YYYY-MM|YYYY] [-O txt|csv|json] [--dir DIR]
usage: coop reg [--member ID] [-p YYYY-MM|YYYY] [-O txt|csv|json] [--dir DIR]
usage: coop rebuild [--dir DIR]
usage: coop import FILE.csv [--future] [--dir DIR]
usage: coop export -O hledger|ledger|csv [-p YYYY-MM|YYYY] [--dir DIR]
--- stderr
