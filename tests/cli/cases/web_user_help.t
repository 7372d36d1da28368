# 'coop web user --help' is help (exit 0), as for every subcommand; a bare
# 'coop web user' is still a usage error.  (Was: exit 2, "expected 'web user add ...'".)
run: coop web user --help | head -2; coop web user -h | head -1; coop web user; echo "exit $?"
exit: 0
--- stdout
usage: coop web [--http HOST:PORT] [--dir DIR]
       coop web user add NAME --role admin|officer|member
usage: coop web [--http HOST:PORT] [--dir DIR]
exit 2
--- stderr
coop: error: expected 'web user add NAME --role ROLE'
see 'coop web --help'
