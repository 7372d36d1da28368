# coop id --card: a short card for a letter or web page, with the option a receipt verifier anchors this key with.
setup: coop init --role municipality --name "Gemeente Breda"
run: coop id --card
exit: 0
--- stdout
Gemeente Breda (coop municipality node)
key:         <HEX32>
fingerprint: <FP>
A receipt is ours only if it names this fingerprint: coop receipt verify RECEIPT --municipality <FP>
--- stderr
