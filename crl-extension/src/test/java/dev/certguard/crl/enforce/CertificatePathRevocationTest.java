package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.deny.DenyList;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.RevocationSnapshot;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.testing.ManualScheduler;
import dev.certguard.testing.RecordingDisconnector;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CertificatePathRevocationTest {

    private static final TestCa ROOT = TestCa.ec("CN=root");
    private static final KeyPair INTERMEDIATE_KEYS = TestCa.ec("CN=unused").keys;
    private static final X509Certificate INTERMEDIATE =
            TestCa.issue(ROOT.certificate, ROOT.keys, "CN=IOTmidCA", INTERMEDIATE_KEYS.getPublic(), 77, true);
    private static final X509Certificate LEAF = TestCa.issue(
            INTERMEDIATE,
            INTERMEDIATE_KEYS,
            "CN=admin:a1998e",
            TestCa.ec("CN=x").keys.getPublic(),
            5,
            false);

    private static RevocationState stateRevokingIntermediate() throws Exception {
        final RevocationState state = new RevocationState();
        final TestCa.Crl crl = ROOT.crl();
        crl.revoked = new BigInteger[] {BigInteger.valueOf(77)};
        state.install(new CrlVerifier(List.of(ROOT.certificate), Duration.ZERO)
                .verify(ParsedCrl.parse(crl.der()), "root", Instant.now()));
        return state;
    }

    private static final Authorities AUTHORITIES = new Authorities(List.of(ROOT.certificate, INTERMEDIATE), 100);

    @Test
    void leaf_path_runs_through_the_configured_intermediate_and_its_revocation_applies() throws Exception {
        final CertificatePath path = AUTHORITIES.path(LEAF);

        assertThat(path.issuer().certificate()).isEqualTo(INTERMEDIATE);
        assertThat(path.issuer().issuer().certificate()).isEqualTo(ROOT.certificate);
        assertThat(path.issuer().issuer().isAnchor()).isTrue();
        assertThat(stateRevokingIntermediate()
                        .snapshot()
                        .check(path, Instant.now(), Duration.ZERO)
                        .revoked())
                .isEqualTo(INTERMEDIATE);
    }

    @Test
    void path_of_a_leaf_is_the_same_whatever_the_client_appends() throws Exception {
        // The client-sent chain is not consulted at all: appending the root (a self-signed certificate)
        // or a forged intermediate cannot cut the path short.
        final CertificatePath path = AUTHORITIES.path(LEAF);
        final RevocationSnapshot.Status status =
                stateRevokingIntermediate().snapshot().check(path, Instant.now(), Duration.ZERO);

        assertThat(status.revoked()).isEqualTo(INTERMEDIATE);
    }

    @Test
    void leaf_of_an_unconfigured_ca_with_a_configured_name_has_an_unknown_issuer() {
        final TestCa impostor = TestCa.ec("CN=IOTmidCA");
        final X509Certificate leaf = TestCa.issue(
                impostor.certificate,
                impostor.keys,
                "CN=admin:a1998e",
                TestCa.ec("CN=y").keys.getPublic(),
                9,
                false);

        final RevocationSnapshot.Status status =
                new RevocationState().snapshot().check(AUTHORITIES.path(leaf), Instant.now(), Duration.ZERO);

        assertThat(status.unknownIssuer()).isEqualTo(INTERMEDIATE.getSubjectX500Principal());
        assertThat(status.good()).isFalse();
    }

    @Test
    void re_keyed_cas_of_one_name_keep_a_crl_each_and_both_revocations_apply() throws Exception {
        final TestCa oldKey = TestCa.ec("CN=Rekeyed CA");
        final TestCa newKey = TestCa.ec("CN=Rekeyed CA");
        final X509Certificate oldDevice = TestCa.issue(
                oldKey.certificate,
                oldKey.keys,
                "CN=t:old",
                TestCa.ec("CN=z").keys.getPublic(),
                11,
                false);
        final X509Certificate newDevice = TestCa.issue(
                newKey.certificate,
                newKey.keys,
                "CN=t:new",
                TestCa.ec("CN=z").keys.getPublic(),
                12,
                false);
        final Authorities authorities = new Authorities(List.of(oldKey.certificate, newKey.certificate), 100);
        final CrlVerifier verifier = new CrlVerifier(List.of(oldKey.certificate, newKey.certificate), Duration.ZERO);
        final TestCa.Crl oldCrl = oldKey.crl();
        oldCrl.number = BigInteger.valueOf(9);
        oldCrl.revoked = new BigInteger[] {BigInteger.valueOf(11)};
        final TestCa.Crl newCrl = newKey.crl();
        newCrl.number = BigInteger.ONE;
        newCrl.revoked = new BigInteger[] {BigInteger.valueOf(12)};
        final RevocationState state = new RevocationState();

        state.install(verifier.verify(ParsedCrl.parse(oldCrl.der()), "old", Instant.now()));
        state.install(verifier.verify(ParsedCrl.parse(newCrl.der()), "new", Instant.now()));

        assertThat(state.snapshot().crls()).hasSize(2);
        assertThat(state.snapshot()
                        .check(authorities.path(oldDevice), Instant.now(), Duration.ZERO)
                        .revoked())
                .isEqualTo(oldDevice);
        assertThat(state.snapshot()
                        .check(authorities.path(newDevice), Instant.now(), Duration.ZERO)
                        .revoked())
                .isEqualTo(newDevice);
    }

    @Test
    void cross_signed_roots_listed_first_do_not_cut_an_intermediate_off_its_root() throws Exception {
        final TestCa r1 = TestCa.ec("CN=R1");
        final TestCa r2 = TestCa.ec("CN=R2");
        final X509Certificate r1ByR2 = TestCa.issue(r2.certificate, r2.keys, "CN=R1", r1.keys.getPublic(), 100, true);
        final X509Certificate r2ByR1 = TestCa.issue(r1.certificate, r1.keys, "CN=R2", r2.keys.getPublic(), 101, true);
        final java.security.KeyPair midKeys = TestCa.ec("CN=unused").keys;
        final X509Certificate mid = TestCa.issue(r1.certificate, r1.keys, "CN=Mid", midKeys.getPublic(), 102, true);
        final X509Certificate device =
                TestCa.issue(mid, midKeys, "CN=admin:d", TestCa.ec("CN=k").keys.getPublic(), 103, false);
        final Authorities authorities =
                new Authorities(List.of(mid, r1ByR2, r2ByR1, r1.certificate, r2.certificate), 10);
        final TestCa.Crl crl = r1.crl();
        crl.revoked = new BigInteger[] {BigInteger.valueOf(102)};
        final RevocationState state = new RevocationState();
        state.install(new CrlVerifier(List.of(r1.certificate), Duration.ZERO)
                .verify(ParsedCrl.parse(crl.der()), "r1", Instant.now()));

        final CertificatePath path = authorities.path(device);

        assertThat(path.issuer().certificate()).isEqualTo(mid);
        assertThat(path.issuer().issuer().certificate())
                .as("the self-signed root wins")
                .isEqualTo(r1.certificate);
        assertThat(state.snapshot().check(path, Instant.now(), Duration.ZERO).revoked())
                .as("the intermediate revoked by its root")
                .isEqualTo(mid);
    }

    @Test
    void crl_signed_by_a_separate_crl_key_of_the_ca_applies_to_the_cas_certificates() throws Exception {
        final TestCa ca = TestCa.ec("CN=Split CA");
        final java.security.KeyPair crlKeys = TestCa.ec("CN=unused").keys;
        final org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder builder =
                new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                        ca.certificate,
                        BigInteger.valueOf(200),
                        java.util.Date.from(Instant.now().minusSeconds(60)),
                        java.util.Date.from(Instant.now().plusSeconds(3600)),
                        new org.bouncycastle.asn1.x500.X500Name("CN=Split CA"),
                        crlKeys.getPublic());
        builder.addExtension(
                org.bouncycastle.asn1.x509.Extension.keyUsage,
                true,
                new org.bouncycastle.asn1.x509.KeyUsage(org.bouncycastle.asn1.x509.KeyUsage.cRLSign));
        final X509Certificate crlSigner = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                                .build(ca.keys.getPrivate())));
        final X509Certificate device = TestCa.issue(
                ca.certificate,
                ca.keys,
                "CN=admin:split",
                TestCa.ec("CN=k").keys.getPublic(),
                7,
                false);
        final TestCa.Crl crl = ca.crl();
        crl.revoked = new BigInteger[] {BigInteger.valueOf(7)};
        final RevocationState state = new RevocationState();
        state.install(new CrlVerifier(List.of(ca.certificate, crlSigner), Duration.ZERO)
                .verify(ParsedCrl.parse(crl.signedWith(crlKeys)), "split", Instant.now()));

        final RevocationSnapshot.Status status = state.snapshot()
                .check(
                        new Authorities(List.of(ca.certificate, crlSigner), 10).path(device),
                        Instant.now(),
                        Duration.ZERO);

        assertThat(status.revoked()).isEqualTo(device);
    }

    private final ClientIdOwnership owners = new ClientIdOwnership();
    private final RecordingDisconnector hivemq = new RecordingDisconnector();
    private final MetricRegistry registry = new MetricRegistry();

    private LiveRevocation live(final RevocationState state) {
        final CrlRuntime runtime = CrlRuntimes.of(
                List.of(ROOT.certificate, INTERMEDIATE), CrlConfig.WhenUnavailable.ALLOW, DenyList.EMPTY);
        return new LiveRevocation(
                new ConnectionCutter(
                        "crl-extension",
                        owners,
                        hivemq,
                        new ManualScheduler(),
                        Duration.ofSeconds(1),
                        30,
                        clientId -> CompletableFuture.completedFuture(true)),
                () -> runtime,
                state::snapshot,
                new CrlMetrics(registry, Clock.systemUTC()),
                Clock.systemUTC(),
                new dev.certguard.audit.Audit("crl-extension", Clock.systemUTC()));
    }

    @Test
    void connection_revoked_before_it_was_tracked_is_cut_when_tracking_starts() throws Exception {
        final LiveRevocation live = live(stateRevokingIntermediate());
        owners.connecting("c1", null);
        owners.authenticated("c1", null);

        live.authenticated(new Connection("c1", new X509Certificate[] {LEAF}));

        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> {
            assertThat(d.clientId()).isEqualTo("c1");
            assertThat(d.code()).isEqualTo(DisconnectReasonCode.NOT_AUTHORIZED);
            assertThat(d.reason()).isEqualTo("certificate revoked");
            assertThat(d.preventWill()).isTrue();
        });
        assertThat(registry.counter("dev.certguard.crl-extension.live-disconnects")
                        .getCount())
                .isEqualTo(1);
    }

    @Test
    void sweep_cuts_only_connections_on_a_revoked_path_and_each_once() throws Exception {
        final LiveRevocation live = live(new RevocationState());
        final X509Certificate rootLeaf = TestCa.issue(
                ROOT.certificate,
                ROOT.keys,
                "CN=admin:root-leaf",
                TestCa.ec("CN=w").keys.getPublic(),
                6,
                false);
        for (final String id : List.of("under-intermediate", "bystander")) {
            owners.connecting(id, null);
            owners.authenticated(id, null);
        }
        live.authenticated(new Connection("under-intermediate", new X509Certificate[] {LEAF}));
        live.authenticated(new Connection("bystander", new X509Certificate[] {rootLeaf}));

        final RevocationSnapshot revoking = stateRevokingIntermediate().snapshot();
        live.sweep(revoking);
        live.sweep(revoking);

        assertThat(hivemq.disconnects())
                .extracting(RecordingDisconnector.Disconnect::clientId)
                .as("the device below the revoked intermediate is cut once; the root's own device stays")
                .containsExactly("under-intermediate");
    }
}
