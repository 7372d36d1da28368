# A proof with one hash changed does not verify.
setup: coop init --role coop --name A
setup: for i in 1 2 3 4 5 6; do coop note "note $i" >/dev/null; done
setup: coop proof inclusion 3 > proof.json
setup: python3 -c "import json; d=json.load(open('proof.json')); h=d['proof'][1]; d['proof'][1]=('0' if h[0]!='0' else '1')+h[1:]; json.dump(d, open('bad.json','w'))"
run: coop proof verify bad.json
exit: 1
--- stdout
--- stderr
coop: error: proof: the inclusion proof does not lead to the signed root
