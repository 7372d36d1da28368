# Amounts: at most two decimals, no sign, no exponent, not empty, more than zero;
# a euro sign or a thousands separator is named as such (was: "not an amount",
# "more than two decimals"), and nothing is written.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: for a in 1.234 -5 1e3 "" 0 1.000,00 12. 100000000001 "€ 12,50" "12,50 EUR"; do coop record revenue --member $(cat id) --amount "$a" --date 2026-01-05; echo "exit $?"; done; coop reg | wc -l
exit: 0
--- stdout
exit 2
exit 2
exit 2
exit 2
exit 2
exit 2
exit 2
exit 2
exit 2
exit 2
0
--- stderr
coop: error: --amount '1.234': more than two decimals
coop: error: --amount '-5': a sign makes no sense here
coop: error: --amount '1e3': not an amount (expected e.g. 1234.56)
coop: error: --amount '': not an amount (expected e.g. 1234.56)
coop: error: --amount '0': must be more than zero
coop: error: --amount '1.000,00': no thousands separators, please (write 1234.56 or 1234,56)
coop: error: --amount '12.': no digits after the decimal separator
coop: error: --amount '100000000001': too large
coop: error: --amount '€ 12,50': just the number, without the euro sign (e.g. 1234,56)
coop: error: --amount '12,50 EUR': just the number, without the euro sign (e.g. 1234,56)
