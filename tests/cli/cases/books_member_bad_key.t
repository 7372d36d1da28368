# A municipality key that is not 64 hex digits is a usage error.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
run: coop member add --name Anna --municipality 12ab --client-ref BR-1
exit: 2
--- stdout
--- stderr
coop: error: --municipality '12ab' is not a node key (64 hex digits, as 'coop id' prints)
