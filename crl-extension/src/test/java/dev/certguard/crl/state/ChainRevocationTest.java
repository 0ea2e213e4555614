package dev.certguard.crl.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.crl.crl.CrlVerifier;
import dev.certguard.crl.crl.ParsedCrl;
import dev.certguard.crl.crl.TestCa;
import dev.certguard.crl.enforce.ChainCompleter;
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

class ChainRevocationTest {

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

    @Test
    void leaf_sent_alone_is_completed_with_the_configured_intermediate_and_its_revocation_applies() throws Exception {
        final ChainCompleter completer = new ChainCompleter(List.of(ROOT.certificate, INTERMEDIATE));

        final X509Certificate[] completed = completer.complete(new X509Certificate[] {LEAF});

        assertThat(completed).containsExactly(LEAF, INTERMEDIATE, ROOT.certificate);
        assertThat(stateRevokingIntermediate()
                        .snapshot()
                        .check(completed, Instant.now(), Duration.ZERO)
                        .revoked())
                .isEqualTo(INTERMEDIATE);
        assertThat(completer.complete(new X509Certificate[] {LEAF, INTERMEDIATE}))
                .containsExactly(LEAF, INTERMEDIATE, ROOT.certificate);
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

        live.authenticated("c1", live.attempt("c1"), new X509Certificate[] {LEAF, INTERMEDIATE}, "admin:a1998e");

        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (cut.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(cut).containsExactly("c1: certificate revoked");
        live.stop();
    }
}
