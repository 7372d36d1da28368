# A configuration error names the file and line.
setup: coop init --role coop --name A
setup: printf 'colour = blue\n' >> node/node.conf
run: coop id
exit: 1
--- stdout
--- stderr
coop: error: <WORK>/node/node.conf:7: unknown setting 'colour' in [node]
