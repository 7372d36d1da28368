# A log without rule sets lists nothing (a notice on stderr; [] in JSON).
setup: coop init --role coop --name 'Breda Werkt' >/dev/null
run: coop rules list && coop rules list -O json
exit: 0
--- stdout
[]
--- stderr
coop: no rule sets published on this log
