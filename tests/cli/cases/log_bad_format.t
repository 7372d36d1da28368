# An unknown output format is a usage error naming the allowed ones.
setup: coop init --role coop --name A
run: coop log -O yaml
exit: 2
--- stdout
--- stderr
coop: error: unknown output format 'yaml' (expected one of: txt, json)
