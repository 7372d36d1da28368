# "What if I earn 800 next month?": a single month as a readable table, in Dutch
# (members read it; amounts with a decimal comma, "ö" counted as one column).
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); s=d['scenarios'][0]; json.dump({'rule_sets': s['rule_sets'], 'months': [dict(s['months'][0], revenue=80000, costs=0)]}, open('what-if.json','w'))"
run: coop offset simulate what-if.json
exit: 0
--- stdout
2026-03  rekenregels Breda vanaf 2026-01 (PW2015, STATUTORY, FLOOR_ZERO)
  winst                                      800,00
  aandeel coöperatie                          80,00
  netto-inkomsten                            720,00
  vrijlating (n)                             180,00
  vrijwilligersverg. vrijgelaten               0,00
  vrijwilligersverg. geteld                    0,00
  getelde inkomsten                          540,00
  indicatieve verrekening                    540,00
  indicatieve uitkering                      861,50
  boven de bijstandsnorm                        nee
  naar de gemeente                           540,00
  naar het ontwikkelbudget                   180,00
  maanden gebruikt van venster n                  1 van 6
  maanden gebruikt van venster r                  0 van 30
  maanden gebruikt van venster 34a                0 van 12
  vrijwilligersverg. vrij dit jaar             0,00
  overgedragen verlies                         0,00

Bedragen in euro.  Verrekening en uitkering zijn indicatief: de gemeente beslist.
--- stderr
