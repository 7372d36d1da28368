# An unknown role is a usage error and creates nothing.
run: coop init --role bank --name A; status=$?; test ! -e node && exit $status
exit: 2
--- stdout
--- stderr
coop: error: unknown role 'bank' (expected coop, municipality, partner or member)
see 'coop init --help'
