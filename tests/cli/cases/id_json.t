# coop id -O json gives the public key, fingerprint, role and name.
setup: coop init --role municipality --name "Gemeente Breda"
run: coop id -O json
exit: 0
--- stdout
{
  "public_key": "<HEX32>",
  "fingerprint": "<FP>",
  "role": "municipality",
  "name": "Gemeente Breda"
}
--- stderr
