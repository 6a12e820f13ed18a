#!/usr/bin/env bash
# experiment: collective span 1024 rows (a) vs 8192 rows (b) in the profile; validate each
set -e
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
O="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
cd /tmp
for j in a b; do
  uptime
  /usr/bin/time -f "profile $j %e s" $J $O -jar /tmp/alpa4j-$j.jar profile --no-progress --out /tmp/p-$j.json > /tmp/p-$j.txt
done
for j in a b; do
  uptime
  /usr/bin/time -f "validate $j %e s" $J $O -jar /tmp/alpa4j-$j.jar validate --cluster /tmp/p-$j.json --steps 10 --json /tmp/v-$j.json > /tmp/v-$j.txt
  grep 'relative error\|ordered\|automatic' /tmp/v-$j.txt
done
uptime
