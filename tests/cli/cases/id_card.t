# coop id --card: a short card for a letter or web page, with the option a receipt verifier anchors this key with.
# Dutch first, English beside: residents and benefits officers read it (was English only).
setup: coop init --role municipality --name "Gemeente Breda"
run: coop id --card
exit: 0
--- stdout
Gemeente Breda (gemeente / municipality)
sleutel (key):              <HEX32>
vingerafdruk (fingerprint): <FP>
Een ontvangstbewijs is alleen van ons als het deze vingerafdruk noemt
(a receipt is ours only if it names this fingerprint):
  coop receipt verify RECEIPT --municipality <FP>
--- stderr
