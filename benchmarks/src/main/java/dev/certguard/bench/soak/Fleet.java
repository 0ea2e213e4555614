package dev.certguard.bench.soak;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's clients: every device holds a persistent-session connection (reconnecting after each
 * lifetime cut), publishes to its {@code attrs} and receives its {@code config}; the v2k bridge
 * subscribes {@code +/attrs}, the k2v bridge publishes to {@code +/config}. Every message carries
 * its sender's identity and a sequence number, so each receiver checks that it may see it and the
 * run can count what was acknowledged but never delivered. A removed device (revoked, denied) is
 * replaced at once by a new device with a new certificate, as an operator replaces a compromised
 * one, so the fleet keeps its size. Removed devices stop
 * reconnecting once the broker has cut or refused them; any acceptance after that is a violation.
 * Thread-safe: client callbacks arrive on the MQTT client's threads; counters are atomic.
 */
final class Fleet {

    static final String V2K = "v2k-bridge";
    static final String K2V = "k2v-bridge";
    static final String FORBIDDEN = "FORBIDDEN|";

    private final String host;
    private final int port;
    /** The fleet now: a removed device's slot holds its replacement. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<Member> devices;
    /** Every device that ever was in the fleet (a removed one stays here, for its deliveries and its judging). */
    private final List<Member> everyone = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final dev.certguard.pki.CertificateAuthority ca;
    private final java.util.concurrent.atomic.AtomicInteger replacements =
            new java.util.concurrent.atomic.AtomicInteger();
    private final Member v2k;
    private final Member k2v;
    private final Map<String, Member> byIdentity = new ConcurrentHashMap<>();
    private final Map<Member, Mqtt5AsyncClient> clients = new ConcurrentHashMap<>();
    private final Violations violations;
    private final java.util.function.IntFunction<Instant> crlServed;
    private volatile boolean running = true;
    private volatile Instant unavailableSince;

    final AtomicLong connects = new AtomicLong();
    final AtomicLong lifetimeCuts = new AtomicLong();
    final AtomicLong refusedUnavailable = new AtomicLong();
    final AtomicLong attrsDelivered = new AtomicLong();
    final AtomicLong configDelivered = new AtomicLong();

    Fleet(
            final String host,
            final int port,
            final dev.certguard.pki.CertificateAuthority ca,
            final List<Member> devices,
            final Member v2k,
            final Member k2v,
            final Violations violations,
            final java.util.function.IntFunction<Instant> crlServed) {
        this.host = host;
        this.port = port;
        this.devices = new java.util.concurrent.atomic.AtomicReferenceArray<>(devices.toArray(new Member[0]));
        this.everyone.addAll(devices);
        this.ca = ca;
        this.v2k = v2k;
        this.k2v = k2v;
        this.violations = violations;
        this.crlServed = crlServed;
        for (final Member member : devices) {
            byIdentity.put(member.identity, member);
        }
    }

    /** When a good CRL of at least this version was first served, or null. */
    Instant crlServed(final int version) {
        return version < 0 ? null : crlServed.apply(version);
    }

    /** The fleet now (replacements included, removed devices not). */
    List<Member> devices() {
        final List<Member> now = new ArrayList<>(devices.length());
        for (int i = 0; i < devices.length(); i++) {
            now.add(devices.get(i));
        }
        return now;
    }

    /** A random device of the fleet now. */
    Member any() {
        return devices.get(ThreadLocalRandom.current().nextInt(devices.length()));
    }

    /** Puts a new device, with its own new certificate, in the removed one's place, and connects it. */
    void replace(final Member removed) {
        for (int i = 0; i < devices.length(); i++) {
            if (devices.get(i) == removed) {
                final Member fresh = Member.issue(ca, removed.identity + "r" + replacements.incrementAndGet());
                byIdentity.put(fresh.identity, fresh);
                everyone.add(fresh);
                devices.set(i, fresh);
                connect(fresh, publish -> deviceReceived(fresh, publish), fresh.identity + "/config");
                return;
            }
        }
    }

    /** Connects the bridges, then the devices at {@code perSecond}. */
    void start(final int perSecond) throws InterruptedException {
        connect(v2k, this::bridgeReceived, "+/attrs");
        connect(k2v, publish -> violations.forbidden("k2v-bridge received " + publish.getTopic()), null);
        final long pause = Math.max(1, 1000 / Math.max(1, perSecond));
        for (final Member device : devices()) {
            connect(device, publish -> deviceReceived(device, publish), device.identity + "/config");
            Thread.sleep(pause);
        }
    }

    /** Devices and bridges connected now, as this side sees them. */
    int connected() {
        int n = 0;
        for (final Member member : clients.keySet()) {
            if (member.connected) {
                n++;
            }
        }
        return n;
    }

    /** Every device publishes once every {@code everySeconds}; call once per {@code tick}. */
    void publishTick(final long tick, final int ticksPerPeriod) {
        for (int i = (int) (tick % ticksPerPeriod); i < devices.length(); i += ticksPerPeriod) {
            final Member device = devices.get(i);
            final Mqtt5AsyncClient client = clients.get(device);
            if (!running || client == null || !device.connected || device.removed()) {
                continue;
            }
            final int seq = device.nextAttrs();
            client.publishWith()
                    .topic(device.identity + "/attrs")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("a|" + device.identity + "|" + seq).getBytes(StandardCharsets.UTF_8))
                    .send()
                    .whenComplete((result, error) -> {
                        if (error == null && accepted(result)) {
                            device.attrsAcked(seq);
                        }
                    });
        }
    }

    /** The k2v bridge sends one configuration to a random device still in the fleet. */
    void configTick() {
        final Mqtt5AsyncClient client = clients.get(k2v);
        if (!running || client == null || !k2v.connected) {
            return;
        }
        final Member device = any();
        if (device.removed()) {
            return;
        }
        final int seq = device.nextConfig();
        client.publishWith()
                .topic(device.identity + "/config")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(("c|" + device.identity + "|" + seq).getBytes(StandardCharsets.UTF_8))
                .send()
                .whenComplete((result, error) -> {
                    if (error == null && accepted(result)) {
                        device.configAcked(seq);
                    }
                });
    }

    /** Marks the start of a window in which the broker may refuse with 0x88 (no usable CRL). */
    void unavailableSince(final Instant since) {
        unavailableSince = since;
    }

    /** Stops publishing and reconnecting, then disconnects everybody. */
    void stop() {
        running = false;
        for (final Mqtt5AsyncClient client : clients.values()) {
            client.disconnect().exceptionally(e -> null);
        }
    }

    /** Whether the broker took the PUBLISH (a QoS 1 PUBACK without an error code). */
    static boolean accepted(final Mqtt5PublishResult result) {
        if (result.getError().isPresent()) {
            return false;
        }
        if (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result qos1) {
            return !qos1.getPubAck().getReasonCode().isError();
        }
        return true;
    }

    private void connect(
            final Member member, final java.util.function.Consumer<Mqtt5Publish> received, final String subscription) {
        final Mqtt5AsyncClient client = Mqtt5Client.builder()
                .identifier(member.identity)
                .serverHost(host)
                .serverPort(port)
                .sslConfig(member.ssl)
                .addConnectedListener(context -> connected(member, subscription))
                .addDisconnectedListener(context -> disconnected(member, context))
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, received);
        clients.put(member, client);
        client.connectWith()
                .cleanStart(false)
                .sessionExpiryInterval(600)
                .keepAlive(60)
                .send()
                .exceptionally(e -> null);
    }

    private void connected(final Member member, final String subscription) {
        if (!running) {
            // A reconnect scheduled before the stop.
            final Mqtt5AsyncClient late = clients.get(member);
            if (late != null) {
                late.disconnect().exceptionally(e -> null);
            }
            return;
        }
        member.connected = true;
        member.failures = 0;
        connects.incrementAndGet();
        // Whether a removed member may still be accepted now is judged afterwards from the broker's
        // audit trail (AuditTrail.judge), by the broker's clock rather than this client's.
        final Mqtt5AsyncClient client = clients.get(member);
        if (subscription != null && client != null) {
            client.subscribeWith()
                    .topicFilter(subscription)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send()
                    .whenComplete((suback, error) -> {
                        if (error == null && suback.getReasonCodes().get(0).isError()) {
                            violations.note(member.identity + " was refused its own subscription " + subscription);
                        }
                    });
        }
    }

    private void disconnected(final Member member, final MqttClientDisconnectedContext context) {
        final boolean wasConnected = member.connected;
        member.connected = false;
        final Throwable cause = context.getCause();
        int code = -1;
        boolean refused = false;
        if (cause instanceof Mqtt5DisconnectException disconnect) {
            code = disconnect.getMqttMessage().getReasonCode().getCode();
        } else if (cause instanceof Mqtt5ConnAckException connack) {
            code = connack.getMqttMessage().getReasonCode().getCode();
            refused = true;
        }
        if (code == 0xA0) {
            lifetimeCuts.incrementAndGet();
        } else if (refused && code == 0x88) {
            refusedUnavailable.incrementAndGet();
            if (unavailableSince == null && !member.removed()) {
                violations.note(member.identity + " refused 0x88 outside an unavailability window");
            }
        } else if (code == 0x87) {
            if (member.removed()) {
                if (member.effectAt == null) {
                    member.effectAt = Instant.now();
                    member.effectHow = refused ? "refused" : "cut";
                }
            } else {
                violations.innocentCut(member.identity + " (never revoked or denied) got 0x87 "
                        + (refused ? "at CONNECT" : "while connected") + ": " + cause.getMessage());
            }
        }
        if (!running || (member.removed() && member.effectAt != null)) {
            return;
        }
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final long delay;
        if (refused || (!wasConnected && code == -1)) {
            final int failures = ++member.failures;
            delay = (long) (Math.min(15_000, 500L << Math.min(failures, 5)) * (0.5 + random.nextDouble() / 2));
        } else {
            delay = 200 + random.nextInt(1300);
        }
        context.getReconnector().reconnect(true).delay(delay, TimeUnit.MILLISECONDS);
    }

    private void bridgeReceived(final Mqtt5Publish publish) {
        final String topic = publish.getTopic().toString();
        final String payload = new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
        if (payload.startsWith(FORBIDDEN)) {
            violations.forbidden("v2k-bridge received the spy's " + payload + " on " + topic);
            return;
        }
        final String[] parts = payload.split("\\|");
        final Member sender = parts.length == 3 ? byIdentity.get(parts[1]) : null;
        if (sender == null || !topic.equals(sender.identity + "/attrs")) {
            violations.forbidden("v2k-bridge received " + payload + " on " + topic);
            return;
        }
        sender.attrsReceived(Integer.parseInt(parts[2]));
        attrsDelivered.incrementAndGet();
    }

    private void deviceReceived(final Member device, final Mqtt5Publish publish) {
        final String topic = publish.getTopic().toString();
        final String payload = new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8);
        final String prefix = "c|" + device.identity + "|";
        if (!topic.equals(device.identity + "/config") || !payload.startsWith(prefix)) {
            violations.forbidden(device.identity + " received " + payload + " on " + topic);
            return;
        }
        device.configReceived(Integer.parseInt(payload.substring(prefix.length())));
        configDelivered.incrementAndGet();
    }

    /** Acknowledged messages never delivered: attrs to the v2k bridge, config to devices still in the fleet. */
    long[] missed() {
        long attrs = 0;
        long attrsAcked = 0;
        long config = 0;
        long configAcked = 0;
        for (final Member device : everyone) {
            attrs += device.attrsMissed();
            attrsAcked += device.attrsAckedCount();
            if (!device.removed()) {
                config += device.configMissed();
                configAcked += device.configAckedCount();
            }
        }
        return new long[] {attrs, attrsAcked, config, configAcked};
    }

    List<Member> removed() {
        final List<Member> removed = new ArrayList<>();
        for (final Member device : everyone) {
            if (device.removed()) {
                removed.add(device);
            }
        }
        return removed;
    }
}
