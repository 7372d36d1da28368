# proof without a known action is a usage error.
run: coop proof frobnicate
exit: 2
--- stdout
--- stderr
coop: error: expected 'inclusion INDEX', 'consistency OLD NEW' or 'verify FILE'
see 'coop proof --help'
