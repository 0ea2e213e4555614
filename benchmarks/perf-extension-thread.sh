#!/usr/bin/env bash
# Where a broker's extension-task thread (HiveMQ's extension executor: every authenticator, interceptor and
# lifecycle listener task) spends its CPU during resumed CONNECTs, by perf (unbiased CPU-clock samples with call
# stacks; the JIT's symbols from the JVM's perf map). JFR's execution sampler sees too few samples of this thread.
# Usage, from the repository root after 'mvn -B -q package -DskipTests':
#   benchmarks/perf-extension-thread.sh [BROKER [THREAD]]
#     BROKER: default certguard-jdk17, any name `connect --brokers` takes (allow-all-jdk17 for the baseline);
#     THREAD: the threads' name prefix, default extension-task (hivemq-eventloop for the TLS event loops).
# Prints the share of the threads' samples under each certguard hook, in HiveMQ's extension handling, in TLS,
# and in the kernel.
set -euo pipefail
broker="${1:-certguard-jdk17}"
thread="${2:-extension-task}"
out="${PERF_OUT:-/tmp/certguard-perf}"
rm -rf "$out" && mkdir -p "$out"
JAVA_TOOL_OPTIONS="-XX:+UnlockDiagnosticVMOptions -XX:+PreserveFramePointer" \
  java -jar benchmarks/target/benchmarks.jar connect --brokers "$broker" --modes resumed --connections 1000 \
  --waves 6 --rounds 1 --processes 16 --crl-entries 100000 --out "$out/run" > "$out/connect.log" 2>&1 &
runner=$!
until grep -q "resumed " "$out/connect.log" 2>/dev/null; do sleep 1; kill -0 "$runner" 2>/dev/null || exit 1; done
pid=$(ps -eo pid,args | grep -v grep | grep -- "-XX:-UseDynamicNumberOfCompilerThreads" \
  | grep -v "benchmarks.jar connect" | awk '{print $1}' | head -1)
tids=$(for t in /proc/"$pid"/task/*; do case "$(cat "$t"/comm)" in "${thread:0:15}"*) printf '%s,' "$(basename "$t")";; esac; done)
perf record -q -e cpu-clock -F 4000 -g -t "${tids%,}" -o "$out/perf.data" -- sleep 8
jcmd "$pid" Compiler.perfmap > /dev/null
perf script -i "$out/perf.data" 2>/dev/null > "$out/perf.txt"
wait "$runner" || true
python3 - "$out/perf.txt" "$thread" <<'PY'
import re, sys
samples = open(sys.argv[1]).read().strip().split('\n\n')
def frames(sample):
    found = []
    for line in sample.split('\n')[1:]:
        m = re.match(r'\s*[0-9a-f]+\s+(.*)\s+\((.*)\)$', line)
        if m:
            found.append((re.sub(r'\(.*', '', m.group(1)).split(' ')[-1], m.group(2)))
    return found
hooks = ['SessionBindingInterceptor.onConnect', 'CertificateAuthenticator.onConnect',
         'RevocationAuthenticator.onConnect', 'ConnectionListener.onMqttConnectionStart',
         'ConnectionListener.onAuthenticationSuccessful', 'ConnectionListener.onDisconnect',
         'AclExtensionMain']
other = ['TLS (sun.security.ssl, the crypto providers)', "HiveMQ's extension handling (com.hivemq.extensions)",
         'kernel (thread hand-offs, sockets)', 'the rest']
counts = dict.fromkeys(hooks + other, 0)
for s in samples:
    f = frames(s)
    names = [name for name, _ in f]
    hook = next((h for h in hooks if any(h in name for name in names)), None)
    if hook:
        counts[hook] += 1
    elif any(n.startswith(('sun.security', 'com.amazon.corretto', 'dev.certguard.crypto', 'org.bouncycastle')) for n in names):
        counts[other[0]] += 1
    elif any(n.startswith('com.hivemq.extensions') for n in names):
        counts[other[1]] += 1
    elif f and 'kernel' in f[0][1]:
        counts[other[2]] += 1
    else:
        counts[other[3]] += 1
total = len(samples)
print(f'{total} samples of the {sys.argv[2]} threads in 8 s')
for k, v in counts.items():
    print(f'{100 * v / total:5.1f}%  {k}')
PY
grep -E "^\| $broker \| resumed \| [0-9]+ \| [0-9.]+ \(" "$out/run/connect-"*.md
