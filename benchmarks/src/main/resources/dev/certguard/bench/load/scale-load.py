#!/usr/bin/env python3
"""certguard scale load: one process holding a slice of a device fleet over mutual TLS.

scale-load.py HOST PORT CA KEY CERTS_DIR FIRST COUNT SOURCE_PREFIX IN_FLIGHT KEEPALIVE

Connects devices FIRST .. FIRST+COUNT-1 (certificate CERTS_DIR/<n>.crt, the shared key KEY), each
from source address SOURCE_PREFIX.<2 + n % 250> (127.0.0.x spreads the ports), with an MQTT 3.1.1
CONNECT whose client id is the certificate's identity (file CERTS_DIR/<n>.id), at most IN_FLIGHT
handshakes at once, then holds every connection, each sending a PINGREQ every KEEPALIVE / 2 seconds
from its own CONNECT on. Reconnects a
connection the broker closed when told to (stdin "reconnect"); "quit" ends the process.

Prints JSON lines: {"ramp": seconds, "connected": n, "failed": n, "p99_ms": x} once the first round
is up, {"closed": n, "at": epoch seconds} for every connection the broker closes (with its index),
{"back": n, "at": epoch, "latency_ms": x} for every reconnect, {"refused": n, "at": epoch} for a
refused CONNECT, and {"status": ...} when asked ("status" on stdin).
"""
import asyncio
import json
import ssl
import struct
import sys
import time


def connect_packet(client_id, keepalive):
    cid = client_id.encode()
    variable = b"\x00\x04MQTT\x04\x02" + struct.pack("!H", keepalive)
    body = variable + struct.pack("!H", len(cid)) + cid
    return b"\x10" + remaining_length(len(body)) + body


def remaining_length(n):
    out = b""
    while True:
        byte = n % 128
        n //= 128
        if n:
            byte |= 0x80
        out += bytes([byte])
        if not n:
            return out


PINGREQ = b"\xc0\x00"


class Refused(Exception):
    """The broker answered the CONNECT with a refusal (its MQTT 3.1.1 return code)."""

    def __init__(self, code):
        super().__init__("CONNACK return code %d" % code)
        self.code = code


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Device:
    def __init__(self, index, context, client_id, source):
        self.index = index
        self.context = context
        self.client_id = client_id
        self.source = source
        self.writer = None
        self.alive = False


async def connect(host, port, device, keepalive, gate):
    async with gate:
        start = time.perf_counter()
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                host, port, ssl=device.context, server_hostname="localhost", local_addr=(device.source, 0)),
            60)
        writer.write(connect_packet(device.client_id, keepalive))
        await writer.drain()
        connack = await asyncio.wait_for(reader.readexactly(4), 60)
        latency = time.perf_counter() - start
    if connack[0] != 0x20 or connack[3] != 0:
        writer.close()
        raise Refused(connack[3] if connack[0] == 0x20 else -1)
    device.writer = writer
    device.alive = True
    return reader, latency


async def hold(device, reader, on_closed, keepalive):
    """Reads until the broker closes the connection, with a PINGREQ every half keep-alive of its own."""

    async def ping():
        while device.alive:
            await asyncio.sleep(keepalive / 2)
            if device.alive:
                try:
                    device.writer.write(PINGREQ)
                except Exception:
                    return

    pinger = asyncio.get_running_loop().create_task(ping())
    try:
        while True:
            data = await reader.read(64)
            if not data:
                break
    except Exception:
        pass
    device.alive = False
    pinger.cancel()
    on_closed(device)


async def main():
    host, port, ca, key, certs, first, count, prefix, in_flight, keepalive = sys.argv[1:11]
    port, first, count, in_flight, keepalive = int(port), int(first), int(count), int(in_flight), int(keepalive)
    devices = []
    for n in range(first, first + count):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(ca)
        context.load_cert_chain("%s/%d.crt" % (certs, n), key)
        with open("%s/%d.id" % (certs, n)) as f:
            client_id = f.read().strip()
        devices.append(Device(n, context, client_id, "%s.%d" % (prefix, 2 + n % 250)))
    gate = asyncio.Semaphore(in_flight)
    closed = []

    def on_closed(device):
        closed.append(device)
        emit({"closed": device.index, "at": time.time()})

    async def first_round(device):
        try:
            reader, latency = await connect(host, port, device, keepalive, gate)
        except Exception as e:
            return None, repr(e)
        asyncio.get_running_loop().create_task(hold(device, reader, on_closed, keepalive))
        return latency, None

    started = time.time()
    results = await asyncio.gather(*(first_round(d) for d in devices))
    latencies = sorted(r[0] for r in results if r[0] is not None)
    errors = [r[1] for r in results if r[1] is not None]
    emit({
        "ramp": time.time() - started,
        "connected": len(latencies),
        "failed": len(errors),
        "errors": errors[:3],
        "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000 if latencies else None,
    })

    async def again(device):
        while True:
            try:
                reader, latency = await connect(host, port, device, keepalive, gate)
                emit({"back": device.index, "at": time.time(), "latency_ms": latency * 1000})
                asyncio.get_running_loop().create_task(hold(device, reader, on_closed, keepalive))
                return
            except Refused as refused:
                emit({"refused": device.index, "at": time.time(), "code": refused.code})
                if refused.code != 3:
                    # Not authorized (a revoked device): it stays out.
                    return
                # Server unavailable (a broker still starting): try again shortly.
                await asyncio.sleep(0.5)
            except Exception:
                # The broker is not (yet) taking connections: try again shortly.
                await asyncio.sleep(0.5)

    loop = asyncio.get_running_loop()
    lines = asyncio.Queue()
    loop.add_reader(sys.stdin.fileno(), lambda: lines.put_nowait(sys.stdin.readline()))
    while True:
        line = (await lines.get()).strip()
        if line == "quit" or line == "":
            break
        if line == "reconnect":
            down = [d for d in devices if not d.alive]
            closed.clear()
            for device in down:
                loop.create_task(again(device))
        if line == "status":
            emit({"status": sum(1 for d in devices if d.alive)})
    for device in devices:
        if device.writer is not None:
            device.writer.close()


if __name__ == "__main__":
    asyncio.run(main())
