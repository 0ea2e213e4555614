package dev.certguard.crl.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.crl.crl.CrlVerifier;
import dev.certguard.crl.crl.ParsedCrl;
import dev.certguard.crl.crl.TestCa;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.path.CertificatePath;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class CertificatePathRevocationTest {

    private static final TestCa ROOT = TestCa.ec("CN=root");
    private static final KeyPair INTERMEDIATE_KEYS = TestCa.ec("CN=unused").keys;
    private static final X509Certificate INTERMEDIATE =
            issue(ROOT.certificate, ROOT.keys, "CN=IOTmidCA", INTERMEDIATE_KEYS.getPublic(), 77, true);
    private static final X509Certificate LEAF = issue(
            INTERMEDIATE,
            INTERMEDIATE_KEYS,
            "CN=admin:a1998e",
            TestCa.ec("CN=x").keys.getPublic(),
            5,
            false);

    private static X509Certificate issue(
            final X509Certificate issuer,
            final KeyPair issuerKeys,
            final String subject,
            final PublicKey key,
            final long serial,
            final boolean ca) {
        try {
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                    BigInteger.valueOf(serial),
                    Date.from(Instant.now().minusSeconds(60)),
                    Date.from(Instant.now().plusSeconds(3600)),
                    new X500Name(subject),
                    key);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(
                            new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

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
        final X509Certificate leaf = issue(
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
        final X509Certificate oldDevice = issue(
                oldKey.certificate,
                oldKey.keys,
                "CN=t:old",
                TestCa.ec("CN=z").keys.getPublic(),
                11,
                false);
        final X509Certificate newDevice = issue(
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
    void connection_revoked_before_it_was_tracked_is_cut_when_tracking_starts() throws Exception {
        final RevocationState state = stateRevokingIntermediate();
        final List<String> cut = new CopyOnWriteArrayList<>();
        final LiveRevocation live = new LiveRevocation(
                (clientId, reason) -> {
                    cut.add(clientId + ": " + reason);
                    return CompletableFuture.completedFuture(true);
                },
                state::snapshot,
                new CrlMetrics(new MetricRegistry(), Clock.systemUTC()),
                Clock.systemUTC(),
                Duration.ZERO,
                true);

        live.authenticated("c1", live.attempt("c1"), AUTHORITIES.path(LEAF), "admin:a1998e");

        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (cut.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(cut).containsExactly("c1: certificate revoked");
        live.stop();
    }
}
