package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.crl.deny.DenyList;
import dev.certguard.testing.RecordingDisconnector;
import dev.certguard.testing.SdkFakes;
import dev.certguard.testing.TestCertificates;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's deny list applied to live connections, and the session purge that follows a cut. */
class LiveDenyListTest extends LiveRevocationFixture {

    private void deny(final String... lines) throws Exception {
        runtime.updateAndGet(current -> {
            try {
                return current.withDenyList(DenyList.parse(List.of(lines), "deny-list.txt"));
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
        live.sweep();
    }

    @Test
    void denying_an_identity_cuts_its_connections_with_0x87_and_removes_their_sessions_once_they_are_gone()
            throws Exception {
        final X509Certificate denied = device("admin:a1998e", 1);
        final var first = connect("admin:a1998e", denied);
        connect("admin:a1998e/sub", device("admin:a1998e", 2));
        connect("admin:other", device("admin:other", 3));

        deny("identity:admin:a1998e");

        assertThat(hivemq.disconnects())
                .extracting(RecordingDisconnector.Disconnect::clientId)
                .containsExactlyInAnyOrder("admin:a1998e", "admin:a1998e/sub");
        assertThat(hivemq.disconnects()).allSatisfy(d -> {
            assertThat(d.code()).isEqualTo(DisconnectReasonCode.NOT_AUTHORIZED);
            assertThat(d.reason()).isEqualTo("certificate denied by operator");
            assertThat(d.preventWill()).isTrue();
        });
        assertThat(purged)
                .as("nothing is purged while HiveMQ still holds the connection")
                .isEmpty();

        first.onDisconnect(SdkFakes.disconnect("admin:a1998e", SdkFakes.connection("tls", null)));
        scheduler.runAll();

        assertThat(purged).containsExactly("admin:a1998e");
        assertThat(registry.counter("dev.certguard.crl-extension.deny-list.disconnects")
                        .getCount())
                .isEqualTo(2);
    }

    @Test
    void a_session_taken_over_by_another_connection_after_the_cut_is_not_purged() throws Exception {
        final var victim = connect("admin:a1998e", device("admin:a1998e", 4));

        deny("sha256:" + dev.certguard.identity.CertificateIdentity.sha256Fingerprint(device("admin:x", 5)));
        assertThat(hivemq.disconnects())
                .as("another certificate's fingerprint denies nobody here")
                .isEmpty();
        deny("sha256:" + dev.certguard.identity.CertificateIdentity.sha256Fingerprint(victim.leaf()));
        assertThat(hivemq.disconnects()).hasSize(1);

        final X509Certificate reissued = device("admin:a1998e", 6);
        owners.connecting("admin:a1998e", reissued); // the device's new certificate reconnects at once
        owners.authenticated("admin:a1998e", reissued);
        victim.onDisconnect(SdkFakes.disconnect("admin:a1998e", SdkFakes.connection("tls", null)));
        scheduler.runAll();

        assertThat(purged).isEmpty();
    }

    @Test
    void the_cut_devices_own_reconnects_neither_postpone_its_cut_nor_save_its_session() throws Exception {
        final var victim = connect("admin:a1998e", device("admin:a1998e", 7));
        // The device keeps reconnecting with its client id; HiveMQ hands each CONNECT a freshly parsed copy.
        owners.connecting("admin:a1998e", TestCertificates.reparsed(victim.leaf()));
        owners.connecting("admin:a1998e", TestCertificates.reparsed(victim.leaf()));

        deny("identity:admin:a1998e");
        assertThat(hivemq.disconnects())
                .as("cut at once, whichever of its connections HiveMQ finds by the client id")
                .hasSize(1);

        victim.onDisconnect(SdkFakes.disconnect("admin:a1998e", SdkFakes.connection("tls", null)));
        scheduler.runAll();
        assertThat(purged)
                .as("while its refused CONNECTs are still being decided")
                .containsExactly("admin:a1998e");
    }

    @Test
    void a_connect_with_another_certificate_holds_the_purge_until_it_is_decided() throws Exception {
        final var victim = connect("admin:a1998e", device("admin:a1998e", 8));
        deny("sha256:" + dev.certguard.identity.CertificateIdentity.sha256Fingerprint(victim.leaf()));

        final X509Certificate reissued = device("admin:a1998e", 9);
        owners.connecting("admin:a1998e", reissued);
        victim.onDisconnect(SdkFakes.disconnect("admin:a1998e", SdkFakes.connection("tls", null)));
        scheduler.runAll();
        assertThat(purged)
                .as("not while the re-issued device may still take the session over")
                .isEmpty();
        owners.ended("admin:a1998e", false, reissued); // refused after all
        scheduler.runAll();

        assertThat(purged).containsExactly("admin:a1998e");
    }

    @Test
    void a_certificate_denied_before_its_connection_was_tracked_is_cut_when_tracking_starts() throws Exception {
        deny("identity:admin:late");

        connect("admin:late", device("admin:late", 6));

        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> assertThat(d.reason())
                .isEqualTo("certificate denied by operator"));
    }
}
