#!/usr/bin/env bash
# Regenerates docs/prometheus-certguard.png: a dev broker with real mosquitto clients (accepted,
# refused, denied, revoked), a Prometheus (Debian's) scraping its /metrics, and headless Chromium
# photographing Prometheus' graph of the main certguard series. Needs: a built project
# (mvn -B -q package -DskipTests), mosquitto-clients, prometheus, chromium. Takes about 3 minutes.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
java -jar "$repo/broker-config/target/secure-broker.jar" --port 18883 --metrics-port 19399 > broker.log 2>&1 &
until grep -q "Publish as device" broker.log; do sleep 1; done
cat > prometheus.yml <<YAML
global: {scrape_interval: 2s}
scrape_configs: [{job_name: certguard, static_configs: [{targets: ['127.0.0.1:19399']}]}]
YAML
prometheus --config.file=prometheus.yml --storage.tsdb.path=tsdb --web.listen-address=127.0.0.1:19090 > prometheus.log 2>&1 &
tls="--cafile dev-pki/ca.crt --cert dev-pki/devices/admin/a1998e.crt --key dev-pki/devices/admin/a1998e.key"
jar="$repo/broker-config/target/secure-broker.jar"
java -jar "$jar" pki issue acme:lost --dir dev-pki > /dev/null
end=$((SECONDS + 150))
round=0
while [ $SECONDS -lt $end ]; do
  round=$((round + 1))
  for i in 1 2 3 4; do mosquitto_pub -h localhost -p 18883 -t admin:a1998e/attrs -m "{\"n\": $i}" $tls || true; done
  mosquitto_pub -h localhost -p 18883 -q 1 -t admin:other/attrs -m x $tls 2>/dev/null || true
  mosquitto_sub -h localhost -p 18883 -t '#' -W 1 $tls 2>/dev/null || true
  if [ $round -eq 20 ]; then java -jar "$jar" pki revoke dev-pki/devices/acme/lost.crt --dir dev-pki > /dev/null; fi
  mosquitto_pub -h localhost -p 18883 -t acme:lost/attrs -m x --cafile dev-pki/ca.crt \
    --cert dev-pki/devices/acme/lost.crt --key dev-pki/devices/acme/lost.key 2>/dev/null || true
  sleep 1
done
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
expr='{__name__=~"dev_certguard_(acl_extension_connect_accepted|acl_extension_(subscription|publish)_denied|crl_extension_connect_rejected_revoked)"}'
url="http://127.0.0.1:19090/graph?g0.expr=$(enc "$expr")&g0.tab=0&g0.range_input=3m"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$work/chrome" --hide-scrollbars \
  --window-size=1400,820 --virtual-time-budget=15000 --screenshot="$repo/docs/prometheus-certguard.png" "$url"
echo "wrote $repo/docs/prometheus-certguard.png"
