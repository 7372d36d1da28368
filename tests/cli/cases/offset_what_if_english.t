# "What if I earn 800 next month?" in English (--lang en): the same table, a decimal point; a language it does not know is a usage error.
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); s=d['scenarios'][0]; json.dump({'rule_sets': s['rule_sets'], 'months': [dict(s['months'][0], revenue=80000, costs=0)]}, open('what-if.json','w'))"
run: coop offset simulate what-if.json --lang en; coop offset simulate what-if.json --lang de
exit: 2
--- stdout
2026-03  rule set Breda from 2026-01 (PW2015, STATUTORY, FLOOR_ZERO)
  profit                                     800.00
  coop share                                  80.00
  net income                                 720.00
  disregard (n)                              180.00
  volunteer allowance disregarded              0.00
  volunteer allowance counted                  0.00
  counted income                             540.00
  indicative offset                          540.00
  indicative benefit                         861.50
  above norm                                     no
  to municipality                            540.00
  to development budget                      180.00
  n window months used                            1 of 6
  r window months used                            0 of 30
  34a window months used                          0 of 12
  volunteer disregarded this year              0.00
  loss carried                                 0.00

Amounts in euros.  Offset and benefit are indicative: the municipality decides.
--- stderr
coop: error: unknown language 'de' (expected nl or en)
see 'coop offset simulate --help'
