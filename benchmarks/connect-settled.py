#!/usr/bin/env python3
"""Settled figures from a connect benchmark log: drops the first full and resumed wave of each broker start
(JIT still compiling on the pinned core) and prints the table and ratios used in BENCHMARKS.md.
Usage: python3 benchmarks/connect-settled.py benchmarks/results/connect-2026-11-25-jdk17-jdk25-mosquitto.log"""
import re,collections,sys
log=open(sys.argv[1]).read()
blocks=re.split(r'=== round (\d+): (\S+) ===',log)
data=collections.defaultdict(list)  # (broker,mode) -> list of (round, idx, cpu, nojit, rate, p50,p99)
for i in range(1,len(blocks),3):
    rnd,broker,body=blocks[i],blocks[i+1],blocks[i+2]
    counts=collections.Counter()
    for m in re.finditer(r'^\s+(\S+)\s+(\d+) ok\s+(\d+) failed\s+(\d+) /s\s+([\d.]+) ms CPU/connect \(\s*([\d.]+) without JIT\)\s+p50 ([\d.na]+) p99 ([\d.na]+)',body,re.M):
        mode=m.group(1); counts[mode]+=1
        data[(broker,mode)].append((int(rnd),counts[mode],float(m.group(5)),float(m.group(6)),float(m.group(4)),m.group(7),m.group(8)))
def stats(v):
    return sum(v)/len(v),min(v),max(v)
print("| broker | handshakes | CPU/CONNECT all waves ms mean (min-max) | settled waves (2nd, 3rd of each round) incl. JIT | settled, without JIT compilation | CONNECTs/s settled mean (min-max) |")
print("|---|---|---|---|---|---|")
res={}
for (b,mo),v in data.items():
    allc=stats([x[2] for x in v])
    settled=[x for x in v if x[1]>=2] if mo in('full','resumed') else v
    sc=stats([x[2] for x in settled]); sn=stats([x[3] for x in settled]); sr=stats([x[4] for x in settled])
    res[(b,mo)]=(sc,sn,sr)
    print(f"| {b} | {mo} | {allc[0]:.2f} ({allc[1]:.2f}-{allc[2]:.2f}) | {sc[0]:.2f} ({sc[1]:.2f}-{sc[2]:.2f}) | {sn[0]:.2f} ({sn[1]:.2f}-{sn[2]:.2f}) | {sr[0]:.0f} ({sr[1]:.0f}-{sr[2]:.0f}) |")
print()
for jdk in ('jdk17','jdk25'):
    for mo in ('full','resumed','storm-again'):
        c=res.get((f'certguard-{jdk}',mo)); a=res.get((f'allow-all-{jdk}',mo)); m=res.get(('mosquitto',mo)); n=res.get(('mosquitto-no-crl',mo))
        if not c: continue
        line=f"- {jdk} {mo}:"
        if a: line+=f" certguard/allow-all settled {c[0][0]/a[0][0]:.3f}, without JIT {c[1][0]/a[1][0]:.3f};"
        if m: line+=f" certguard/Mosquitto-with-CRL {c[0][0]/m[0][0]:.3f} (without JIT {c[1][0]/m[1][0]:.3f});"
        if n: line+=f" certguard/Mosquitto-no-CRL {c[0][0]/n[0][0]:.3f};"
        print(line)
