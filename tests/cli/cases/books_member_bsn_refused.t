# A 9-digit client ref that passes the 11-check looks like a BSN: refused.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
run: coop member add --name Anna --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref 111222333
exit: 1
--- stdout
--- stderr
coop: error: client ref '111222333' looks like a BSN (9 digits passing the 11-check); a coop may not use BSNs.  Use the municipality's client number or an agreed pseudonym, or pass --not-a-bsn if this really is not a BSN
