package dev.certguard.acl.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import dev.certguard.acl.auth.AclMetrics;
import dev.certguard.acl.auth.AclRuntime;
import dev.certguard.acl.auth.CertificateAuthenticator;
import dev.certguard.acl.auth.FakeTopicPermissionBuilder;
import dev.certguard.acl.auth.Grants;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.acl.fleet.FleetAudit;
import dev.certguard.acl.fleet.FleetAuditConfig;
import dev.certguard.acl.fleet.FleetCensus;
import dev.certguard.audit.Audit;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionListener;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.testing.ManualScheduler;
import dev.certguard.testing.RecordingDisconnector;
import dev.certguard.testing.SdkFakes;
import dev.certguard.testing.TestCertificates;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** Configuration changes applied to live connections and stored sessions, with SDK fakes. */
class LiveRightsTest {

    private static final ServiceRule V2K = new ServiceRule("v2k-bridge", null, List.of(), List.of("+/attrs"), false);
    private static final ServiceRule K2V = new ServiceRule("k2v-bridge", null, List.of("+/config"), List.of(), false);

    private final MetricRegistry registry = new MetricRegistry();
    private final AclMetrics metrics = new AclMetrics(registry);
    private final AtomicReference<AclRuntime> runtime = new AtomicReference<>(runtime(V2K, K2V));
    private final Grants grants = new Grants();
    private final RecordingDisconnector disconnector = new RecordingDisconnector();
    private final ClientIdOwnership owners = new ClientIdOwnership();
    private final ConnectionCutter cutter = new ConnectionCutter(
            "acl-extension", owners, disconnector, new ManualScheduler(), Duration.ofSeconds(1), 3);
    private final FakeSessions sessions = new FakeSessions();
    private final Audit audit = new Audit("acl-extension", java.time.Clock.systemUTC());
    private final LiveRights live = new LiveRights(runtime::get, grants, cutter, sessions, metrics, audit);

    private static AclRuntime runtime(final ServiceRule... services) {
        return AclRuntime.of(new AclConfig(false, Set.of(), List.of(services)), FakeTopicPermissionBuilder::new);
    }

    /** Subscriptions per client id, as HiveMQ's subscription store would keep them. */
    static final class FakeSessions implements SessionSubscriptions {
        final Map<String, Set<String>> byClient = new ConcurrentHashMap<>();

        void subscribe(final String clientId, final String... filters) {
            byClient.computeIfAbsent(clientId, id -> new HashSet<>()).addAll(List.of(filters));
        }

        @Override
        public CompletableFuture<Set<String>> of(final String clientId) {
            return CompletableFuture.completedFuture(Set.copyOf(byClient.getOrDefault(clientId, Set.of())));
        }

        @Override
        public CompletableFuture<Void> remove(final String clientId, final Set<String> filters) {
            byClient.getOrDefault(clientId, new HashSet<>()).removeAll(filters);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> forEach(final BiConsumer<String, Set<String>> session) {
            byClient.forEach((id, filters) -> session.accept(id, Set.copyOf(filters)));
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Connects {@code clientId} with a certificate for {@code cn} through the authenticator, as HiveMQ would. */
    private X509Certificate connect(final String cn, final String clientId) {
        final X509Certificate certificate = TestCertificates.certificate("CN=" + cn);
        final var connection = SdkFakes.connection("tls", new X509Certificate[] {certificate});
        final var listener = new ConnectionListener<>(owners, live);
        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect(clientId, null), connection));
        authenticate(connection, clientId);
        listener.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful(clientId, connection));
        return certificate;
    }

    private void authenticate(
            final com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation connection,
            final String clientId) {
        final List<String> calls = new java.util.ArrayList<>();
        final var defaults = SdkFakes.recorder(
                com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions.class, Map.of(), calls);
        new CertificateAuthenticator(
                        runtime::get,
                        grants,
                        metrics,
                        audit,
                        new FleetAudit(
                                Clock.systemUTC(),
                                audit,
                                new FleetCensus(),
                                () -> FleetAuditConfig.DEFAULTS,
                                cut -> {}))
                .onConnect(
                        SdkFakes.fake(
                                com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput.class,
                                Map.of(
                                        "getConnectPacket",
                                        SdkFakes.connect(clientId, null),
                                        "getConnectionInformation",
                                        connection)),
                        SdkFakes.recorder(
                                com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput.class,
                                Map.of("getDefaultPermissions", defaults),
                                calls));
        assertThat(calls).contains("authenticateSuccessfully");
    }

    private List<String> cutClientIds() {
        return disconnector.disconnects().stream()
                .map(RecordingDisconnector.Disconnect::clientId)
                .toList();
    }

    @Test
    void removing_a_service_cuts_its_connection_with_administrative_action_and_empties_its_session() {
        connect("v2k-bridge", "v2k-bridge");
        connect("admin:a1998e", "admin:a1998e");
        sessions.subscribe("v2k-bridge", "+/attrs");
        sessions.subscribe("admin:a1998e", "admin:a1998e/config");

        final AclRuntime previous = runtime.getAndSet(runtime(K2V));
        assertThat(live.applied(previous, runtime.get())).isEqualTo(1);

        assertThat(disconnector.disconnects())
                .containsExactly(new RecordingDisconnector.Disconnect(
                        "v2k-bridge",
                        true,
                        DisconnectReasonCode.ADMINISTRATIVE_ACTION,
                        "service v2k-bridge was removed from the configuration"));
        assertThat(sessions.byClient.get("v2k-bridge")).isEmpty();
        assertThat(sessions.byClient.get("admin:a1998e")).containsExactly("admin:a1998e/config");
        assertThat(live.isNarrowed("v2k-bridge")).isTrue();
        assertThat(live.isNarrowed("k2v-bridge")).isFalse();
    }

    @Test
    void a_dropped_filter_removes_only_the_forbidden_subscriptions_also_from_sessions_not_connected() {
        final ServiceRule wide =
                new ServiceRule("v2k-bridge", null, List.of(), List.of("+/attrs", "$share/ignored/x", "ops/#"), false);
        runtime.set(runtime(wide));
        connect("v2k-bridge", "v2k-bridge/live");
        sessions.subscribe("v2k-bridge/live", "+/attrs", "ops/a");
        sessions.subscribe("v2k-bridge/offline", "$share/g/+/attrs", "ops/#", "ops/b/c");

        final AclRuntime previous =
                runtime.getAndSet(runtime(new ServiceRule("v2k-bridge", null, List.of(), List.of("ops/#"), false)));
        live.applied(previous, runtime.get());

        assertThat(cutClientIds()).containsExactly("v2k-bridge/live");
        assertThat(disconnector.disconnects().get(0).reason())
                .isEqualTo("the rights of v2k-bridge were narrowed by a configuration change");
        assertThat(sessions.byClient.get("v2k-bridge/live")).containsExactly("ops/a");
        assertThat(sessions.byClient.get("v2k-bridge/offline")).containsExactlyInAnyOrder("ops/#", "ops/b/c");
        assertThat(registry.counter("dev.certguard.acl-extension.subscriptions.removed")
                        .getCount())
                .isEqualTo(2);
    }

    @Test
    void widened_or_unchanged_rights_cut_nobody() {
        connect("v2k-bridge", "v2k-bridge");
        connect("k2v-bridge", "k2v-bridge");

        final AclRuntime previous = runtime.getAndSet(runtime(
                new ServiceRule("v2k-bridge", null, List.of("x/y"), List.of("#"), false),
                K2V,
                new ServiceRule("new-bridge", null, List.of("#"), List.of(), false)));

        assertThat(live.applied(previous, runtime.get())).isZero();
        assertThat(disconnector.disconnects()).isEmpty();
        assertThat(live.tracked()).isEqualTo(2);
    }

    @Test
    void a_new_pin_cuts_only_connections_with_another_certificate() {
        final X509Certificate pinned = connect("k2v-bridge", "k2v-bridge/a");
        connect("k2v-bridge", "k2v-bridge/b");

        final AclRuntime previous = runtime.getAndSet(runtime(
                V2K,
                new ServiceRule(
                        "k2v-bridge",
                        CertificateIdentity.sha256Fingerprint(pinned),
                        List.of("+/config"),
                        List.of(),
                        false)));
        live.applied(previous, runtime.get());

        assertThat(cutClientIds()).containsExactly("k2v-bridge/b");
        assertThat(disconnector.disconnects().get(0).reason()).contains("not the one pinned");
    }

    @Test
    void a_connection_authenticated_before_a_reload_but_reported_after_it_is_still_checked() {
        final X509Certificate certificate = TestCertificates.certificate("CN=v2k-bridge");
        final var connection = SdkFakes.connection("tls", new X509Certificate[] {certificate});
        final var listener = new ConnectionListener<>(owners, live);
        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("v2k-bridge", null), connection));
        authenticate(connection, "v2k-bridge");

        final AclRuntime previous = runtime.getAndSet(
                runtime(new ServiceRule("v2k-bridge", null, List.of(), List.of("admin:a1998e/attrs"), false)));
        live.applied(previous, runtime.get());
        assertThat(disconnector.disconnects()).isEmpty();
        listener.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("v2k-bridge", connection));

        assertThat(cutClientIds()).containsExactly("v2k-bridge");
    }

    @Test
    void only_hivemqs_publish_refusal_counts_as_a_denied_publish() {
        // Pins HiveMQ's reason string for a refused PUBLISH ("Not authorized to publish ..."): if HiveMQ
        // changes it, the end-to-end publish-denied metric test fails as well.
        live.serverDisconnected(serverDisconnect(
                DisconnectedReasonCode.NOT_AUTHORIZED, "Not authorized to publish on topic 'x' with QoS '1'"));
        live.serverDisconnected(serverDisconnect(DisconnectedReasonCode.NOT_AUTHORIZED, "certificate revoked"));
        live.serverDisconnected(serverDisconnect(DisconnectedReasonCode.MAXIMUM_CONNECT_TIME, null));

        assertThat(registry.counter("dev.certguard.acl-extension.publish.denied")
                        .getCount())
                .isEqualTo(1);
    }

    private static ServerInitiatedDisconnectInput serverDisconnect(
            final DisconnectedReasonCode code, final String reason) {
        return SdkFakes.fake(
                ServerInitiatedDisconnectInput.class,
                Map.of(
                        "getReasonCode", Optional.ofNullable(code),
                        "getReasonString", Optional.ofNullable(reason),
                        "getClientInformation", SdkFakes.client("admin:a1998e"),
                        "getConnectionInformation", SdkFakes.connection("tls", null)));
    }

    @Test
    void the_topic_of_a_refused_publish_is_read_from_hivemqs_reason_string() {
        assertThat(LiveRights.quotedTopic("Not authorized to publish on topic 'a/b' with QoS '1' and retain 'false'"))
                .isEqualTo("a/b");
        assertThat(LiveRights.quotedTopic("Not authorized to publish on topic 'it's' with QoS '0'"))
                .isEqualTo("it's");
        assertThat(LiveRights.quotedTopic("something else")).isNull();
    }

    @Test
    void at_start_stored_sessions_lose_what_the_configuration_no_longer_allows_and_devices_are_left_alone() {
        sessions.subscribe("v2k-bridge/old", "+/attrs", "admin:a1998e/config");
        sessions.subscribe("retired-bridge", "#");
        sessions.subscribe("admin:a1998e/s", "admin:a1998e/config");

        live.pruneStoredSessionsAtStart().join();

        assertThat(sessions.byClient.get("v2k-bridge/old")).containsExactly("+/attrs");
        assertThat(sessions.byClient.get("retired-bridge"))
                .as("no identity has rights to it")
                .isEmpty();
        assertThat(sessions.byClient.get("admin:a1998e/s")).containsExactly("admin:a1998e/config");
        assertThat(live.isNarrowed("v2k-bridge")).isTrue();
        assertThat(live.isNarrowed("retired-bridge")).isTrue();
        assertThat(live.isNarrowed("k2v-bridge")).isFalse();
    }
}
