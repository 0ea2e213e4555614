package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionListener;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.deny.DenyList;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.testing.ManualScheduler;
import dev.certguard.testing.MutableClock;
import dev.certguard.testing.RecordingDisconnector;
import dev.certguard.testing.SdkFakes;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Connected devices checked after a CRL update: the ones whose certificate (or a CA on whose path)
 * the new CRL newly lists are cut, whichever way the sweep finds them, and nobody else; a cut that
 * gave up is tried again at the next update.
 */
class LiveCrlSweepTest {

    private static final TestCa ROOT = TestCa.ec("CN=sweep root");
    private static final KeyPair INTERMEDIATE_KEYS = TestCa.ec("CN=unused").keys;
    private static final X509Certificate INTERMEDIATE = TestCa.issue(
            ROOT.certificate, ROOT.keys, "CN=sweep intermediate", INTERMEDIATE_KEYS.getPublic(), 9000, true);
    private static final KeyPair DEVICE_KEYS = TestCa.ec("CN=k").keys;

    private final ClientIdOwnership owners = new ClientIdOwnership();
    private final RecordingDisconnector hivemq = new RecordingDisconnector();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final RevocationState state = new RevocationState();
    private final CrlRuntime runtime =
            CrlRuntimes.of(List.of(ROOT.certificate, INTERMEDIATE), CrlConfig.WhenUnavailable.ALLOW, DenyList.EMPTY);
    private final MutableClock clock = new MutableClock(Instant.now());
    private final LiveRevocation live = new LiveRevocation(
            new ConnectionCutter("crl-extension", owners, hivemq, scheduler, Duration.ofSeconds(1), 2),
            () -> runtime,
            state::snapshot,
            new CrlMetrics(new MetricRegistry(), Clock.systemUTC()),
            clock,
            new dev.certguard.audit.Audit("crl-extension", Clock.systemUTC()));
    private long rootNumber;
    private long intermediateNumber;

    private static X509Certificate device(final long serial) {
        return TestCa.issue(
                INTERMEDIATE, INTERMEDIATE_KEYS, "CN=admin:d" + serial, DEVICE_KEYS.getPublic(), serial, false);
    }

    private void connect(final String clientId, final X509Certificate leaf) {
        final var connection = SdkFakes.connection("tls", new X509Certificate[] {leaf});
        final var listener = new ConnectionListener<>(owners, live);
        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect(clientId, null), connection));
        listener.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful(clientId, connection));
    }

    /** The intermediate publishes a CRL listing {@code serials}; the sweep thread then runs. */
    private void intermediateRevokes(final long... serials) throws Exception {
        intermediateRevokes(Duration.ofHours(1), serials);
    }

    /** The same, with a CRL valid {@code for} from now. */
    private void intermediateRevokes(final Duration valid, final long... serials) throws Exception {
        final TestCa.Crl crl = TestCa.of(INTERMEDIATE_KEYS, INTERMEDIATE).crl();
        crl.nextUpdate = Instant.now().plus(valid);
        crl.number = BigInteger.valueOf(++intermediateNumber);
        crl.revoked = LongStream.of(serials).mapToObj(BigInteger::valueOf).toArray(BigInteger[]::new);
        install(crl.der(), INTERMEDIATE);
    }

    private void rootRevokes(final long... serials) throws Exception {
        final TestCa.Crl crl = ROOT.crl();
        crl.number = BigInteger.valueOf(++rootNumber);
        crl.revoked = LongStream.of(serials).mapToObj(BigInteger::valueOf).toArray(BigInteger[]::new);
        install(crl.der(), ROOT.certificate);
    }

    private void install(final byte[] der, final X509Certificate issuer) throws Exception {
        state.install(new CrlVerifier(List.of(ROOT.certificate, INTERMEDIATE), Duration.ZERO)
                .verify(ParsedCrl.parse(der), issuer.getSubjectX500Principal().getName(), Instant.now()));
        live.sweepCrlChanges();
    }

    private List<String> cut() {
        final List<String> ids = new ArrayList<>();
        hivemq.disconnects().forEach(d -> ids.add(d.clientId() + " " + d.reason()));
        return ids;
    }

    @Test
    void a_crl_update_cuts_the_devices_it_newly_lists_and_nobody_else() throws Exception {
        for (long serial = 1; serial <= 50; serial++) {
            connect("d" + serial, device(serial));
        }
        intermediateRevokes(); // the first CRL: nobody listed
        rootRevokes();
        assertThat(cut()).isEmpty();

        intermediateRevokes(7, 1_000_001); // one connected device, one that is not connected
        assertThat(cut()).containsExactly("d7 certificate revoked");

        intermediateRevokes(7, 1_000_001); // a new number, nothing new: nobody else
        intermediateRevokes(7, 1_000_001, 8, 9);
        assertThat(cut())
                .containsExactlyInAnyOrder(
                        "d7 certificate revoked", "d8 certificate revoked", "d9 certificate revoked");
    }

    @Test
    void a_crl_listing_more_serials_than_there_are_connections_still_cuts_exactly_the_listed_devices()
            throws Exception {
        for (long serial = 1; serial <= 5; serial++) {
            connect("d" + serial, device(serial));
        }
        intermediateRevokes();
        intermediateRevokes(LongStream.concat(LongStream.of(3), LongStream.rangeClosed(100, 200))
                .toArray());
        assertThat(cut()).containsExactly("d3 certificate revoked");
    }

    @Test
    void revoking_the_intermediate_cuts_every_device_below_it() throws Exception {
        for (long serial = 1; serial <= 20; serial++) {
            connect("d" + serial, device(serial));
        }
        intermediateRevokes();
        rootRevokes();
        rootRevokes(9000);
        assertThat(cut()).hasSize(20).allMatch(line -> line.endsWith("certificate revoked"));
    }

    @Test
    void every_connection_presenting_a_revoked_certificate_is_cut() throws Exception {
        final X509Certificate shared = device(42);
        connect("first", shared);
        connect("second", shared);
        connect("other", device(43));
        intermediateRevokes();
        intermediateRevokes(42);
        assertThat(cut()).containsExactlyInAnyOrder("first certificate revoked", "second certificate revoked");
    }

    @Test
    void a_cut_that_gave_up_is_tried_again_at_the_next_crl_update_even_when_it_lists_nothing_new() throws Exception {
        connect("d5", device(5));
        intermediateRevokes();
        hivemq.found(false); // HiveMQ does not find the client (yet)
        intermediateRevokes(5);
        scheduler.runAll();
        scheduler.runAll();
        scheduler.runAll();
        final int attempts = hivemq.disconnects().size();
        assertThat(attempts).isPositive();

        hivemq.found(true);
        intermediateRevokes(5);
        assertThat(hivemq.disconnects()).hasSizeGreaterThan(attempts);
        assertThat(live.tracked()).isEqualTo(1);
    }

    @Test
    void a_device_admitted_while_the_crl_was_out_of_date_is_cut_when_a_current_crl_still_lists_it() throws Exception {
        intermediateRevokes(7);
        rootRevokes();
        clock.advance(Duration.ofHours(2)); // the intermediate's CRL is past its nextUpdate
        connect("d7", device(7)); // when-unavailable allow: admitted, with a WARN
        assertThat(cut()).isEmpty();

        intermediateRevokes(Duration.ofHours(3), 7); // current again, listing nothing new
        assertThat(cut()).containsExactly("d7 certificate revoked");
    }

    @Test
    void a_partition_that_newly_lists_a_device_cuts_it_and_no_device_of_another_partition() throws Exception {
        final String part1 = "http://crl.example.com/part-1.crl";
        final String part2 = "http://crl.example.com/part-2.crl";
        final TestCa intermediate = TestCa.of(INTERMEDIATE_KEYS, INTERMEDIATE);
        for (long serial = 1; serial <= 4; serial++) {
            connect(
                    "p" + serial,
                    TestCa.issue(
                            INTERMEDIATE,
                            INTERMEDIATE_KEYS,
                            "CN=admin:p" + serial,
                            DEVICE_KEYS.getPublic(),
                            serial,
                            false,
                            new org.bouncycastle.asn1.x509.DistributionPoint[] {
                                TestCa.point(serial <= 2 ? part1 : part2, 0)
                            }));
        }
        rootRevokes();
        for (final String part : List.of(part1, part2)) {
            final TestCa.Crl empty = intermediate.crl();
            empty.idp = TestCa.idp(part, true, false, 0);
            install(empty.der(), INTERMEDIATE);
        }
        assertThat(cut()).isEmpty();

        // Partition 2 lists serial 2, a device of partition 1: its scope does not cover that device.
        final TestCa.Crl second = intermediate.crl();
        second.idp = TestCa.idp(part2, true, false, 0);
        second.number = BigInteger.TWO;
        second.revoked = new BigInteger[] {BigInteger.valueOf(2), BigInteger.valueOf(4)};
        install(second.der(), INTERMEDIATE);

        assertThat(cut()).containsExactly("p4 certificate revoked");
    }

    @Test
    void a_device_held_again_by_a_new_base_after_a_delta_lifted_its_hold_is_cut() throws Exception {
        final TestCa intermediate = TestCa.of(INTERMEDIATE_KEYS, INTERMEDIATE);
        rootRevokes();
        final TestCa.Crl base = intermediate.crl();
        base.number = BigInteger.valueOf(10);
        base.held = new BigInteger[] {BigInteger.valueOf(5)};
        base.freshest = "http://pki.example.com/CertEnroll/IOTmidCA+.crl";
        install(base.der(), INTERMEDIATE);
        final TestCa.Crl lift = intermediate.crl();
        lift.number = BigInteger.valueOf(11);
        lift.deltaBase = BigInteger.valueOf(10);
        lift.removed = new BigInteger[] {BigInteger.valueOf(5)};
        install(lift.der(), INTERMEDIATE);
        connect("d5", device(5));
        connect("d6", device(6));
        assertThat(cut()).isEmpty();

        final TestCa.Crl heldAgain = intermediate.crl();
        heldAgain.number = BigInteger.valueOf(12);
        heldAgain.held = new BigInteger[] {BigInteger.valueOf(5)};
        heldAgain.freshest = "http://pki.example.com/CertEnroll/IOTmidCA+.crl";
        install(heldAgain.der(), INTERMEDIATE);
        final TestCa.Crl delta = intermediate.crl();
        delta.number = BigInteger.valueOf(13);
        delta.deltaBase = BigInteger.valueOf(12);
        install(delta.der(), INTERMEDIATE);

        assertThat(cut()).containsExactly("d5 certificate revoked");
    }
}
