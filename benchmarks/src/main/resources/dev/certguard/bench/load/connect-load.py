#!/usr/bin/env python3
"""certguard connect load: many processes doing OpenSSL mutual-TLS handshakes and a raw MQTT CONNECT.

rate  HOST PORT CA CREDS COUNT PROCS full|resumed   sequential CONNECT/CONNACK/DISCONNECT per process
storm HOST PORT CA CREDS COUNT PROCS                every credential connects at once, holds, then leaves

Prints one JSON object: connects, failures, seconds, p50_ms, p99_ms, resumed (handshakes that
resumed a TLS session), errors (a few samples). Loopback only; every loop is bounded by COUNT.
"""
import json
import multiprocessing
import os
import socket
import ssl
import struct
import sys
import threading
import time


def connect_packet(client_id):
    cid = client_id.encode()
    variable = b"\x00\x04MQTT\x04\x02\x00\x3c"
    payload = struct.pack("!H", len(cid)) + cid
    body = variable + payload
    return b"\x10" + bytes([len(body)]) + body


DISCONNECT = b"\xe0\x00"


def credentials(creds_dir):
    names = sorted(n[:-4] for n in os.listdir(creds_dir) if n.endswith(".crt"))
    return [(os.path.join(creds_dir, n + ".crt"), os.path.join(creds_dir, n + ".key")) for n in names]


def context(ca, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca)
    ctx.check_hostname = True
    ctx.load_cert_chain(cert, key)
    return ctx


def read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed after %d bytes of CONNACK" % len(data))
        data += chunk
    return data


def one_connect(host, port, ctx, client_id, session=None, hold=None, on_connack=None):
    """One full or resumed handshake and MQTT CONNECT; returns (latency seconds, session, reused)."""
    start = time.perf_counter()
    raw = socket.create_connection((host, port), timeout=30)
    try:
        tls = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
        tls.sendall(connect_packet(client_id))
        connack = read_exactly(tls, 4)
        if connack[0] != 0x20 or connack[3] != 0:
            raise ConnectionError("CONNACK %s" % connack.hex())
        latency = time.perf_counter() - start
        if on_connack is not None:
            on_connack(latency)
        if hold is not None:
            hold.wait(120)
        reused = tls.session_reused
        new_session = tls.session
        tls.sendall(DISCONNECT)
        tls.close()
        return latency, new_session, reused
    finally:
        raw.close()


def rate_worker(args):
    host, port, ca, creds, count, worker, mode = args
    contexts = [context(ca, c, k) for c, k in creds]
    sessions = [None] * len(contexts)
    latencies, errors, reused = [], [], 0
    for i in range(count):
        slot = i % len(contexts)
        try:
            latency, session, was_reused = one_connect(
                host, port, contexts[slot], "w%d-%d" % (worker, i), sessions[slot] if mode == "resumed" else None)
            if mode == "resumed":
                sessions[slot] = session
            latencies.append(latency)
            reused += 1 if was_reused else 0
        except Exception as e:  # a refused or broken connect is counted, never retried
            if len(errors) < 3:
                errors.append(repr(e))
    return latencies, errors, reused


def storm_worker(args):
    host, port, ca, creds, worker, start_at, barrier_path = args
    latencies, errors, finished = [], [], []
    lock = threading.Lock()
    hold = threading.Event()
    contexts = [context(ca, c, k) for c, k in creds]

    def device(i):
        while time.time() < start_at:
            time.sleep(0.001)
        def connected(latency):
            with lock:
                latencies.append(latency)
                finished.append(time.time())

        try:
            one_connect(host, port, contexts[i], "storm-%d-%d" % (worker, i), hold=hold, on_connack=connected)
        except Exception as e:
            with lock:
                if len(errors) < 3:
                    errors.append(repr(e))

    threads = [threading.Thread(target=device, args=(i,)) for i in range(len(contexts))]
    for t in threads:
        t.start()
    deadline = time.time() + 120
    while len(latencies) + len(errors) < len(contexts) and time.time() < deadline:
        time.sleep(0.01)
    hold.set()
    for t in threads:
        t.join(60)
    return latencies, errors, max(finished) if finished else start_at


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100.0 * len(ordered)))] * 1000


def main():
    mode, host, port, ca, creds_dir, count, procs = sys.argv[1:8]
    port, count, procs = int(port), int(count), int(procs)
    creds = credentials(creds_dir)
    pool = multiprocessing.get_context("fork").Pool(procs)
    started = time.time()
    if mode == "rate":
        handshake = sys.argv[8]
        share = [creds[i::procs] or creds for i in range(procs)]
        results = pool.map(
            rate_worker, [(host, port, ca, share[w], count // procs, w, handshake) for w in range(procs)])
        ended = time.time()
        latencies = [x for r in results for x in r[0]]
        errors = [x for r in results for x in r[1]]
        resumed = sum(r[2] for r in results)
        failures = procs * (count // procs) - len(latencies)
    else:
        start_at = time.time() + 2.0 + len(creds) / 500.0
        share = [creds[i::procs] for i in range(procs)]
        results = pool.map(storm_worker, [(host, port, ca, share[w], w, start_at, None) for w in range(procs)])
        latencies = [x for r in results for x in r[0]]
        errors = [x for r in results for x in r[1]]
        resumed = 0
        failures = len(creds) - len(latencies)
        started = start_at
        ended = max(r[2] for r in results)
    pool.close()
    print(json.dumps({
        "connects": len(latencies), "failures": failures, "seconds": ended - started,
        "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
        "resumed": resumed, "errors": errors[:3]}))


if __name__ == "__main__":
    main()
