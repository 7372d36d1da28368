# A proof whose shown payload was changed does not verify.
setup: coop init --role coop --name A
setup: coop note "paid 100"
setup: coop proof inclusion 1 > proof.json
setup: python3 -c "import json; d=json.load(open('proof.json')); d['payload']=b'paid 900'.hex(); json.dump(d, open('bad.json','w'))"
run: coop proof verify bad.json
exit: 1
--- stdout
--- stderr
coop: error: proof: 'payload' does not match 'payload_hash'
