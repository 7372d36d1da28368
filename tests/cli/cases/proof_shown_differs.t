# The readable checkpoint must say what the signed bytes say.
setup: coop init --role coop --name A
setup: coop note one
setup: coop proof inclusion 0 > proof.json
setup: python3 -c "import json; d=json.load(open('proof.json')); d['checkpoint']['size']=99; json.dump(d, open('bad.json','w'))"
run: coop proof verify bad.json
exit: 1
--- stdout
--- stderr
coop: error: proof: 'checkpoint' does not match the signed 'checkpoint_bytes'
