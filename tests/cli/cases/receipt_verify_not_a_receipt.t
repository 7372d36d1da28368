# receipt verify: a file that is not a receipt is refused naming the rule (exit 1), before any anchor is looked at.
setup: echo '{"format": "something-else"}' > r.json
run: coop receipt verify r.json --municipality 1a2b-3c4d-5e6f-7081
exit: 1
--- stdout
--- stderr
coop: error: ontvangstbewijs AFGEWEZEN: r.json: het bestand is geen leesbaar ontvangstbewijs (regel 'fields'; in detail: not a coop-receipt-v1 file)
