# --log must name a log this node holds: its 64-hex-digit key or a peer's name.
setup: coop init --role coop --name 'Breda Werkt' >/dev/null
run: coop rules list --log 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef; echo "exit $?"; coop rules list --log 0123
exit: 2
--- stdout
exit 1
--- stderr
coop: error: this node holds no log '<HEX32>'
coop: error: --log '0123' is neither a node key (64 hex digits) nor the name of a peer in node.conf (see 'coop peer list')
