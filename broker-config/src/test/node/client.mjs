// A device on MQTT.js (npm mqtt, MQTT 5) for ClientsInteropTest.
//
// usage: node client.mjs PORT CAFILE CERT KEY TLSv1.2|TLSv1.3 IDENTITY OTHER_IDENTITY
//
// Connects over mutual TLS with only the given TLS version, subscribes to its own config topic and
// to another device's (printing each SUBACK reason code), publishes QoS 1 to its own attrs topic,
// prints READY, waits up to 30 s for a message on its own config topic and prints it, then publishes
// QoS 1 to the other device's attrs topic (printing both PUBACK reason codes; the broker disconnects
// after refusing it). Exits 0 once it got its config and both PUBACKs, 1 otherwise.
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';

const [port, cafile, cert, key, version, identity, other] = process.argv.slice(2);
const ownConfig = `${identity}/config`;

const client = mqtt.connect(`mqtts://localhost:${port}`, {
  protocolVersion: 5,
  clientId: `${identity}/mqttjs`,
  ca: readFileSync(cafile),
  cert: readFileSync(cert),
  key: readFileSync(key),
  minVersion: version,
  maxVersion: version,
  reconnectPeriod: 0,
});

const fail = (why) => {
  console.log(`FAILED ${why}`);
  process.exit(1);
};
const timer = setTimeout(() => fail('no config message within 30 s'), 30000);

const pubackCode = (error) => (error ? error.code ?? -1 : 0);

let gotConfig = false;
client.on('error', (error) => {
  // After its config the device trespasses on purpose, and the broker disconnects it.
  if (!gotConfig) fail(`error ${error.code ?? ''} ${error.message}`);
});
let ownPuback = -1;
client.on('message', (topic, payload) => {
  if (topic === ownConfig) {
    console.log(`CONFIG ${payload.toString()}`);
    gotConfig = true;
    clearTimeout(timer);
    client.publish(`${other}/attrs`, '{"client": "mqttjs", "trespass": true}', { qos: 1 }, (otherPublish) => {
      console.log(`PUBACK own=${ownPuback} other=${pubackCode(otherPublish)}`);
      client.end(true, {}, () => process.exit(0));
    });
  }
});
client.on('connect', (connack) => {
  console.log(`CONNACK ${connack.reasonCode ?? 0}`);
  client.subscribe(ownConfig, { qos: 1 }, (error, ownGranted) => {
    if (error) fail(`subscribe ${error.message}`);
    client.subscribe(`${other}/config`, { qos: 1 }, (otherError, otherGranted) => {
      // A refused filter comes back as an error that carries the SUBACK packet.
      const otherCode = otherError ? otherError.packet?.granted?.[0] ?? otherError.code ?? -1 : otherGranted[0].qos;
      console.log(`SUBACK own=${ownGranted[0].qos} other=${otherCode}`);
      client.publish(`${identity}/attrs`, '{"client": "mqttjs"}', { qos: 1 }, (ownPublish) => {
        ownPuback = pubackCode(ownPublish);
        console.log('READY');
      });
    });
  });
});
