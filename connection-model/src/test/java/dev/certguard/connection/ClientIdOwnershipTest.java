package dev.certguard.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.testing.ManualScheduler;
import dev.certguard.testing.RecordingDisconnector;
import dev.certguard.testing.TestCertificates;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ClientIdOwnershipTest {

    private static final X509Certificate DEVICE = TestCertificates.certificate("CN=t:d");
    /** The same certificate parsed again: equal, not identical, as HiveMQ hands it to each connection. */
    private static final X509Certificate DEVICE_AGAIN = TestCertificates.reparsed(DEVICE);

    private static final X509Certificate REISSUED = TestCertificates.certificate("CN=t:d");
    private static final List<X509Certificate> PRESENTED = Arrays.asList(null, DEVICE, DEVICE_AGAIN, REISSUED);
    private static final String[] CLIENT_IDS = {"t:d", "t:e", "t:f"};

    private static final ConnectionCutter.Cut REVOKED_CERTIFICATE =
            new ConnectionCutter.Cut(TestReasons.REVOKED, "certificate revoked", true, false, true);

    /** One connection of the plain model: its client id, certificate and whether it authenticated. */
    private static final class Modelled {
        final String clientId;
        final X509Certificate certificate;
        boolean authenticated;

        Modelled(final String clientId, final X509Certificate certificate) {
            this.clientId = clientId;
            this.certificate = certificate;
        }
    }

    /**
     * Random CONNECTs, authentications and ends on three client ids with a device's certificate (as
     * two equal copies), a re-issued one and none: after every step the counts answer exactly what a
     * plain list of the live connections answers, a certificate cut is never allowed while a
     * connection with another certificate holds the client id, and it is allowed while every
     * connection since the client id was last free presented that certificate.
     */
    @Property(tries = 3_000)
    void counts_always_match_the_live_connections_and_never_let_a_certificate_cut_reach_another_certificate(
            @ForAll @Size(max = 60) final List<@IntRange(min = 0, max = 3 * 3 * 4 * 64 - 1) Integer> steps,
            @ForAll final boolean withCertificates) {
        final ClientIdOwnership owners =
                withCertificates ? new ClientIdOwnership() : ClientIdOwnership.withoutCertificates();
        final List<Modelled> live = new ArrayList<>();
        final boolean[] mixedSinceFree = new boolean[CLIENT_IDS.length];
        for (final int step : steps) {
            final int kind = step % 3;
            final int id = step / 3 % CLIENT_IDS.length;
            final X509Certificate certificate = PRESENTED.get(step / 9 % PRESENTED.size());
            final int pick = step / 36;
            if (kind == 0) {
                final Modelled connect = new Modelled(CLIENT_IDS[id], certificate);
                if (live.stream()
                        .anyMatch(c ->
                                c.clientId.equals(connect.clientId) && !Objects.equals(c.certificate, certificate))) {
                    mixedSinceFree[id] = true;
                }
                live.add(connect);
                owners.connecting(connect.clientId, certificate);
            } else if (kind == 1) {
                final List<Modelled> pending =
                        live.stream().filter(c -> !c.authenticated).toList();
                if (!pending.isEmpty()) {
                    final Modelled done = pending.get(pick % pending.size());
                    done.authenticated = true;
                    owners.authenticated(done.clientId, done.certificate);
                }
            } else if (!live.isEmpty()) {
                final Modelled gone = live.remove(pick % live.size());
                owners.ended(gone.clientId, gone.authenticated, gone.certificate);
            }
            for (int i = 0; i < CLIENT_IDS.length; i++) {
                final String clientId = CLIENT_IDS[i];
                final List<Modelled> holding =
                        live.stream().filter(c -> c.clientId.equals(clientId)).toList();
                if (holding.isEmpty()) {
                    mixedSinceFree[i] = false;
                }
                final long authenticated =
                        holding.stream().filter(c -> c.authenticated).count();
                assertThat(owners.isFree(clientId)).isEqualTo(holding.isEmpty());
                assertThat(owners.hasAuthenticated(clientId)).isEqualTo(authenticated > 0);
                assertThat(owners.isSoleOwner(clientId)).isEqualTo(authenticated == 1 && holding.size() == 1);
                for (final X509Certificate cut : List.of(DEVICE, REISSUED)) {
                    final boolean onlyThat = holding.stream().allMatch(c -> cut.equals(c.certificate));
                    final boolean allowed = owners.usedOnlyBy(clientId, cut);
                    if (allowed) {
                        assertThat(onlyThat)
                                .as("certificate cut allowed on %s with %d connections", clientId, holding.size())
                                .isTrue();
                    }
                    if (!withCertificates) {
                        assertThat(allowed).isEqualTo(holding.isEmpty());
                    } else if (onlyThat && !mixedSinceFree[i]) {
                        assertThat(allowed).isTrue();
                    }
                }
            }
        }
        assertThat(owners.clientIds())
                .isEqualTo(live.stream().map(c -> c.clientId).distinct().count());
    }

    @Test
    void counts_beyond_the_shared_entries_stay_exact() {
        final ClientIdOwnership owners = ClientIdOwnership.withoutCertificates();
        for (int i = 0; i < 9; i++) {
            owners.connecting("t:d", DEVICE);
        }
        owners.authenticated("t:d", DEVICE);
        for (int i = 0; i < 7; i++) {
            owners.ended("t:d", false, DEVICE);
        }
        assertThat(owners.isSoleOwner("t:d")).isFalse();

        owners.ended("t:d", false, DEVICE);

        assertThat(owners.isSoleOwner("t:d")).isTrue();
        owners.ended("t:d", true, DEVICE);
        assertThat(owners.isFree("t:d")).isTrue();
        assertThat(owners.clientIds()).isZero();
    }

    @Test
    void a_cutter_counting_without_certificates_holds_a_certificate_cut_while_the_device_reconnects() {
        final ClientIdOwnership owners = ClientIdOwnership.withoutCertificates();
        final RecordingDisconnector hivemq = new RecordingDisconnector();
        final ManualScheduler scheduler = new ManualScheduler();
        final ConnectionCutter cutter =
                new ConnectionCutter("test", owners, hivemq, scheduler, Duration.ofSeconds(1), 3);
        owners.connecting("t:d", DEVICE);
        owners.authenticated("t:d", DEVICE);
        final Connection connection = new Connection("t:d", new X509Certificate[] {DEVICE});
        owners.connecting("t:d", DEVICE_AGAIN);

        cutter.cut(connection, REVOKED_CERTIFICATE);

        assertThat(hivemq.disconnects()).isEmpty();
        owners.ended("t:d", false, DEVICE_AGAIN);
        scheduler.runAll();
        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> assertThat(d.clientId())
                .isEqualTo("t:d"));
    }
}
