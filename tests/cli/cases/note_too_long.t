# Notes over 4096 bytes are refused and nothing is appended.
setup: coop init --role coop --name A
run: coop note "$(head -c 4097 /dev/zero | tr '\0' x)"; status=$?; test "$(coop log -O json | grep -c '"index"')" = 1 && exit $status
exit: 2
--- stdout
--- stderr
coop: error: note is 4097 bytes; at most 4096 are allowed
see 'coop note --help'
