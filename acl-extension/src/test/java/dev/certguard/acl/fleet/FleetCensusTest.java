package dev.certguard.acl.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionObserver;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class FleetCensusTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final KeyPair KEYS = keys();

    private static KeyPair keys() {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate valid(final Instant notBefore, final Instant notAfter) {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(new JcaX509v3CertificateBuilder(
                                    new X500Name("CN=ca"),
                                    BigInteger.ONE,
                                    Date.from(notBefore),
                                    Date.from(notAfter),
                                    new X500Name("CN=admin:x"),
                                    KEYS.getPublic())
                            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(KEYS.getPrivate())));
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void connected_certificates_are_counted_by_expiry_window_and_age_as_they_come_and_go() {
        final FleetCensus census = new FleetCensus();
        final X509Certificate inThreeDays = valid(NOW.minus(Duration.ofDays(400)), NOW.plus(Duration.ofDays(3)));
        final X509Certificate inTwentyDays = valid(NOW.minus(Duration.ofDays(10)), NOW.plus(Duration.ofDays(20)));
        final X509Certificate inTwoYears = valid(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(730)));
        final X509Certificate inTwelveHours = valid(NOW.minus(Duration.ofDays(366)), NOW.plus(Duration.ofHours(12)));
        for (final X509Certificate certificate : List.of(inThreeDays, inTwentyDays, inTwoYears, inTwelveHours)) {
            census.add(certificate);
        }
        census.add(inTwentyDays);

        assertThat(census.connected()).isEqualTo(5);
        assertThat(census.expiringWithin(NOW, Duration.ofDays(1))).isEqualTo(1);
        assertThat(census.expiringWithin(NOW, Duration.ofDays(7))).isEqualTo(2);
        assertThat(census.expiringWithin(NOW, Duration.ofDays(30))).isEqualTo(4);
        assertThat(census.olderThan(NOW, 365)).isEqualTo(2);
        assertThat(census.expiringWithin(NOW.plus(Duration.ofDays(18)), Duration.ofDays(7)))
                .as("time passing moves certificates into the window without any event")
                .isEqualTo(4);

        census.remove(inTwentyDays);
        census.remove(inThreeDays);

        assertThat(census.connected()).isEqualTo(3);
        assertThat(census.expiringWithin(NOW, Duration.ofDays(30))).isEqualTo(2);
        assertThat(census.olderThan(NOW, 365)).isEqualTo(1);
    }

    @Test
    void the_observer_counts_a_connection_from_authentication_to_its_end_and_passes_every_event_on() {
        final FleetCensus census = new FleetCensus();
        final List<String> seen = new ArrayList<>();
        final ConnectionObserver<String> observer = census.observing(new ConnectionObserver<>() {
            @Override
            public String authenticated(final Connection connection) {
                seen.add("authenticated " + connection.clientId());
                return "record";
            }

            @Override
            public void ended(final Connection connection, final String record) {
                seen.add("ended " + connection.clientId() + " " + record);
            }
        });
        final Connection connection = new Connection(
                "admin:x/1",
                new X509Certificate[] {valid(NOW.minusSeconds(60), Instant.now().plusSeconds(3600))});

        final String record = observer.authenticated(connection);
        assertThat(census.connected()).isEqualTo(1);
        assertThat(census.expiringWithin(Instant.now(), Duration.ofDays(1))).isEqualTo(1);
        observer.ended(connection, record);

        assertThat(seen).containsExactly("authenticated admin:x/1", "ended admin:x/1 record");
        assertThat(census.connected()).isZero();
        assertThat(census.expiringWithin(Instant.now(), Duration.ofDays(1))).isZero();
    }
}
