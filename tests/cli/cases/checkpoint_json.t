# checkpoint -O json shows the latest signed checkpoint.
setup: coop init --role coop --name A
setup: coop note one
run: coop checkpoint -O json
exit: 0
--- stdout
{
  "log_id": "<HEX32>",
  "size": 2,
  "root": "<HEX32>",
  "timestamp": 1767225600000,
  "time": "2026-01-01T00:00:00.000Z",
  "signature": "<SIG>"
}
--- stderr
