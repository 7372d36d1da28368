# A Dutch spreadsheet: semicolons, decimal commas, CRLF line ends, a byte order mark;
# an hours column; columns in any order.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: printf '\xef\xbb\xbfdate;type;member;hours;amount;note;ref\r\n2026-01-05;revenue;%s;;1234,56;factuur 7;f-7\r\n2026-01-06;hours;%s;7,5;;"week 1; ochtend";u-1\r\n' $(cat id) $(cat id) > nl.csv
run: coop import nl.csv; coop import nl.csv; printf 'date;type;member;hours;amount;note;ref\n2026-01-07;hours;%s;7,5;7,5;;u-2\n2026-01-07;revenue;%s;7,5;;;u-3\n2026-01-08;revenue;%s;;1.234,56;;u-4\n' $(cat id) $(cat id) $(cat id) | coop import -; coop reg | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
imported 2 records (0 already there)
imported 0 records (2 already there)
     7  2026-01-05  revenue      MEMBER  assets:bank                                          1234.56  factuur 7
     7  2026-01-05  revenue      MEMBER  income:members:MEMBER:revenue                     -1234.56  factuur 7
     8  2026-01-06  hours        MEMBER  (hours)                                                 7.50  week 1; ochtend
--- stderr
coop: error: <stdin>:2: an hours record takes hours or amount, not both
coop: error: <stdin>:3: only an hours record takes hours; a revenue record takes an amount
coop: error: <stdin>:4: amount '1.234,56': no thousands separators, please (write 1234.56 or 1234,56)
coop: error: <stdin>: 3 bad rows; nothing imported
