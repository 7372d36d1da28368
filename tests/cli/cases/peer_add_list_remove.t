# Peers are added to node.conf, listed, and removed by name.
setup: coop init --role coop --name A
setup: coop init --role municipality --name B --dir muni > muni.txt
setup: coop peer add --key "$(sed -n 's/^public key: *//p' muni.txt)" --addr 127.0.0.1:7421 --role municipality --name breda
run: coop peer list && coop peer remove breda && coop peer list -O json
exit: 0
--- stdout
breda                    municipality <FP>  127.0.0.1:7421
removed peer 'breda'
[]
--- stderr
