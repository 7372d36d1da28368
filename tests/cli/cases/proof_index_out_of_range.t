# An index past the signed size is refused.
setup: coop init --role coop --name A
run: coop proof inclusion 5
exit: 1
--- stdout
--- stderr
coop: error: entry 5 is not in the log at size 1
