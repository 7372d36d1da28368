# Commands on a home without a node say so.
run: coop id
exit: 1
--- stdout
--- stderr
coop: error: no node at '<WORK>/node' (run 'coop init' first)
