# A receipt of a statement that a reissue replaced: offline it says it is in
# force only as of its checkpoint; checked against a node holding the coop's
# log it is reported SUPERSEDED, naming the replacing entry, and exits 1.
# In Dutch, the default (ontvangstbewijs OK ..., VERVANGEN: ...), then the
# same in English (--lang en), word for word as before the Dutch default; a
# language it does not know is a usage error.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 1200 --date 2025-12-05 --ref inv-1 >/dev/null
setup: coop period close 2025-12 >/dev/null
setup: coop log export > coop.bundle 2>/dev/null && coop log import coop.bundle --dir muni >/dev/null
setup: coop audit run --dir muni >/dev/null
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: coop receipt export --member $(cat id) -p 2025-12 > first.json
# Breda publishes a corrected norm from December; the coop reissues.
setup: echo '{"municipality": "Breda", "effective_from": "2025-12", "regime": "PW2015", "norm": 150000, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop statement reissue --member $(cat id) -p 2025-12 >/dev/null
run: coop receipt verify first.json | tail -1; coop receipt verify first.json --dir node | sed "s/$(cat id)/MEMBER/g"; coop receipt verify first.json --lang de; coop receipt verify first.json --lang en | tail -1; coop receipt verify first.json --lang en --dir node | sed "s/$(cat id)/MEMBER/g"; (exit ${PIPESTATUS[0]})
exit: 1
--- stdout
geldig per 2026-01-01T00:00:00.000Z (het controlepunt van de coöperatie); een latere herberekening ziet u hier niet: controleer met --dir NODE
ontvangstbewijs OK: verrekening van Anna de Vries (MEMBER, klantnummer BR-1001) 2025-12 is entry 8 van coöperatie <FP> (Breda Werkt) (ondertekend bij omvang 11, medeondertekend door getuige <FP> (breda)), akkoord van gemeente <FP> (breda) in haar entry 2; getelde inkomsten € 1.080,00, verrekening € 1.080,00, naar de gemeente € 1.080,00
VERVANGEN: entry 11 van het logboek van de coöperatie vervangt deze verrekening (zie 'coop statement --member MEMBER -p ...' of het ontvangstbewijs daarvan)
in force as of 2026-01-01T00:00:00.000Z (the coop's checkpoint); a later reissue would not show here: check with --dir NODE
receipt OK: statement of Anna de Vries (MEMBER, client ref BR-1001) 2025-12 is entry 8 of coop <FP> (Breda Werkt) (signed at size 11, cosigned by witness <FP> (breda)), acknowledged by municipality <FP> (breda) in its entry 2; counted income € 1.080,00, offset € 1.080,00, to the municipality € 1.080,00
SUPERSEDED: entry 11 of the coop's log replaces this statement (see 'coop statement --member MEMBER -p ...' or its receipt)
--- stderr
coop: error: unknown language 'de' (expected nl or en)
see 'coop receipt --help'
