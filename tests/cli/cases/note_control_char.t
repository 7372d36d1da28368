# Control characters (other than newline and tab) are refused.
setup: coop init --role coop --name A
run: coop note "$(printf 'bell\a')"
exit: 2
--- stdout
--- stderr
coop: error: note must be non-empty UTF-8 without control characters
see 'coop note --help'
