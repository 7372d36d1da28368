# coop id --card -O json: the card's fields; a member's card has no verify option (a receipt never needs a member's key).
setup: coop init --role member --name "Anna"
run: coop id --card -O json
exit: 0
--- stdout
{
  "name": "Anna",
  "role": "member",
  "public_key": "<HEX32>",
  "fingerprint": "<FP>",
  "verify": null
}
--- stderr
