# A key file that group or others can read is refused, as ssh does.
setup: coop init --role coop --name A
setup: chmod 640 node/identity.key
run: coop note "hello"
exit: 1
--- stdout
--- stderr
coop: error: key file '<WORK>/node/identity.key' is accessible by group or others (or not a regular file); run 'chmod 600 <WORK>/node/identity.key'
