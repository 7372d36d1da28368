# log -O json --from N gives one object per entry from N on.
setup: coop init --role coop --name A
setup: coop note one
setup: coop note two
run: coop log --from 2 -O json
exit: 0
--- stdout
[
  {"index":2,"kind":"note","timestamp":1767225600000,"time":"2026-01-01T00:00:00.000Z","leaf_hash":"<HEX32>","audience":null,"payload_bytes":3,"readable":true,"payload":{"text":"two"},"erased":false}
]
--- stderr
