package dev.certguard.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import dev.certguard.testing.SdkFakes;
import dev.certguard.testing.TestCertificates;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionListenerTest {

    private static final ConnectionInformation TLS = SdkFakes.connection("tls", null);

    private final ClientIdOwnership owners = new ClientIdOwnership();
    private final List<String> events = new ArrayList<>();
    private final ConnectionObserver<String> observer = new ConnectionObserver<>() {
        @Override
        public String authenticated(final Connection connection) {
            events.add("authenticated " + connection.clientId());
            return "record of " + connection.clientId();
        }

        @Override
        public void ended(final Connection connection, final String record) {
            events.add("ended " + record + (connection.ended() ? " (marked ended)" : ""));
        }
    };

    @Test
    void connect_authenticate_disconnect_counts_the_client_id_and_hands_the_connection_to_the_observer() {
        final ConnectionListener<String> listener = new ConnectionListener<>(owners, observer);

        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("a:b/c", null), TLS));
        assertThat(owners.isSoleOwner("a:b/c"))
                .as("a CONNECT in progress owns nothing yet")
                .isFalse();
        listener.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("a:b/c", TLS));
        assertThat(owners.isSoleOwner("a:b/c")).isTrue();
        listener.onDisconnect(SdkFakes.disconnect("a:b/c", TLS));

        assertThat(events).containsExactly("authenticated a:b/c", "ended record of a:b/c (marked ended)");
        assertThat(owners.clientIds()).isZero();
    }

    @Test
    void connect_that_never_authenticates_leaves_nothing_behind() {
        final ConnectionListener<String> listener = new ConnectionListener<>(owners, observer);

        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("x", null), TLS));
        listener.onDisconnect(SdkFakes.disconnect("x", TLS));

        assertThat(events).isEmpty();
        assertThat(owners.clientIds()).isZero();
    }

    @Test
    void second_connect_with_the_same_client_id_makes_the_first_no_longer_sole_owner_until_it_settles() {
        final ConnectionListener<String> first = new ConnectionListener<>(owners, observer);
        final ConnectionListener<String> second = new ConnectionListener<>(owners, observer);
        first.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("same", null), TLS));
        first.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("same", TLS));

        second.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("same", null), TLS));
        assertThat(owners.isSoleOwner("same")).as("takeover in progress").isFalse();
        second.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("same", TLS));
        assertThat(owners.isSoleOwner("same")).as("two authenticated").isFalse();
        first.onDisconnect(SdkFakes.disconnect("same", TLS));

        assertThat(owners.isSoleOwner("same")).as("the later connection alone").isTrue();
        second.onDisconnect(SdkFakes.disconnect("same", TLS));
        assertThat(owners.clientIds()).isZero();
    }

    @Test
    void a_repeated_disconnect_event_ends_the_connection_once() {
        final ConnectionListener<String> listener = new ConnectionListener<>(owners, observer);
        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("c", null), TLS));
        listener.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("c", TLS));

        listener.onDisconnect(SdkFakes.disconnect("c", TLS));
        listener.onDisconnect(SdkFakes.disconnect("c", TLS));

        assertThat(events).containsExactly("authenticated c", "ended record of c (marked ended)");
    }

    @Test
    void reconnects_are_told_apart_by_the_certificate_they_present() {
        final X509Certificate device = TestCertificates.certificate("CN=t:d");
        final X509Certificate reissued = TestCertificates.certificate("CN=t:d");
        final ConnectionInformation deviceTls = SdkFakes.connection("tls", new X509Certificate[] {device});
        final ConnectionListener<String> connected = new ConnectionListener<>(owners, observer);
        connected.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("t:d", null), deviceTls));
        connected.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("t:d", deviceTls));

        new ConnectionListener<>(owners, observer)
                .onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("t:d", null), deviceTls));
        assertThat(owners.usedOnlyBy("t:d", device))
                .as("a reconnect with the same certificate")
                .isTrue();
        assertThat(owners.isSoleOwner("t:d")).isFalse();

        new ConnectionListener<>(owners, observer)
                .onMqttConnectionStart(SdkFakes.connectionStart(
                        SdkFakes.connect("t:d", null), SdkFakes.connection("tls", new X509Certificate[] {reissued})));
        assertThat(owners.usedOnlyBy("t:d", device))
                .as("a CONNECT with a re-issued certificate of the same identity")
                .isFalse();
    }

    @Test
    void a_refused_connect_is_uncounted_with_the_certificate_it_started_with() {
        final X509Certificate device = TestCertificates.certificate("CN=t:d");
        final X509Certificate other = TestCertificates.certificate("CN=t:d");
        final ConnectionInformation deviceTls = SdkFakes.connection("tls", new X509Certificate[] {device});
        final ConnectionListener<String> connected = new ConnectionListener<>(owners, observer);
        connected.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("t:d", null), deviceTls));
        connected.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("t:d", deviceTls));
        final ConnectionListener<String> refused = new ConnectionListener<>(owners, observer);
        refused.onMqttConnectionStart(SdkFakes.connectionStart(
                SdkFakes.connect("t:d", null), SdkFakes.connection("tls", new X509Certificate[] {other})));
        assertThat(owners.usedOnlyBy("t:d", device)).isFalse();

        // HiveMQ's disconnect event need not carry the certificate again.
        refused.onDisconnect(SdkFakes.disconnect("t:d", TLS));

        assertThat(owners.usedOnlyBy("t:d", device))
                .as("once the other certificate's CONNECT is gone")
                .isTrue();
        connected.onDisconnect(SdkFakes.disconnect("t:d", TLS));
        assertThat(owners.clientIds()).isZero();
    }
}
