# --name is required.
run: coop init --role coop
exit: 2
--- stdout
--- stderr
coop: error: both --role and --name are required
see 'coop init --help'
