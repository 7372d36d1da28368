# Names and client refs read from standard input or a file: empty, several
# lines, too long, a missing file, or both --name and --name-file are refused,
# naming the option and where it was read; no member is added.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: printf '\n' > empty.txt
run: K=$(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p'); printf '' | coop member add --name - --municipality $K --client-ref R1; echo "exit $?"; coop member add --name Anna --municipality $K --client-ref-file empty.txt; echo "exit $?"; printf 'Anna\nBram\n' | coop member add --name-file - --municipality $K --client-ref R1; echo "exit $?"; head -c 65 /dev/zero | tr '\0' 7 | coop member add --name Anna --municipality $K --client-ref -; echo "exit $?"; coop member add --name-file missing.txt --municipality $K --client-ref R1; echo "exit $?"; coop member add --name Anna --name-file empty.txt --municipality $K --client-ref R1; echo "exit $?"; coop member list
exit: 0
--- stdout
exit 1
exit 1
exit 1
exit 1
exit 1
exit 2
member     name                            client ref        municipality
--- stderr
coop: error: --name from standard input is empty
coop: error: --client-ref-file 'empty.txt' is empty
coop: error: --name from standard input holds more than one line
coop: error: --client-ref from standard input: file too large (more than 64 bytes)
coop: error: --name-file 'missing.txt': cannot open: No such file or directory
coop: error: give --name or --name-file, not both
see 'coop member --help'
