# A node.conf that group or others can write (whoever writes it decides who
# may connect) is refused by every command that opens the node: the error
# names the file, its mode and the fix, and nothing is changed.
setup: coop init --role coop --name A >/dev/null
setup: coop init --role partner --name P --dir partner > partner.txt
setup: chmod 666 node/node.conf
setup: sha256sum node/* > before
run: for command in "note hello" "id" "log" "verify" "peer list" "peer add --key $(sed -n 's/^public key: *//p' partner.txt) --addr 127.0.0.1:7421 --role partner --name p" "peer remove p" "member list" "sync" "node run"; do timeout 10 coop $command; echo "coop ${command%% *}: exit $?"; done; sha256sum --quiet -c before && stat -c '%a %n' node/node.conf
exit: 0
--- stdout
coop note: exit 1
coop id: exit 1
coop log: exit 1
coop verify: exit 1
coop peer: exit 1
coop peer: exit 1
coop peer: exit 1
coop member: exit 1
coop sync: exit 1
coop node: exit 1
666 node/node.conf
--- stderr
coop: error: config file '<WORK>/node/node.conf' has mode 0666: group or others can write to it; run 'chmod 600 <WORK>/node/node.conf'
coop: error: config file '<WORK>/node/node.conf' has mode 0666: group or others can write to it; run 'chmod 600 <WORK>/node/node.conf'
coop: error: config file '<WORK>/node/node.conf' has mode 0666: group or others can write to it; run 'chmod 600 <WORK>/node/node.conf'
coop: error: config file '<WORK>/node/node.conf' has mode 0666: group or others can write to it; run 'chmod 600 <WORK>/node/node.conf'
coop: error: config file '<WORK>/node/node.conf' has mode 0666: group or others can write to it; run 'chmod 600 <WORK>/node/node.conf'
coop: error: config file '<WORK>/node/node.conf' has mode 0666: group or others can write to it; run 'chmod 600 <WORK>/node/node.conf'
coop: error: config file '<WORK>/node/node.conf' has mode 0666: group or others can write to it; run 'chmod 600 <WORK>/node/node.conf'
coop: error: config file '<WORK>/node/node.conf' has mode 0666: group or others can write to it; run 'chmod 600 <WORK>/node/node.conf'
coop: error: config file '<WORK>/node/node.conf' has mode 0666: group or others can write to it; run 'chmod 600 <WORK>/node/node.conf'
coop: error: config file '<WORK>/node/node.conf' has mode 0666: group or others can write to it; run 'chmod 600 <WORK>/node/node.conf'
