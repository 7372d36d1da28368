# A name with a control character is refused before anything is created.
run: coop init --role coop --name "$(printf 'A\tB')"; status=$?; test ! -e node && exit $status
exit: 1
--- stdout
--- stderr
coop: error: invalid name 'A	B': use 1 to 128 bytes of printable UTF-8, no newlines
