# A municipality that is neither a node key (64 hex digits) nor the name of a peer is refused.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
run: coop member add --name Anna --municipality 12ab --client-ref BR-1
exit: 1
--- stdout
--- stderr
coop: error: unknown municipality '12ab': give its node key (64 hex digits, as 'coop id' prints) or the name of a [peer] in node.conf
