# --dir may come before the command (like git -C); a --dir after it wins.
# (Was refused: "unknown command '--dir'".)
setup: coop init --role coop --name "Breda Werkt" --dir one >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir two >/dev/null
run: coop --dir one id | sed -n 's/^name: *//p'; coop --dir=two id | sed -n 's/^name: *//p'; coop --dir one id --dir two | sed -n 's/^name: *//p'
exit: 0
--- stdout
Breda Werkt
Gemeente Breda
Gemeente Breda
--- stderr
