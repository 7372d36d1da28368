# Under umask 000 every file of a new node home is still private, and
# 'coop peer add' rewrites node.conf (the allowlist) with mode 0600 too.
setup: umask 000 && coop init --role coop --name A >/dev/null
setup: umask 000 && coop init --role municipality --name B --dir muni > muni.txt
run: umask 000 && coop peer add --key "$(sed -n 's/^public key: *//p' muni.txt)" --addr 127.0.0.1:7421 --role municipality --name breda && stat -c '%a %n' node node/identity.key node/node.conf node/coop.db
exit: 0
--- stdout
added peer 'breda' (municipality <FP> at 127.0.0.1:7421)
700 node
600 node/identity.key
600 node/node.conf
600 node/coop.db
--- stderr
