# A key file that group or others can read is refused, as ssh does.
setup: coop init --role coop --name A
setup: chmod 640 node/identity.key
run: coop note "hello"
exit: 1
--- stdout
--- stderr
coop: error: key file '<WORK>/node/identity.key' has mode 0640: group or others can access it; run 'chmod 600 <WORK>/node/identity.key'
