"""A device on Eclipse Paho (Debian's python3-paho-mqtt, MQTT 5) for ClientsInteropTest.

usage: paho_client.py PORT CAFILE CERT KEY TLSv1.2|TLSv1.3 IDENTITY OTHER_IDENTITY

Connects over mutual TLS with only the given TLS version, subscribes to its own config topic and to
another device's (printing each SUBACK reason code), publishes QoS 1 to its own attrs topic, prints
READY, waits up to 20 s for a message on its own config topic and prints it, then publishes QoS 1 to
the other device's attrs topic (the broker refuses it and disconnects). Exits 0 once it got its
config, 1 otherwise.
"""
import ssl
import sys
import threading
import time

import paho.mqtt.client as mqtt

port, cafile, cert, key, version, identity, other = sys.argv[1:8]
context = ssl.create_default_context(cafile=cafile)
context.load_cert_chain(cert, key)
tls = ssl.TLSVersion.TLSv1_2 if version == "TLSv1.2" else ssl.TLSVersion.TLSv1_3
context.minimum_version = tls
context.maximum_version = tls

connected = threading.Event()
subscribed = {}
subscribed_event = threading.Event()
published = threading.Event()
received = threading.Event()
own_config = identity + "/config"


def on_connect(client, userdata, flags, rc, properties=None):
    print("CONNACK %d" % rc.value, flush=True)
    connected.set()


def on_subscribe(client, userdata, mid, granted, properties=None):
    subscribed[mid] = granted[0].value
    if len(subscribed) == 2:
        subscribed_event.set()


def on_message(client, userdata, message):
    if message.topic == own_config:
        print("CONFIG %s" % message.payload.decode(), flush=True)
        received.set()


client = mqtt.Client(client_id=identity + "/paho", protocol=mqtt.MQTTv5)
client.tls_set_context(context)
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.connect("localhost", int(port))
client.loop_start()
if not connected.wait(10):
    print("no CONNACK", flush=True)
    sys.exit(1)
own_mid = client.subscribe(own_config, qos=1)[1]
other_mid = client.subscribe(other + "/config", qos=1)[1]
if not subscribed_event.wait(10):
    print("no SUBACK", flush=True)
    sys.exit(1)
print("SUBACK own=%d other=%d" % (subscribed[own_mid], subscribed[other_mid]), flush=True)
client.publish(identity + "/attrs", '{"client": "paho"}', qos=1).wait_for_publish(10)
print("READY", flush=True)
ok = received.wait(20)
client.reconnect_delay_set(60, 60)
client.publish(other + "/attrs", '{"client": "paho", "trespass": true}', qos=1)
time.sleep(1)
client.disconnect()
client.loop_stop()
sys.exit(0 if ok else 1)
