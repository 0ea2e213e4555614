package dev.certguard.acl.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundInput;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundOutput;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.publish.ModifiableConnectPacket;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.acl.fleet.Check;
import dev.certguard.acl.fleet.FleetAudit;
import dev.certguard.acl.fleet.FleetAuditConfig;
import dev.certguard.acl.fleet.FleetCensus;
import dev.certguard.audit.Audit;
import dev.certguard.testing.SdkFakes;
import dev.certguard.testing.TestCertificates;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CONNECT hooks of acl-extension with SDK fakes: the interceptor's rewrite and the authenticator's verdict. */
class CertificateAuthenticatorTest {

    private static final AclConfig CONFIG = new AclConfig(
            false, Set.of(), List.of(new ServiceRule("k2v-bridge", null, List.of("+/config"), List.of(), false)));
    private static final Audit AUDIT = new Audit("acl-extension", java.time.Clock.systemUTC());
    private static final FleetAudit FLEET = new FleetAudit(
            java.time.Clock.systemUTC(), AUDIT, new FleetCensus(), () -> FleetAuditConfig.DEFAULTS, connection -> {});
    private final MetricRegistry registry = new MetricRegistry();
    private AclRuntime runtime = AclRuntime.of(CONFIG, FakeTopicPermissionBuilder::new);
    private final IdentityResolver resolver = runtime.resolver();
    private final CertificateAuthenticator authenticator =
            new CertificateAuthenticator(() -> runtime, new Grants(), new AclMetrics(registry), AUDIT, FLEET);

    private static X509Certificate certificate(final String subject) {
        return TestCertificates.certificate(subject);
    }

    private static ConnectPacket connect(final String clientId, final String willTopic) {
        final Map<String, Object> answers = new HashMap<>();
        answers.put("getClientId", clientId);
        answers.put("getUserName", Optional.empty());
        answers.put(
                "getWillPublish",
                willTopic == null
                        ? Optional.empty()
                        : Optional.of(SdkFakes.fake(
                                com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket.class,
                                Map.of("getTopic", willTopic))));
        return SdkFakes.fake(ConnectPacket.class, answers);
    }

    /** Runs the interceptor, then the authenticator with the rewritten client id, as HiveMQ does. */
    private List<String> connectAs(
            final X509Certificate certificate,
            final String clientId,
            final String willTopic,
            final List<TopicPermission> granted) {
        final var connection = SdkFakes.connection("tls", new X509Certificate[] {certificate});
        final List<String> rewrites = new ArrayList<>();
        new SessionBindingInterceptor(() -> runtime)
                .onConnect(
                        SdkFakes.fake(
                                ConnectInboundInput.class,
                                Map.of(
                                        "getConnectPacket",
                                        connect(clientId, willTopic),
                                        "getConnectionInformation",
                                        connection)),
                        SdkFakes.fake(
                                ConnectInboundOutput.class,
                                Map.of(
                                        "getConnectPacket",
                                        SdkFakes.recorder(ModifiableConnectPacket.class, Map.of(), rewrites))));
        final String brokerId =
                rewrites.isEmpty() ? clientId : rewrites.get(0).replaceAll("^setClientId\\((.*)\\)$", "$1");
        final List<String> calls = new ArrayList<>();
        final List<String> permissionCalls = new ArrayList<>();
        final ModifiableDefaultPermissions permissions =
                SdkFakes.recorder(ModifiableDefaultPermissions.class, Map.of(), permissionCalls);
        authenticator.onConnect(
                SdkFakes.fake(
                        SimpleAuthInput.class,
                        Map.of(
                                "getConnectPacket",
                                connect(brokerId, willTopic),
                                "getConnectionInformation",
                                connection)),
                SdkFakes.recorder(SimpleAuthOutput.class, Map.of("getDefaultPermissions", permissions), calls));
        for (final String call : permissionCalls) {
            if (call.startsWith("addAll")) {
                granted.add(null);
            }
        }
        calls.add(0, "client id " + brokerId);
        calls.addAll(permissionCalls.stream()
                .filter(c -> c.startsWith("setDefaultBehaviour"))
                .toList());
        return calls;
    }

    @Test
    void device_is_bound_to_its_identity_and_authenticated_with_deny_by_default() throws Exception {
        final List<TopicPermission> granted = new ArrayList<>();

        final List<String> calls = connectAs(certificate("CN=admin:a1998e"), "mosq-1", null, granted);

        assertThat(calls)
                .containsExactly(
                        "client id admin:a1998e/mosq-1",
                        "getDefaultPermissions",
                        "authenticateSuccessfully",
                        "setDefaultBehaviour(DENY)");
        assertThat(granted).as("permissions handed over once").hasSize(1);
        assertThat(registry.counter("dev.certguard.acl-extension.connect.accepted")
                        .getCount())
                .isEqualTo(1);
    }

    private static X509Certificate rsa1024(final String subject) throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        final KeyPair keys = generator.generateKeyPair();
        return TestCertificates.certificate(subject, keys.getPublic(), keys.getPrivate(), "SHA256withRSA");
    }

    @Test
    void a_weak_key_is_refused_with_not_authorized_and_becomes_one_finding() throws Exception {
        final X509Certificate weak = rsa1024("CN=admin:w1");

        final List<String> first = connectAs(weak, "w1", null, new ArrayList<>());
        final List<String> second = connectAs(weak, "w1", null, new ArrayList<>());

        assertThat(first.get(1)).isEqualTo("failAuthentication(NOT_AUTHORIZED, certificate key too weak)");
        assertThat(second.get(1)).isEqualTo(first.get(1));
        assertThat(registry.counter("dev.certguard.acl-extension.connect.rejected.key-too-weak")
                        .getCount())
                .isEqualTo(2);
        assertThat(FLEET.findings().newestFirst(1000))
                .filteredOn(f -> f.identity().equals("admin:w1") && f.check() == Check.KEY_QUALITY)
                .singleElement()
                .satisfies(f -> assertThat(f.count()).isEqualTo(2));
    }

    @Test
    void with_action_warn_a_weak_key_is_admitted_and_still_a_finding() throws Exception {
        runtime = AclRuntime.of(
                new AclConfig(
                        false,
                        Set.of(),
                        List.of(),
                        new FleetAuditConfig(true, FleetAuditConfig.Action.WARN, 2048, 365)),
                FakeTopicPermissionBuilder::new);

        final List<String> calls = connectAs(rsa1024("CN=admin:w2"), "w2", null, new ArrayList<>());

        assertThat(calls).contains("authenticateSuccessfully");
        assertThat(FLEET.findings().newestFirst(1000))
                .anyMatch(f -> f.identity().equals("admin:w2"));
    }

    @Test
    void another_identitys_client_id_is_refused_and_becomes_one_finding_per_identity_with_counts() throws Exception {
        runtime = AclRuntime.of(new AclConfig(true, Set.of(), List.of()), FakeTopicPermissionBuilder::new);
        final X509Certificate certificate = certificate("CN=admin:c1");

        final List<String> calls = connectAs(certificate, "admin:victim", null, new ArrayList<>());
        connectAs(certificate, "admin:other", null, new ArrayList<>());

        assertThat(calls.get(1)).startsWith("failAuthentication(CLIENT_IDENTIFIER_NOT_VALID,");
        assertThat(FLEET.findings().newestFirst(1000))
                .filteredOn(f -> f.identity().equals("admin:c1") && f.check() == Check.CLIENT_ID_CONFLICT)
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.count()).isEqualTo(2);
                    assertThat(f.details()).isEqualTo("refused for client id 'admin:other'");
                });
    }

    @Test
    void will_outside_the_identitys_rights_is_refused_at_connect() throws Exception {
        final List<String> calls =
                connectAs(certificate("CN=admin:a1998e"), "admin:a1998e", "admin:other/attrs", new ArrayList<>());

        assertThat(calls).hasSize(2);
        assertThat(calls.get(1)).startsWith("failAuthentication(NOT_AUTHORIZED, will topic 'admin:other/attrs'");
    }

    @Test
    void hostile_common_name_is_refused_and_its_client_id_left_unbound() throws Exception {
        final List<String> calls = connectAs(certificate("CN=admin:#"), "x", null, new ArrayList<>());

        assertThat(calls.get(0)).isEqualTo("client id x");
        assertThat(calls.get(1)).startsWith("failAuthentication(NOT_AUTHORIZED,");
        assertThat(registry.counter("dev.certguard.acl-extension.connect.rejected.invalid-identity")
                        .getCount())
                .isEqualTo(1);
    }

    @Test
    void service_gets_exactly_its_configured_rights() throws Exception {
        final List<String> calls = connectAs(certificate("CN=k2v-bridge"), "k2v-bridge", null, new ArrayList<>());

        assertThat(calls).contains("authenticateSuccessfully", "setDefaultBehaviour(DENY)");
        final List<String> names = new ArrayList<>();
        new TopicPermissions(FakeTopicPermissionBuilder::new, CONFIG)
                .of(resolver.resolve("tls", certificate("CN=k2v-bridge"), null).principal())
                .forEach(p -> names.add(p.toString()));
        assertThat(names)
                .as("a leading wildcard never reaches $SYS")
                .containsExactly("DENY PUBLISH $SYS/#", "DENY PUBLISH +/config/+/#", "ALLOW PUBLISH +/config");
    }

    @Test
    void invalid_configuration_refuses_every_client_with_server_unavailable() {
        final List<String> calls = new ArrayList<>();

        new ConfigInvalidAuthenticator(new AclMetrics(registry), AUDIT)
                .onConnect(
                        SdkFakes.fake(
                                SimpleAuthInput.class,
                                Map.of(
                                        "getConnectPacket",
                                        SdkFakes.connect("c", null),
                                        "getConnectionInformation",
                                        SdkFakes.connection("tls", null))),
                        SdkFakes.recorder(SimpleAuthOutput.class, Map.of(), calls));

        assertThat(calls)
                .containsExactly("failAuthentication(SERVER_UNAVAILABLE, " + ConfigInvalidAuthenticator.REASON + ")");
    }
}
