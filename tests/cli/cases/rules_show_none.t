# show on a log without rule sets is an error, never an empty default.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
run: coop rules show
exit: 1
--- stdout
--- stderr
coop: error: no rule set is published on this log
