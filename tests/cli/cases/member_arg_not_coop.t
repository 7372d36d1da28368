# On a municipality's (or a member's) node --member takes the member id: a
# client ref or a name is refused saying so and where to find the id (was:
# "no statement for member 'BR-1001' in 2025-12 readable on this node").
setup: coop init --role municipality --name "Gemeente Breda" >/dev/null
run: coop statement --member BR-1001 -p 2025-12; echo "exit $?"; coop statement --member "Anna de Vries" --year 2025; echo "exit $?"
exit: 0
--- stdout
exit 1
exit 1
--- stderr
coop: error: 'BR-1001' is not a member id: on this node give the member id (m-xxxxxx; 'coop audit report' lists it beside the client ref)
coop: error: 'Anna de Vries' is not a member id: on this node give the member id (m-xxxxxx; 'coop audit report' lists it beside the client ref)
