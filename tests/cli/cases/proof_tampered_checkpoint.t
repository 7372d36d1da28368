# A proof whose checkpoint size was changed has a bad signature.
setup: coop init --role coop --name A
setup: coop note one && coop note two
setup: coop proof consistency 1 3 > proof.json
setup: python3 -c "import json; d=json.load(open('proof.json')); b=bytearray.fromhex(d['new_checkpoint_bytes']); b[34]^=1; d['new_checkpoint_bytes']=b.hex(); json.dump(d, open('bad.json','w'))"
run: coop proof verify bad.json
exit: 1
--- stdout
--- stderr
coop: error: proof: 'new_checkpoint_bytes' has a bad signature
