# Every command that takes a year refuses one that has not begun as a usage
# error (exit 2), naming the year and the years it can be asked for, before
# it opens the node; a year it cannot do for a real reason (nothing closed
# yet) stays a failure (exit 1).
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop record opening --amount 5000 --date 2025-12-01 --ref open >/dev/null
run: for c in "report year 2027" "export -O xaf --year 2030" "period close 2027" "statement --year 2027" "statement --member BR-1 --year 2027" "audit report --year 2027 --dir muni"; do coop $c >/dev/null; echo "coop $c: exit $?"; done; coop period close 2025; echo "coop period close 2025: exit $?"; coop report year 2026 >/dev/null 2>&1; echo "coop report year 2026: exit $?"
exit: 0
--- stdout
coop report year 2027: exit 2
coop export -O xaf --year 2030: exit 2
coop period close 2027: exit 2
coop statement --year 2027: exit 2
coop statement --member BR-1 --year 2027: exit 2
coop audit report --year 2027 --dir muni: exit 2
coop period close 2025: exit 1
coop report year 2026: exit 0
--- stderr
coop: error: year 2027 has not begun (today is 2026-01-01): expected a year from 1900 to 2026
coop: error: year 2030 has not begun (today is 2026-01-01): expected a year from 1900 to 2026
coop: error: year 2027 has not begun (today is 2026-01-01): expected a year from 1900 to 2026
coop: error: year 2027 has not begun (today is 2026-01-01): expected a year from 1900 to 2026
coop: error: year 2027 has not begun (today is 2026-01-01): expected a year from 1900 to 2026
coop: error: year 2027 has not begun (today is 2026-01-01): expected a year from 1900 to 2026
coop: error: no books for 2025: no month is closed yet
