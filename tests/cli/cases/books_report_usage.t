# report and export -O xaf: bad years and bad options, each refused with its message.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop record opening --amount 5000 --date 2025-12-01 --ref open >/dev/null
run: coop report; coop report year; coop report year 26; coop report year 1850; coop report month 2026; coop report year 2026 extra; coop report year 2026 --lang de; coop report year 2026 -O pdf; coop report year 2027; coop report year 2024; coop export -O xaf; coop export -O xaf -p 2026; coop export -O csv --year 2026; coop export -O xaf --year 2o26; coop export -O xaf --year 2024; coop report --help | head -1; coop export -O xaf --year 2025 | head -2
exit: 0
--- stdout
usage: coop report year YYYY [-O txt|csv|json|html] [--lang nl|en] [--dir DIR]
<?xml version="1.0" encoding="UTF-8"?>
<auditfile xmlns="http://www.auditfiles.nl/XAF/3.2">
--- stderr
coop: error: which report? (expected: year YYYY)
see 'coop report --help'
coop: error: report year needs the year, YYYY
see 'coop report --help'
coop: error: invalid year '26' (expected YYYY)
coop: error: year 1850 is out of range (1900 to 9999)
coop: error: unknown report 'month' (expected: year)
see 'coop report --help'
coop: error: unexpected argument 'extra'
see 'coop report --help'
coop: error: unknown language 'de' (expected nl or en)
see 'coop report --help'
coop: error: unknown output format 'pdf' (expected one of: txt, json, csv, html)
coop: error: year 2027 has not begun (today is 2026-01-01): expected a year from 1900 to 2026
coop: error: no books for 2024: the books begin on 2025-12-01 (the first record)
coop: error: -O xaf needs --year YYYY (the audit file is of one year)
see 'coop export --help'
coop: error: -O xaf takes --year YYYY, not -p
see 'coop export --help'
coop: error: --year is for -O xaf; -p YYYY limits the other formats
see 'coop export --help'
coop: error: invalid year '2o26' (expected YYYY)
coop: error: no books for 2024: the books begin on 2025-12-01 (the first record)
