package dev.certguard.acl.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionObserver;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.testing.TestCertificates;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedCertificatesTest {

    private static final X509Certificate CLONED = TestCertificates.certificate("CN=admin:clone");
    private static final String FINGERPRINT = CertificateIdentity.sha256Fingerprint(CLONED);
    private static final String CLIENT_ID = "admin:clone/c";

    private final FleetFindingsTest.MovingClock clock = new FleetFindingsTest.MovingClock();
    private final FleetFindings findings = new FleetFindings(clock, finding -> {});
    private final List<Connection> cut = new ArrayList<>();
    private final SharedCertificates shared = new SharedCertificates(clock, findings, cut::add);
    private final ConnectionObserver<Void> observer = shared.observing(new ConnectionObserver<>() {
        @Override
        public Void authenticated(final Connection connection) {
            return null;
        }

        @Override
        public void ended(final Connection connection, final Void record) {}
    });
    private Connection live;

    private static InetAddress address(final String text) throws Exception {
        return InetAddress.getByName(text);
    }

    /** A CONNECT as HiveMQ runs it: judged, then (if admitted) it takes the live connection over. */
    private SharedCertificates.Verdict connect(final FleetAuditConfig config, final String clientId, final String from)
            throws Exception {
        final SharedCertificates.Verdict verdict =
                shared.connecting(config, "admin:clone", FINGERPRINT, clientId, address(from));
        if (verdict == SharedCertificates.Verdict.ADMIT) {
            final Connection next = new Connection(clientId, new X509Certificate[] {CLONED}, "tls", address(from));
            observer.authenticated(next);
            if (live != null && live.clientId().equals(clientId)) {
                observer.ended(live, null);
            }
            live = next;
        }
        clock.advance(Duration.ofSeconds(5));
        return verdict;
    }

    private static FleetAuditConfig config(final FleetAuditConfig.Action onShared) {
        return new FleetAuditConfig(true, FleetAuditConfig.Action.REFUSE, 2048, 365, 3, 600, onShared, 60);
    }

    @Test
    void two_devices_taking_one_session_over_from_two_addresses_are_a_finding_at_the_third_takeover() throws Exception {
        final FleetAuditConfig warn = config(FleetAuditConfig.Action.WARN);
        connect(warn, CLIENT_ID, "127.0.0.2");
        connect(warn, CLIENT_ID, "127.0.0.3");
        connect(warn, CLIENT_ID, "127.0.0.2");
        assertThat(findings.open(Check.CERTIFICATE_SHARED)).as("two takeovers").isZero();

        assertThat(connect(warn, CLIENT_ID, "127.0.0.3")).isEqualTo(SharedCertificates.Verdict.ADMIT);

        assertThat(findings.open(Check.CERTIFICATE_SHARED)).isEqualTo(1);
        final Finding finding = findings.newestFirst(1).get(0);
        assertThat(finding.certificateSha256()).isEqualTo(FINGERPRINT);
        assertThat(finding.details())
                .isEqualTo("taken over 3 times within 600 s from addresses [127.0.0.2, 127.0.0.3]");
        assertThat(cut).as("warn cuts nothing").isEmpty();
    }

    @Test
    void a_thousand_reconnects_from_one_address_and_one_move_are_never_a_finding() throws Exception {
        final FleetAuditConfig refuse = config(FleetAuditConfig.Action.REFUSE);
        for (int i = 0; i < 1000; i++) {
            assertThat(connect(refuse, CLIENT_ID, "127.0.0.2")).isEqualTo(SharedCertificates.Verdict.ADMIT);
        }
        connect(refuse, CLIENT_ID, "127.0.0.9");
        for (int i = 0; i < 100; i++) {
            connect(refuse, CLIENT_ID, "127.0.0.9");
        }

        assertThat(findings.open(Check.CERTIFICATE_SHARED)).isZero();
        assertThat(shared.tracked()).as("one live connection, one entry").isEqualTo(1);
    }

    @Test
    void takeovers_spread_wider_than_the_window_are_not_a_finding() throws Exception {
        final FleetAuditConfig warn = config(FleetAuditConfig.Action.WARN);
        for (int i = 0; i < 10; i++) {
            connect(warn, CLIENT_ID, i % 2 == 0 ? "127.0.0.2" : "127.0.0.3");
            clock.advance(Duration.ofSeconds(400));
        }

        assertThat(findings.open(Check.CERTIFICATE_SHARED)).isZero();
    }

    @Test
    void clones_under_different_client_ids_are_found_when_an_address_comes_back_the_third_time() throws Exception {
        final FleetAuditConfig warn = config(FleetAuditConfig.Action.WARN);
        connect(warn, "admin:clone/one", "127.0.0.2");
        connect(warn, "admin:clone/two", "127.0.0.2");
        connect(warn, "admin:clone/three", "127.0.0.3");
        connect(warn, "admin:clone/four", "127.0.0.2");
        assertThat(findings.open(Check.CERTIFICATE_SHARED)).as("two overlaps").isZero();

        connect(warn, "admin:clone/five", "127.0.0.3");

        assertThat(findings.newestFirst(1).get(0).details())
                .isEqualTo("joined from another address while connected 3 times within 600 s from addresses"
                        + " [127.0.0.2, 127.0.0.3]");
    }

    @Test
    void a_device_roaming_through_new_addresses_with_its_old_connection_half_open_is_never_a_finding()
            throws Exception {
        final FleetAuditConfig refuse = config(FleetAuditConfig.Action.REFUSE);
        for (int i = 2; i < 12; i++) {
            assertThat(connect(refuse, CLIENT_ID, "10.0.0." + i)).isEqualTo(SharedCertificates.Verdict.ADMIT);
        }

        assertThat(findings.open(Check.CERTIFICATE_SHARED)).isZero();
    }

    @Test
    void ipv6_privacy_addresses_of_one_64_are_one_place() throws Exception {
        assertThat(SharedCertificates.site(address("2001:db8:1:2::a")))
                .isEqualTo(SharedCertificates.site(address("2001:db8:1:2:ffff::1")))
                .isNotEqualTo(SharedCertificates.site(address("2001:db8:1:3::a")));
        assertThat(SharedCertificates.site(address("192.0.2.1"))).isEqualTo("192.0.2.1");
    }

    @Test
    void refuse_quarantines_the_certificate_cuts_its_connections_and_lifts_after_quarantine_seconds() throws Exception {
        final FleetAuditConfig refuse = config(FleetAuditConfig.Action.REFUSE);
        connect(refuse, CLIENT_ID, "127.0.0.2");
        connect(refuse, CLIENT_ID, "127.0.0.3");
        connect(refuse, CLIENT_ID, "127.0.0.2");

        assertThat(connect(refuse, CLIENT_ID, "127.0.0.3")).isEqualTo(SharedCertificates.Verdict.REFUSE);
        assertThat(cut).containsExactly(live);
        observer.ended(live, null);
        assertThat(connect(refuse, CLIENT_ID, "127.0.0.2"))
                .as("quarantined: refused from anywhere")
                .isEqualTo(SharedCertificates.Verdict.REFUSE);
        assertThat(findings.newestFirst(1).get(0).count()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(61));
        assertThat(connect(refuse, CLIENT_ID, "127.0.0.2")).isEqualTo(SharedCertificates.Verdict.ADMIT);
    }

    @Test
    void a_clone_admitted_just_before_the_quarantine_began_is_cut_when_its_connection_arrives() throws Exception {
        final FleetAuditConfig refuse = config(FleetAuditConfig.Action.REFUSE);
        connect(refuse, CLIENT_ID, "127.0.0.2");
        connect(refuse, CLIENT_ID, "127.0.0.3");
        connect(refuse, CLIENT_ID, "127.0.0.2");
        // A clone behind the live one's address is admitted; HiveMQ has not yet reported it authenticated ...
        assertThat(shared.connecting(refuse, "admin:clone", FINGERPRINT, "admin:clone/late", address("127.0.0.2")))
                .isEqualTo(SharedCertificates.Verdict.ADMIT);
        // ... when the next takeover quarantines the certificate and cuts what is live.
        assertThat(connect(refuse, CLIENT_ID, "127.0.0.3")).isEqualTo(SharedCertificates.Verdict.REFUSE);
        assertThat(cut).containsExactly(live);

        final Connection late =
                new Connection("admin:clone/late", new X509Certificate[] {CLONED}, "tls", address("127.0.0.2"));
        observer.authenticated(late);

        assertThat(cut).as("the late clone goes with the rest").containsExactly(live, late);
    }

    @Test
    void a_connection_admitted_before_a_quarantine_that_has_ended_is_left_alone() throws Exception {
        final FleetAuditConfig refuse = config(FleetAuditConfig.Action.REFUSE);
        connect(refuse, CLIENT_ID, "127.0.0.2");
        connect(refuse, CLIENT_ID, "127.0.0.3");
        connect(refuse, CLIENT_ID, "127.0.0.2");
        connect(refuse, CLIENT_ID, "127.0.0.3");
        clock.advance(Duration.ofSeconds(61));
        cut.clear();

        observer.authenticated(
                new Connection("admin:clone/after", new X509Certificate[] {CLONED}, "tls", address("127.0.0.2")));

        assertThat(cut).isEmpty();
    }

    @Test
    void two_sessions_of_one_certificate_from_one_address_are_held_until_the_last_one_ends() throws Exception {
        final FleetAuditConfig warn = config(FleetAuditConfig.Action.WARN);
        connect(warn, "admin:clone/one", "127.0.0.2");
        final Connection first = live;
        connect(warn, "admin:clone/two", "127.0.0.2");

        observer.ended(first, null);
        assertThat(shared.isConnected(FINGERPRINT)).isTrue();
        assertThat(shared.tracked()).isEqualTo(1);
        observer.ended(live, null);

        assertThat(shared.isConnected(FINGERPRINT)).isFalse();
        assertThat(shared.tracked()).isZero();
        assertThat(findings.open(Check.CERTIFICATE_SHARED)).isZero();
    }

    @Test
    void entries_go_with_their_last_connection() throws Exception {
        final FleetAuditConfig warn = config(FleetAuditConfig.Action.WARN);
        connect(warn, CLIENT_ID, "127.0.0.2");
        observer.ended(live, null);

        assertThat(shared.tracked()).isZero();
    }
}
