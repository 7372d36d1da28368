# A second init on the same home must not overwrite the node (and its key).
setup: coop init --role coop --name A
setup: cp node/identity.key key.before
run: coop init --role municipality --name B; status=$?; cmp key.before node/identity.key && exit $status
exit: 1
--- stdout
--- stderr
coop: error: a node already exists at '<WORK>/node' ('identity.key' is there); refusing to overwrite it
