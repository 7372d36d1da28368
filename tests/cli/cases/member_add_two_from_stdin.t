# Standard input holds one value: --name - with --client-ref - is a usage
# error, and no member is added.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
run: printf 'Anna\nBR-1001\n' | coop member add --name - --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref -; echo "exit $?"; coop member list
exit: 0
--- stdout
exit 2
member     name                            client ref        municipality
--- stderr
coop: error: only one of --name and --client-ref can be read from standard input ('-'); give the other on the command line or with --client-ref-file
see 'coop member --help'
