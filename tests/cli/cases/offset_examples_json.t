# Every worked example, run through the CLI, gives exactly its expected statements.
run: python3 -c "import json,subprocess,sys; d=json.load(open('$DATA/offset-examples.json')); bad=[s['name'] for s in d['scenarios'] if json.loads(subprocess.run(['coop','offset','simulate','-','-O','json'],input=json.dumps({'rule_sets':s['rule_sets'],'months':s['months']}),capture_output=True,text=True,check=True).stdout)!=s['expected']]; print('mismatch:', bad) if bad else print(len(d['scenarios']), 'scenarios match'); sys.exit(1 if bad else 0)"
exit: 0
--- stdout
6 scenarios match
--- stderr
