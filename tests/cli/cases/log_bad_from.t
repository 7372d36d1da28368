# --from must be a whole number.
setup: coop init --role coop --name A
run: coop log --from -1
exit: 2
--- stdout
--- stderr
coop: error: --from must be a non-negative whole number, got '-1'
