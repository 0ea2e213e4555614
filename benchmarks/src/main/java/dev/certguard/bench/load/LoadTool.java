package dev.certguard.bench.load;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The end-to-end load: N devices open mutual-TLS connections with their own certificates, then
 * publish to their own {@code attrs} topic as fast as the path allows, while a bridge subscribed to
 * {@code +/attrs} receives everything. Each device keeps a fixed number of messages in flight end to
 * end (it sends the next when the bridge received one), so the run measures the highest rate the
 * broker sustains to its subscriber rather than how fast a queue fills. Reports connects/s,
 * messages/s delivered and end-to-end latency percentiles, with a progress line each second.
 * Not thread-safe (one run at a time).
 */
final class LoadTool {

    record Phase(int qos, long received, double messagesPerSecond, double p50Millis, double p99Millis) {}

    record Result(String broker, int devices, double connectsPerSecond, List<Phase> phases) {}

    private static final int IN_FLIGHT_PER_DEVICE = 4;
    private static final int CONNECT_CONCURRENCY = 16;

    private final String host;
    private final int port;
    private final List<Device> devices;
    private final Device bridge;
    private final Duration warmup;
    private final Duration measure;

    LoadTool(
            final String host,
            final int port,
            final List<Device> devices,
            final Device bridge,
            final Duration warmup,
            final Duration measure) {
        this.host = host;
        this.port = port;
        this.devices = devices;
        this.bridge = bridge;
        this.warmup = warmup;
        this.measure = measure;
    }

    Result run(final String broker) throws Exception {
        final List<Mqtt5AsyncClient> clients = new ArrayList<>();
        for (final Device device : devices) {
            clients.add(Mqtt5Client.builder()
                    .identifier(device.identity())
                    .serverHost(host)
                    .serverPort(port)
                    .sslConfig(device.ssl())
                    .buildAsync());
        }
        // The first wave warms both JVMs (and builds each client's TLS context); the second is measured.
        final double coldRate = connectAll(clients);
        for (final Mqtt5AsyncClient client : clients) {
            client.disconnect().get(30, TimeUnit.SECONDS);
        }
        final double connectsPerSecond = connectAll(clients);
        System.out.printf(
                "[%s] %d mutual-TLS connects: %.0f connects/s (first, cold wave: %.0f/s)%n",
                broker, devices.size(), connectsPerSecond, coldRate);

        final List<Phase> phases = new ArrayList<>();
        for (final int qos : new int[] {0, 1}) {
            phases.add(publishPhase(broker, clients, qos));
        }
        for (final Mqtt5AsyncClient client : clients) {
            client.disconnect().exceptionally(e -> null);
        }
        return new Result(broker, devices.size(), connectsPerSecond, phases);
    }

    private static double connectAll(final List<Mqtt5AsyncClient> clients) throws Exception {
        final Semaphore permits = new Semaphore(CONNECT_CONCURRENCY);
        final List<CompletableFuture<?>> connects = new ArrayList<>();
        final long start = System.nanoTime();
        for (final Mqtt5AsyncClient client : clients) {
            permits.acquire();
            connects.add(client.connect().whenComplete((ack, e) -> permits.release()));
        }
        CompletableFuture.allOf(connects.toArray(new CompletableFuture[0])).get(300, TimeUnit.SECONDS);
        return clients.size() / ((System.nanoTime() - start) / 1e9);
    }

    /** One device's closed loop: it sends its next message when the bridge received one of its messages. */
    private static final class DeviceLoop {
        final Mqtt5AsyncClient client;
        final String topic;
        final AtomicLong outstanding = new AtomicLong();
        volatile long lastActivity = System.nanoTime();

        DeviceLoop(final Mqtt5AsyncClient client, final String topic) {
            this.client = client;
            this.topic = topic;
        }

        void send(final MqttQos qos, final long stopAt, final AtomicLong sent) {
            if (System.nanoTime() >= stopAt || !client.getState().isConnected()) {
                return;
            }
            outstanding.incrementAndGet();
            final ByteBuffer payload = ByteBuffer.allocate(64);
            payload.putLong(0, System.nanoTime());
            client.publishWith()
                    .topic(topic)
                    .qos(qos)
                    .payload(payload)
                    .send()
                    .whenComplete((result, e) -> sent.incrementAndGet());
        }
    }

    private Phase publishPhase(final String broker, final List<Mqtt5AsyncClient> clients, final int qos)
            throws Exception {
        final MqttQos mqttQos = MqttQos.fromCode(qos);
        final ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        final AtomicLong received = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final long phaseStart = System.nanoTime();
        final long measureStart = phaseStart + warmup.toNanos();
        final long measureEnd = measureStart + measure.toNanos();
        final java.util.Map<String, DeviceLoop> loops = new java.util.HashMap<>();
        for (final Mqtt5AsyncClient client : clients) {
            final String topic = client.getConfig()
                            .getClientIdentifier()
                            .map(Object::toString)
                            .orElseThrow() + "/attrs";
            loops.put(topic, new DeviceLoop(client, topic));
        }
        final Mqtt5AsyncClient subscriber = Mqtt5Client.builder()
                .identifier(bridge.identity())
                .serverHost(host)
                .serverPort(port)
                .sslConfig(bridge.ssl())
                .buildAsync();
        subscriber.connect().get(30, TimeUnit.SECONDS);
        subscriber
                .subscribeWith()
                .topicFilter("+/attrs")
                .qos(mqttQos)
                .callback(publish -> {
                    final long now = System.nanoTime();
                    if (now >= measureStart && now <= measureEnd) {
                        final long sentAt = publish.getPayload()
                                .map(buffer -> buffer.getLong(0))
                                .orElse(now);
                        received.incrementAndGet();
                        latency.recordValue(Math.max(0, now - sentAt));
                    }
                    final DeviceLoop loop = loops.get(publish.getTopic().toString());
                    if (loop != null) {
                        loop.outstanding.decrementAndGet();
                        loop.lastActivity = now;
                        loop.send(mqttQos, measureEnd, sent);
                    }
                })
                .send()
                .get(30, TimeUnit.SECONDS);

        for (final DeviceLoop loop : loops.values()) {
            for (int i = 0; i < IN_FLIGHT_PER_DEVICE; i++) {
                loop.send(mqttQos, measureEnd, sent);
            }
        }
        long lastReceived = 0;
        long nextProgress = phaseStart + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < measureEnd) {
            Thread.sleep(100);
            final long now = System.nanoTime();
            // QoS 0 messages the broker dropped never come back: give their credit back after a second.
            for (final DeviceLoop loop : loops.values()) {
                if (loop.outstanding.get() < IN_FLIGHT_PER_DEVICE
                        && now - loop.lastActivity > TimeUnit.SECONDS.toNanos(1)) {
                    loop.lastActivity = now;
                    while (loop.outstanding.get() < IN_FLIGHT_PER_DEVICE) {
                        loop.outstanding.set(Math.max(0, loop.outstanding.get()));
                        loop.send(mqttQos, measureEnd, sent);
                    }
                }
            }
            if (now >= nextProgress) {
                nextProgress += TimeUnit.SECONDS.toNanos(1);
                final long total = received.get();
                System.out.printf(
                        "[%s qos%d] %5.1f s  sent %,d  received in window %,d  %,d msg/s%n",
                        broker, qos, (now - phaseStart) / 1e9, sent.get(), total, total - lastReceived);
                lastReceived = total;
            }
        }
        Thread.sleep(500);
        subscriber.disconnect().get(10, TimeUnit.SECONDS);
        final double perSecond = received.get() / (measure.toNanos() / 1e9);
        final Phase phase = new Phase(
                qos,
                received.get(),
                perSecond,
                latency.getValueAtPercentile(50) / 1e6,
                latency.getValueAtPercentile(99) / 1e6);
        System.out.printf(
                "[%s qos%d] %,.0f msg/s, latency p50 %.2f ms, p99 %.2f ms%n",
                broker, qos, perSecond, phase.p50Millis(), phase.p99Millis());
        return phase;
    }
}
