# An unknown role in the configuration names file, line and value.
setup: coop init --role coop --name A
setup: sed -i 's/^role = coop/role = bank/' node/node.conf
run: coop id
exit: 1
--- stdout
--- stderr
coop: error: <WORK>/node/node.conf:3: unknown role 'bank' (expected coop, municipality, partner or member)
