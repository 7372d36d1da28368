# A wrong -O on 'coop statement' names every format it takes, html included.
# (Was: "expected one of: txt, json", though -O html works.)
setup: coop init --role coop --name "Breda Werkt" >/dev/null
run: coop statement --member m-000000 -p 2026-03 -O pdf
exit: 2
--- stdout
--- stderr
coop: error: unknown output format 'pdf' (expected one of: txt, json, html)
