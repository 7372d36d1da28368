# Reissuing a statement: only the last closed month, only with --member and -p, only on a coop node.
setup: coop init --role coop --name A
setup: coop init --role municipality --name M --dir muni
run: coop statement reissue --member m-000000 -p 2025-12; echo "open month: $?"; coop statement reissue -p 2025-12; echo "no member: $?"; coop statement reissue --member m-000000 -p 2025-12 --dir muni; echo "municipality: $?"
exit: 0
--- stdout
open month: 1
no member: 2
municipality: 1
--- stderr
coop: error: 2025-12 is not closed: only a closed month's statement can be reissued (an open month is closed with 'coop period close')
coop: error: --member and -p YYYY-MM are required
see 'coop statement --help'
coop: error: this is a municipality node: only a coop node keeps books
