package dev.certguard.acl.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.identity.CertificateIdentity;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdentityResolverTest {

    private static KeyPair keys;

    @BeforeAll
    static void keys() throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        keys = generator.generateKeyPair();
    }

    private static X509Certificate certificate(final String subject) throws Exception {
        return certificate(subject, null, null);
    }

    private static X509Certificate certificate(
            final String subject, final BasicConstraints constraints, final KeyUsage usage) throws Exception {
        final Instant now = Instant.now();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                new X500Name("CN=ca"),
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now),
                Date.from(now.plusSeconds(60)),
                new X500Name(subject),
                keys.getPublic());
        if (constraints != null) {
            builder.addExtension(Extension.basicConstraints, true, constraints);
        }
        if (usage != null) {
            builder.addExtension(Extension.keyUsage, true, usage);
        }
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    @Test
    void ca_certificate_is_refused_as_a_device_or_service_identity() throws Exception {
        final IdentityResolver resolver =
                resolver(new ServiceRule("v2k-bridge", null, List.of(), List.of("+/attrs"), false));

        assertThat(resolver.resolve("tls", certificate("CN=admin:a1998e", new BasicConstraints(true), null), null)
                        .rejectReason())
                .as("CA:TRUE device")
                .isEqualTo(RejectReason.NOT_END_ENTITY);
        assertThat(resolver.resolve("tls", certificate("CN=v2k-bridge", new BasicConstraints(0), null), null)
                        .rejectReason())
                .as("CA:TRUE service")
                .isEqualTo(RejectReason.NOT_END_ENTITY);
        assertThat(resolver.resolve(
                                "tls", certificate("CN=admin:a1998e", null, new KeyUsage(KeyUsage.keyCertSign)), null)
                        .rejectReason())
                .as("keyCertSign without basicConstraints")
                .isEqualTo(RejectReason.NOT_END_ENTITY);
        assertThat(resolver.resolve(
                                "tls",
                                certificate(
                                        "CN=admin:a1998e",
                                        new BasicConstraints(false),
                                        new KeyUsage(KeyUsage.digitalSignature)),
                                null)
                        .principal())
                .as("CA:FALSE with digitalSignature")
                .isNotNull();
    }

    private static IdentityResolver resolver(final ServiceRule... services) {
        return new IdentityResolver(new AclConfig(false, Set.of("plain"), List.of(services)));
    }

    @Test
    void a_connect_in_progress_finds_its_resolution_again_and_a_reconnect_with_the_same_certificate_reuses_it()
            throws Exception {
        final IdentityResolver resolver = resolver();
        final X509Certificate device = certificate("CN=admin:a1998e");
        final Resolution atInterceptor = resolver.resolve("tls", device, null);

        assertThat(resolver.resolve("tls", device, null))
                .as("the authenticator's")
                .isSameAs(atInterceptor);
        resolver.forget(device);
        // The device reconnects: a new certificate object (a new TLS session) of the same bytes.
        // (BouncyCastle's factory: the JDK's hands back its cached object for bytes it has seen.)
        final X509Certificate reconnected = (X509Certificate) java.security.cert.CertificateFactory.getInstance(
                        "X.509", new org.bouncycastle.jce.provider.BouncyCastleProvider())
                .generateCertificate(new java.io.ByteArrayInputStream(device.getEncoded()));
        assertThat(reconnected).isNotSameAs(device);
        assertThat(resolver.resolve("tls", reconnected, null)).isSameAs(atInterceptor);

        final TopicPermissions permissions = new TopicPermissions(FakeTopicPermissionBuilder::new, CONFIG);
        assertThat(permissions.of(resolver.resolve("tls", reconnected, null).principal()))
                .as("the same permission objects for each CONNECT of the device")
                .isSameAs(permissions.of(atInterceptor.principal()));
        final TopicPermissions reloaded = new TopicPermissions(FakeTopicPermissionBuilder::new, CONFIG);
        assertThat(reloaded.of(atInterceptor.principal()))
                .as("another configuration builds its own")
                .isNotSameAs(permissions.of(atInterceptor.principal()))
                .hasSameSizeAs(permissions.of(atInterceptor.principal()));

        final Resolution afterReload = resolver().resolve("tls", reconnected, null);
        assertThat(afterReload).as("a reload's resolver resolves anew").isNotSameAs(atInterceptor);
        assertThat(afterReload.principal().name()).isEqualTo("admin:a1998e");
    }

    private static final AclConfig CONFIG = new AclConfig(false, Set.of("plain"), List.of());

    @Test
    void many_connects_in_progress_at_once_each_get_their_own_identity() throws Exception {
        // More CONNECTs in progress, and more distinct certificates, than the tables have slots: a slot
        // taken by another is resolved again, never answered with the other certificate's identity.
        final IdentityResolver resolver = resolver();
        final List<X509Certificate> devices = new java.util.ArrayList<>();
        for (int i = 0; i < IdentityResolver.RECENT + 1000; i++) {
            devices.add(certificate("CN=t:d" + i));
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < devices.size(); i++) {
                assertThat(resolver.resolve("tls", devices.get(i), null)
                                .principal()
                                .name())
                        .isEqualTo("t:d" + i);
            }
        }
    }

    @Test
    void device_certificate_resolves_to_its_two_topics() throws Exception {
        final Resolution resolution = resolver().resolve("tls", certificate("CN=admin:a1998e"), "ignored-username");

        assertThat(resolution.principal().name()).isEqualTo("admin:a1998e");
        assertThat(resolution.principal().publish()).containsExactly("admin:a1998e/attrs");
        assertThat(resolution.principal().subscribe()).containsExactly("admin:a1998e/config");
        assertThat(resolution.principal().isService()).isFalse();
    }

    @Test
    void service_is_recognised_by_exact_cn_and_checked_against_its_pin() throws Exception {
        final X509Certificate bridge = certificate("CN=v2k-bridge");
        final String pin = CertificateIdentity.sha256Fingerprint(bridge);
        final IdentityResolver resolver =
                resolver(new ServiceRule("v2k-bridge", pin, List.of(), List.of("+/attrs"), false));

        assertThat(resolver.resolve("tls", bridge, null).principal().isService())
                .isTrue();
        assertThat(resolver.resolve("tls", certificate("CN=v2k-bridge"), null).rejectReason())
                .isEqualTo(RejectReason.CERTIFICATE_PIN_MISMATCH);
        assertThat(resolver.resolve("tls", certificate("CN=my-v2k-bridge"), null)
                        .rejectReason())
                .isEqualTo(RejectReason.INVALID_IDENTITY);
    }

    @Test
    void missing_certificate_on_a_certificate_listener_is_rejected() {
        assertThat(resolver().resolve("tls", null, "admin:a1998e").rejectReason())
                .isEqualTo(RejectReason.NO_CERTIFICATE);
        assertThat(resolver().resolve(null, null, "admin:a1998e").rejectReason())
                .isEqualTo(RejectReason.NO_CERTIFICATE);
    }

    @Test
    void username_listener_uses_the_username_and_never_grants_services_unless_allowed() {
        final IdentityResolver resolver = resolver(
                new ServiceRule("v2k-bridge", null, List.of(), List.of("+/attrs"), false),
                new ServiceRule("lab", null, List.of("+/config"), List.of(), true));

        assertThat(resolver.resolve("plain", null, "admin:a1998e").principal().name())
                .isEqualTo("admin:a1998e");
        assertThat(resolver.resolve("plain", null, null).rejectReason()).isEqualTo(RejectReason.NO_USERNAME);
        assertThat(resolver.resolve("plain", null, "v2k-bridge").rejectReason())
                .isEqualTo(RejectReason.SERVICE_NOT_ALLOWED_BY_USERNAME);
        assertThat(resolver.resolve("plain", null, "lab").principal().isService())
                .isTrue();
        assertThat(resolver.resolve("plain", null, "admin:#").rejectReason()).isEqualTo(RejectReason.INVALID_IDENTITY);
    }
}
