package dev.certguard.bench.soak;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The attacker inside the fleet: it holds every device's certificate and, once a second, connects as
 * one device A and tries what A must not do: subscribe to other devices' topics, wildcards, deeper
 * levels, {@code $SYS} and shared subscriptions, and publish one message where A may not (another
 * device's topics, its own config, deeper levels). Any filter granted, any publish acknowledged and
 * any message this client receives is a violation; so is any message with its marker that reaches a
 * legitimate receiver ({@link Fleet}). It also tries, once a second, the certificate of a device that
 * was revoked or denied. Thread-safe: each attempt has its own client; counters are atomic.
 */
final class Spy {

    private final String host;
    private final int port;
    private final Fleet fleet;
    private final Violations violations;
    private final AtomicLong attempts = new AtomicLong();
    private volatile long recentUntil;
    private final java.util.function.Function<Member, java.time.Instant> inForce;
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

    final AtomicLong cycles = new AtomicLong();
    /** How each forbidden publish ended (a refusing PUBACK, the broker's DISCONNECT, a refused CONNECT). */
    final java.util.Map<String, Long> outcomes = new java.util.concurrent.ConcurrentSkipListMap<>();

    final AtomicLong filtersRefused = new AtomicLong();
    final AtomicLong probes = new AtomicLong();
    final AtomicLong probesRefused = new AtomicLong();

    Spy(
            final String host,
            final int port,
            final Fleet fleet,
            final Violations violations,
            final java.util.function.Function<Member, java.time.Instant> inForce) {
        this.inForce = inForce;
        this.host = host;
        this.port = port;
        this.fleet = fleet;
        this.violations = violations;
    }

    /** One forbidden-operations attempt as a random device still in the fleet. */
    void attempt() {
        final List<Member> devices = fleet.devices();
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final Member a = devices.get(random.nextInt(devices.size()));
        final Member b = devices.get(random.nextInt(devices.size()));
        if (a.removed() || a == b) {
            return;
        }
        final long n = attempts.incrementAndGet();
        final String as = a.identity;
        final Mqtt5AsyncClient client = client(a, "spy-" + n);
        client.publishes(
                MqttGlobalPublishFilter.ALL,
                publish -> violations.forbidden("spy as " + as + " received "
                        + new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8) + " on "
                        + publish.getTopic()));
        final List<String> filters = List.of(
                b.identity + "/config",
                b.identity + "/attrs",
                "+/config",
                "+/attrs",
                "#",
                as + "/#",
                "+/+",
                "$SYS/#",
                "$share/spy/" + b.identity + "/config",
                "$share/spy/+/attrs",
                as + "/config/x",
                as + "/attrs",
                as + "/+");
        final List<String> targets =
                List.of(b.identity + "/attrs", b.identity + "/config", as + "/config", as + "/attrs/x", "$SYS/spy", as);
        final String target = targets.get((int) (n % targets.size()));
        final List<Mqtt5Subscription> subscriptions = new ArrayList<>();
        for (final String filter : filters) {
            subscriptions.add(Mqtt5Subscription.builder()
                    .topicFilter(filter)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .build());
        }
        client.connectWith()
                .cleanStart(true)
                .send()
                .thenCompose(connack -> client.subscribe(Mqtt5Subscribe.builder()
                                .addSubscriptions(subscriptions)
                                .build())
                        // The client fails the future when every code is an error; that is the expected SUBACK.
                        .handle((suback, error) -> suback != null
                                ? suback
                                : unwrap(error) instanceof Mqtt5SubAckException refused
                                        ? refused.getMqttMessage()
                                        : rethrow(error)))
                .thenCompose(suback -> {
                    cycles.incrementAndGet();
                    for (int i = 0; i < filters.size(); i++) {
                        if (suback.getReasonCodes().get(i).isError()) {
                            filtersRefused.incrementAndGet();
                        } else {
                            violations.forbiddenGrant(as + " got " + filters.get(i));
                        }
                    }
                    return client.publishWith()
                            .topic(target)
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .payload((Fleet.FORBIDDEN + n + "|" + as + "->" + target).getBytes(StandardCharsets.UTF_8))
                            .send();
                })
                .orTimeout(30, TimeUnit.SECONDS)
                .whenComplete((result, error) -> {
                    if (error == null && Fleet.accepted(result)) {
                        violations.forbiddenPublishAccepted(as + " to " + target);
                    } else {
                        final Throwable cause =
                                error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                        ? error.getCause()
                                        : error;
                        outcomes.merge(
                                cause == null
                                        ? "PUBACK "
                                                + ((Mqtt5PublishResult.Mqtt5Qos1Result) result)
                                                        .getPubAck()
                                                        .getReasonCode()
                                        : cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                                1L,
                                Long::sum);
                    }
                    CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS)
                            .execute(() -> client.disconnect().exceptionally(e -> null));
                });
    }

    /** For a while (after a restart), tries every one of the five latest removals each second. */
    void probeRecentFor(final java.time.Duration duration) {
        recentUntil = System.nanoTime() + duration.toNanos();
    }

    /** Tries the certificate of a device the broker has already cut or refused; acceptance is a violation. */
    void probeRemoved() {
        if (System.nanoTime() < recentUntil) {
            final List<Member> recent = new ArrayList<>(fleet.removed());
            recent.removeIf(m -> !mustBeRefused(m));
            recent.sort(
                    java.util.Comparator.comparing((Member m) -> m.removedAt).reversed());
            recent.stream().limit(5).forEach(this::probe);
            return;
        }
        final List<Member> removed = new ArrayList<>();
        for (final Member member : fleet.removed()) {
            if (mustBeRefused(member)) {
                removed.add(member);
            }
        }
        if (removed.isEmpty()) {
            return;
        }
        // Half the probes go to the five most recent removals: the ones a replayed older CRL would miss.
        removed.sort(java.util.Comparator.comparing((Member m) -> m.removedAt).reversed());
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        probe(removed.get(
                random.nextBoolean() ? random.nextInt(Math.min(5, removed.size())) : random.nextInt(removed.size())));
    }

    /** Whether the broker has refused or cut this member already, or its removal is past due. */
    private boolean mustBeRefused(final Member member) {
        if (member.effectAt != null) {
            return true;
        }
        final java.time.Instant due = inForce.apply(member);
        return due != null && java.time.Instant.now().isAfter(due);
    }

    private void probe(final Member member) {
        probes.incrementAndGet();
        final Mqtt5AsyncClient client = client(member, member.identity);
        client.connectWith()
                .cleanStart(false)
                .sessionExpiryInterval(600)
                .send()
                .orTimeout(30, TimeUnit.SECONDS)
                .whenComplete((connack, error) -> {
                    if (error == null) {
                        violations.revokedAccepted(member, "accepted by the spy's probe with its client id");
                        client.disconnect().exceptionally(e -> null);
                    } else if (unwrap(error) instanceof com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException) {
                        probesRefused.incrementAndGet();
                    } else {
                        client.disconnect().exceptionally(e -> null);
                    }
                });
    }

    /** The spy's and the probes' connections open now. */
    int open() {
        return open.get();
    }

    private Mqtt5AsyncClient client(final Member member, final String clientId) {
        final java.util.concurrent.atomic.AtomicBoolean connected = new java.util.concurrent.atomic.AtomicBoolean();
        return Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost(host)
                .serverPort(port)
                .sslConfig(member.ssl)
                .addConnectedListener(context -> {
                    connected.set(true);
                    open.incrementAndGet();
                })
                .addDisconnectedListener(context -> {
                    if (connected.getAndSet(false)) {
                        open.decrementAndGet();
                    }
                })
                .buildAsync();
    }

    private static Throwable unwrap(final Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
    }

    private static Mqtt5SubAck rethrow(final Throwable error) {
        throw error instanceof java.util.concurrent.CompletionException completion
                ? completion
                : new java.util.concurrent.CompletionException(error);
    }
}
