package dev.certguard.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.testing.ManualScheduler;
import dev.certguard.testing.RecordingDisconnector;
import dev.certguard.testing.TestCertificates;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ConnectionCutterTest {

    private static final ConnectionCutter.Cut REVOKED =
            new ConnectionCutter.Cut(TestReasons.REVOKED, "certificate revoked", true);

    private static final ConnectionCutter.Cut REVOKED_CERTIFICATE =
            new ConnectionCutter.Cut(TestReasons.REVOKED, "certificate revoked", true, true, true);
    private static final X509Certificate DEVICE = TestCertificates.certificate("CN=t:d");
    private static final X509Certificate REISSUED = TestCertificates.certificate("CN=t:d");

    private final ClientIdOwnership owners = new ClientIdOwnership();
    private final List<String> purged = new ArrayList<>();
    private final RecordingDisconnector hivemq = new RecordingDisconnector();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final ConnectionCutter cutter =
            new ConnectionCutter("test", owners, hivemq, scheduler, Duration.ofSeconds(1), 3);

    private Connection authenticated(final String clientId) {
        owners.connecting(clientId, null);
        owners.authenticated(clientId, null);
        return new Connection(clientId, null);
    }

    private Connection authenticated(final String clientId, final X509Certificate certificate) {
        owners.connecting(clientId, certificate);
        owners.authenticated(clientId, certificate);
        return new Connection(clientId, new X509Certificate[] {certificate});
    }

    private ConnectionCutter purging() {
        return new ConnectionCutter("test", owners, hivemq, scheduler, Duration.ofSeconds(1), 3, clientId -> {
            purged.add(clientId);
            return CompletableFuture.completedFuture(true);
        });
    }

    @Test
    void sole_owner_is_cut_at_once_with_the_reason_code_and_string() {
        final Connection connection = authenticated("a:b/c");

        final CompletableFuture<Boolean> cut = cutter.cut(connection, REVOKED);

        assertThat(cut).isCompletedWithValue(true);
        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DisconnectReasonCode.NOT_AUTHORIZED);
            assertThat(d.reason()).isEqualTo("certificate revoked");
            assertThat(d.preventWill()).isTrue();
        });
    }

    @Test
    void cut_waits_while_another_connect_with_the_client_id_is_in_progress_and_gives_up_if_the_connection_ends() {
        final Connection connection = authenticated("same");
        owners.connecting("same", null);

        final CompletableFuture<Boolean> cut = cutter.cut(connection, REVOKED);
        assertThat(hivemq.disconnects())
                .as("no disconnect by a contended client id")
                .isEmpty();
        connection.end();
        scheduler.runAll();

        assertThat(cut).isCompletedWithValue(false);
        assertThat(hivemq.disconnects()).isEmpty();
    }

    @Test
    void cut_is_retried_while_hivemq_does_not_find_the_connection_yet() {
        final Connection connection = authenticated("new");
        hivemq.found(false);

        final CompletableFuture<Boolean> cut = cutter.cut(connection, REVOKED);
        hivemq.found(true);
        scheduler.runAll();

        assertThat(cut).isCompletedWithValue(true);
        assertThat(hivemq.disconnects()).hasSize(2);
    }

    @Test
    void contended_client_id_is_cut_anyway_after_the_last_recheck() {
        final Connection connection = authenticated("stuck");
        owners.connecting("stuck", null);

        final CompletableFuture<Boolean> cut = cutter.cut(connection, REVOKED);
        for (int i = 0; i < 3; i++) {
            scheduler.runAll();
        }

        assertThat(cut).isCompletedWithValue(true);
        assertThat(hivemq.disconnects()).hasSize(1);
    }

    @Test
    void second_cut_of_a_connection_joins_the_first() {
        final Connection connection = authenticated("twice");

        final CompletableFuture<Boolean> first = cutter.cut(connection, REVOKED);
        final CompletableFuture<Boolean> second = cutter.cut(connection, REVOKED);

        assertThat(second).isSameAs(first);
        assertThat(hivemq.disconnects()).hasSize(1);
    }

    @Test
    void cut_that_gave_up_can_be_started_again_while_the_connection_lives() {
        final Connection connection = authenticated("unreachable");
        hivemq.found(false);
        final CompletableFuture<Boolean> first = cutter.cut(connection, REVOKED);
        for (int i = 0; i < 3; i++) {
            scheduler.runAll();
        }
        assertThat(first).as("gave up after the last retry").isCompletedWithValue(false);
        assertThat(connection.cutPending()).isFalse();

        hivemq.found(true);
        final CompletableFuture<Boolean> second = cutter.cut(connection, REVOKED);

        assertThat(second).isNotSameAs(first).isCompletedWithValue(true);
    }

    @Test
    void disconnector_that_throws_is_retried_and_never_leaves_the_cut_hanging() {
        final Connection connection = authenticated("throws");
        final int[] calls = {0};
        final ConnectionCutter throwing = new ConnectionCutter(
                "test",
                owners,
                (clientId, preventWill, code, reason) -> {
                    if (calls[0]++ == 0) {
                        throw new IllegalStateException("broker stopping");
                    }
                    return CompletableFuture.completedFuture(true);
                },
                scheduler,
                Duration.ofSeconds(1),
                3);

        final CompletableFuture<Boolean> cut = throwing.cut(connection, REVOKED);
        scheduler.runAll();

        assertThat(cut).isCompletedWithValue(true);
        assertThat(calls[0]).isEqualTo(2);
    }

    @Test
    void stopped_cutter_disconnects_nobody() {
        final Connection connection = authenticated("late");
        cutter.stop();

        assertThat(cutter.cut(connection, REVOKED)).isCompletedWithValue(false);
        assertThat(hivemq.disconnects()).isEmpty();
    }

    @Test
    void revoked_certificate_is_cut_at_once_while_the_same_certificate_keeps_reconnecting_with_its_client_id() {
        final Connection connection = authenticated("t:d", DEVICE);
        owners.connecting("t:d", TestCertificates.reparsed(DEVICE));
        owners.connecting("t:d", TestCertificates.reparsed(DEVICE));

        final CompletableFuture<Boolean> cut = cutter.cut(connection, REVOKED_CERTIFICATE);

        assertThat(cut)
                .as(
                        "reconnects with the revoked certificate are refused or cut in turn: they must not postpone the cut")
                .isCompletedWithValue(true);
        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> assertThat(d.clientId())
                .isEqualTo("t:d"));
    }

    @Test
    void revoked_certificate_cut_waits_while_a_connect_with_another_certificate_may_take_the_client_id_over() {
        final Connection connection = authenticated("t:d", DEVICE);
        owners.connecting("t:d", DEVICE);
        owners.connecting("t:d", REISSUED);

        final CompletableFuture<Boolean> cut = cutter.cut(connection, REVOKED_CERTIFICATE);

        assertThat(hivemq.disconnects())
                .as("the re-issued device's connection could be the one HiveMQ finds by the client id")
                .isEmpty();
        connection.end();
        scheduler.runAll();
        assertThat(cut).isCompletedWithValue(false);
        assertThat(hivemq.disconnects()).isEmpty();
    }

    @Test
    void revoked_certificate_cut_goes_ahead_once_the_connect_with_another_certificate_was_refused() {
        final Connection connection = authenticated("t:d", DEVICE);
        owners.connecting("t:d", null);

        final CompletableFuture<Boolean> cut = cutter.cut(connection, REVOKED_CERTIFICATE);
        assertThat(hivemq.disconnects()).isEmpty();
        owners.ended("t:d", false, null);
        owners.connecting("t:d", TestCertificates.reparsed(DEVICE));
        scheduler.runAll();

        assertThat(cut)
                .as("the other CONNECT is gone; the revoked certificate's own reconnect does not hold the cut")
                .isCompletedWithValue(true);
    }

    @Test
    void lifetime_cut_still_waits_for_a_reconnect_with_the_same_certificate() {
        final Connection connection = authenticated("t:d", DEVICE);
        owners.connecting("t:d", DEVICE);

        final CompletableFuture<Boolean> cut =
                cutter.cut(connection, new ConnectionCutter.Cut(TestReasons.LIFETIME, "lifetime", false));

        assertThat(cut).isNotDone();
        assertThat(hivemq.disconnects())
                .as("a reconnect with a valid certificate is a new connection with its own lifetime")
                .isEmpty();
    }

    @Test
    void session_of_a_revoked_certificate_is_purged_while_the_same_certificate_keeps_reconnecting() {
        final Connection connection = authenticated("t:d", DEVICE);
        final CompletableFuture<Boolean> cut = purging().cut(connection, REVOKED_CERTIFICATE);
        assertThat(cut).isCompletedWithValue(true);

        connection.end();
        owners.ended("t:d", true, DEVICE);
        owners.connecting("t:d", TestCertificates.reparsed(DEVICE));
        scheduler.runAll();

        assertThat(purged).containsExactly("t:d");
    }

    @Test
    void session_of_a_revoked_certificate_is_kept_for_a_connect_with_another_certificate() {
        final Connection connection = authenticated("t:d", DEVICE);
        purging().cut(connection, REVOKED_CERTIFICATE);

        connection.end();
        owners.ended("t:d", true, DEVICE);
        owners.connecting("t:d", REISSUED);
        scheduler.runAll();

        assertThat(purged).as("the re-issued device may resume that session").isEmpty();
    }

    @Test
    void first_retries_come_within_milliseconds_then_every_recheck_interval() {
        final Connection connection = authenticated("slow");
        hivemq.found(false);
        final ConnectionCutter patient =
                new ConnectionCutter("test", owners, hivemq, scheduler, Duration.ofSeconds(1), 30);

        patient.cut(connection, REVOKED);
        final List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            delays.addAll(scheduler.delays());
            scheduler.runAll();
        }

        assertThat(delays)
                .containsExactly(
                        Duration.ofNanos(62_500_000),
                        Duration.ofMillis(125),
                        Duration.ofMillis(250),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1));
        assertThat(patient.patience()).isEqualTo(Duration.ofMillis(26_937).plusNanos(500_000));
    }
}
