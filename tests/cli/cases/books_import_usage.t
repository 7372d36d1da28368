# import: one FILE; a missing file; --help.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
run: coop import; coop import a.csv b.csv; coop import --bogus x.csv; coop import missing.csv; coop import --help | head -4
exit: 0
--- stdout
usage: coop import FILE.csv [--future] [--dir DIR]
       coop import --members FILE.csv [--dir DIR]

Records every row of a spreadsheet export in one go: all of them or, if any
--- stderr
coop: error: expected exactly one FILE (- for standard input)
see 'coop import --help'
coop: error: expected exactly one FILE (- for standard input)
see 'coop import --help'
import: unrecognized option '--bogus'
coop: error: invalid option
see 'coop import --help'
coop: error: cannot open 'missing.csv': No such file or directory
