# A hand-edited peer section with a bad key names the file and line.
setup: coop init --role coop --name A
setup: printf '\n[peer breda]\nkey = 1234\n' >> node/node.conf
run: coop id
exit: 1
--- stdout
--- stderr
coop: error: <WORK>/node/node.conf:9: peer 'breda': key must be a node key (64 hex digits)
