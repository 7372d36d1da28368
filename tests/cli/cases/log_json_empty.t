# Past the end, log -O json is an empty array.
setup: coop init --role coop --name A
run: coop log --from 5 -O json
exit: 0
--- stdout
[]
--- stderr
