# Sync and audit commands refuse what they cannot do, naming why, with exit 1 (failure) or 2 (usage).
# (The missing receipt file is named: was "receipt: cannot open".  member view
# says it Dutch first: the member reads it.)
setup: coop init --role coop --name A
run: for a in "sync" "audit run" "audit report" "audit report -p 2026-13" "forks" "node run --listen nohost" "node walk" "disputes" "member view" "receipt export -p 2026-03" "receipt verify nofile" "log --log 0000000000000000000000000000000000000000000000000000000000000001"; do coop $a; echo "$a: $?"; done
exit: 0
--- stdout
sync: 1
audit run: 2
audit report: 2
audit report -p 2026-13: 2
no fork evidence
forks: 0
node run --listen nohost: 2
node walk: 2
no open disputes
disputes: 0
member view: 1
receipt export -p 2026-03: 1
receipt verify nofile: 1
log --log <HEX32>: 1
--- stderr
coop: error: no peers configured (add one with 'coop peer add')
coop: error: only a municipality node audits statements (this node is a coop)
coop: error: 'audit report' needs -p YYYY-MM or --year YYYY
see 'coop audit --help'
coop: error: -p '2026-13' is not a month (YYYY-MM)
see 'coop audit --help'
coop: error: --listen 'nohost' is not HOST:PORT
see 'coop node --help'
coop: error: unknown subcommand 'walk' (expected 'run')
see 'coop node --help'
coop: error: geen gegevens van u leesbaar met de sleutel van deze node / no member data readable with this node's key: is this a member's node (coop init --role member) whose key the coop enrolled (--member-key), and has it synced with the coop ('coop sync')?
coop: error: no statement for this member in 2026-03 readable on this node (is the month closed, and has this node synced with the coop?)
coop: error: nofile: cannot open: No such file or directory
coop: error: this node holds no entries of the log of <FP> (see 'coop logs'; 'coop sync' brings it from a peer that holds it)
