# A bad address, an unknown role, a duplicate and the node's own key are refused.
# A mistyped address is a usage error (exit 2, like a bad key; was exit 1).
setup: coop init --role coop --name A
setup: coop init --role municipality --name B --dir muni > muni.txt
setup: coop peer add --key "$(sed -n 's/^public key: *//p' muni.txt)" --addr 127.0.0.1:7421 --role municipality --name breda
run: K=$(sed -n 's/^public key: *//p' muni.txt); coop peer add --key $K --addr nohost --role municipality --name x; echo "exit $?"; coop peer add --key $K --addr h:1 --role bank; coop peer add --key $K --addr h:1 --role partner --name y; coop peer add --key $(coop id -O json | python3 -c 'import json,sys;print(json.load(sys.stdin)["public_key"])') --addr h:2 --role coop --name self; coop peer remove nobody
exit: 1
--- stdout
exit 2
--- stderr
coop: error: --addr 'nohost' is not HOST:PORT
see 'coop peer --help'
coop: error: unknown role 'bank'
see 'coop peer --help'
coop: error: that key is already configured as peer 'breda'
coop: error: that is this node's own key
coop: error: no peer 'nobody' (see 'coop peer list')
