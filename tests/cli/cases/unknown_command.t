# An unknown command is a usage error.
run: coop frobnicate
exit: 2
--- stdout
--- stderr
coop: error: unknown command 'frobnicate'; see 'coop --help'
