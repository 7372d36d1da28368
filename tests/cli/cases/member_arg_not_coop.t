# On a municipality's (or a member's) node --member takes the member id: a
# client ref or a name is refused saying so and where to find the id (was:
# "no statement for member 'BR-1001' in 2025-12 readable on this node"); an
# id without a statement is said Dutch first (officers and members read it).
setup: coop init --role municipality --name "Gemeente Breda" >/dev/null
run: coop statement --member BR-1001 -p 2025-12; echo "exit $?"; coop statement --member "Anna de Vries" --year 2025; echo "exit $?"; coop statement --member m-000000 -p 2025-12; echo "exit $?"
exit: 0
--- stdout
exit 1
exit 1
exit 1
--- stderr
coop: error: 'BR-1001' is not a member id: on this node give the member id (m-xxxxxx; 'coop audit report' lists it beside the client ref)
coop: error: 'Anna de Vries' is not a member id: on this node give the member id (m-xxxxxx; 'coop audit report' lists it beside the client ref)
coop: error: geen verrekening van lid 'm-000000' over 2025-12 op deze node (is de maand afgesloten, en heeft deze node met de coöperatie gesynchroniseerd?) / no statement for member 'm-000000' in 2025-12 readable on this node
