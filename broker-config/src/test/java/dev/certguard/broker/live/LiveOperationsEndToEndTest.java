package dev.certguard.broker.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.certguard.broker.BrokerHome;
import dev.certguard.broker.disconnect.Disconnects;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.pki.CertificateAuthority;
import dev.certguard.pki.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged extensions on a running broker while the operator denies devices, edits the deny list
 * badly or deletes it, shortens the connection lifetime, and adds a CA with its CRL: every change
 * applies within seconds without a restart, and a revoked or denied device's session is removed.
 */
class LiveOperationsEndToEndTest {

    private static final String CRL = "dev.certguard.crl-extension.";
    private static final String LONG_LIFETIME =
            """
            <disconnect-extension>
                <max-connection-lifetime-seconds>3600</max-connection-lifetime-seconds>
                <jitter-percent>0</jitter-percent>
            </disconnect-extension>
            """;

    @TempDir
    static Path dir;

    static TestPki pki;
    static CertificateAuthority intermediate;
    static Path denyList;

    @AutoClose
    static TestBroker broker;

    private static String crlConfig(final Path bundle, final String extraSource) {
        return """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources><crl-source>%s</crl-source>%s</crl-sources>
                    <refresh-interval-seconds>1</refresh-interval-seconds>
                    <deny-list>conf/deny-list.txt</deny-list>
                </crl-extension>
                """
                .formatted(bundle, pki.devPki().crlPem(), extraSource);
    }

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        intermediate = pki.authority()
                .issueIntermediate("certguard live intermediate", Instant.now().plus(Duration.ofDays(1)));
        final TestBroker.Builder builder = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "acl-extension",
                        """
                        <acl-extension><services>
                            <service><identity>k2v-bridge</identity><publish>+/config</publish></service>
                        </services></acl-extension>""")
                .extensionConfig("disconnect-extension", LONG_LIFETIME)
                .extensionConfig("crl-extension", crlConfig(pki.devPki().caCertificate(), ""));
        final BrokerHome home = builder.prepare();
        denyList = home.extension("crl-extension").resolve("conf").resolve("deny-list.txt");
        Files.writeString(denyList, "# certguard deny list\n");
        broker = builder.start(home);
    }

    @BeforeEach
    void nobodyDenied() throws Exception {
        deny("# certguard deny list\n");
    }

    /** Writes the deny list in place and waits until crl-extension has read it. */
    private static Duration deny(final String content) throws Exception {
        if (Files.exists(denyList) && Files.readString(denyList).equals(content)) {
            return Duration.ZERO;
        }
        final long before = broker.counter(CRL + "deny-list.reload.successes");
        final Instant at = Instant.now();
        Files.writeString(denyList, content);
        return LiveFiles.awaitCounter(broker, CRL + "deny-list.reload.successes", before, Duration.ofSeconds(3), at);
    }

    private static Mqtt5ConnAckException refusal(final Credentials credentials, final String clientId) {
        return catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(credentials, clientId)
                .connect());
    }

    @Test
    void denying_an_identity_cuts_it_within_2_seconds_removes_its_session_and_refuses_it_until_the_line_goes()
            throws Exception {
        final Credentials victim = pki.client("admin:victim");
        final Mqtt5BlockingClient persistent = broker.mqtt5(victim, "victim");
        persistent.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        persistent
                .subscribeWith()
                .topicFilter("admin:victim/config")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        final var watched = Disconnects.mqtt5(broker, victim, "victim-watched");
        final var bystander = Disconnects.mqtt5(broker, pki.client("admin:bystander"), "bystander");

        final Instant denied = Instant.now();
        Files.writeString(denyList, "identity:admin:victim   # lost in the field\n");

        final Disconnects.Ended ended = watched.awaitEnd(Duration.ofSeconds(5));
        assertThat(Duration.between(denied, Instant.now())).isLessThan(Duration.ofSeconds(2));
        assertThat(ended.reasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        assertThat(ended.reasonString()).isEqualTo("certificate denied by operator");
        final long cutDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (persistent.getState().isConnected() && System.nanoTime() < cutDeadline) {
            Thread.sleep(20);
        }
        assertThat(persistent.getState().isConnected()).isFalse();
        final Mqtt5ConnAckException refused = refusal(victim, "victim-again");
        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refused.getMqttMessage().getReasonString())
                .get()
                .asString()
                .isEqualTo("certificate denied by operator");
        assertThat(bystander.endedYet()).isFalse();
        assertThat(broker.gauge(CRL + "deny-list.entries")).isEqualTo(1L);
        assertThat(broker.counter(CRL + "deny-list.disconnects")).isGreaterThanOrEqualTo(2);
        assertThat(broker.counter(CRL + "connect.rejected.denied")).isGreaterThanOrEqualTo(1);

        Thread.sleep(500); // the session purge follows the cut
        final Mqtt5BlockingClient bridge = broker.mqtt5(pki.client("k2v-bridge"), "k2v-bridge");
        bridge.connect();
        bridge.publishWith()
                .topic("admin:victim/config")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("meant for the lost device".getBytes())
                .send();

        final Duration took = deny("# certguard deny list\n");
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        final Mqtt5BlockingClient back = broker.mqtt5(victim, "victim");
        final var publishes = back.publishes(MqttGlobalPublishFilter.ALL);
        assertThat(back.connectWith()
                        .cleanStart(false)
                        .sessionExpiryInterval(3600)
                        .send()
                        .isSessionPresent())
                .as("the denied device's session was removed")
                .isFalse();
        assertThat(publishes.receive(1000, TimeUnit.MILLISECONDS))
                .as("nothing queued for the lost device")
                .isEmpty();
        back.disconnect();
        bridge.disconnect();
        bystander.client().disconnect();
    }

    @Test
    void a_bad_line_changes_nothing_and_deleting_the_file_keeps_the_last_good_list() throws Exception {
        final Credentials lost = pki.client("admin:lost");
        final Credentials spare = pki.client("admin:spare");
        deny("sha256:" + colons(lost.sha256()).toUpperCase() + "\n");
        assertThat(refusal(lost, "lost")).isNotNull();

        final long failures = broker.counter(CRL + "deny-list.reload.failures");
        final Instant at = Instant.now();
        Files.writeString(denyList, "identity:admin:spare\nthis line is not an entry\n");
        LiveFiles.awaitCounter(broker, CRL + "deny-list.reload.failures", failures, Duration.ofSeconds(3), at);
        assertThat(refusal(lost, "lost")).as("the last good list stays").isNotNull();
        final Mqtt5BlockingClient spareClient = broker.mqtt5(spare, "spare");
        spareClient.connect();
        spareClient.disconnect();

        Files.delete(denyList);
        LiveFiles.awaitCounter(broker, CRL + "deny-list.reload.failures", failures + 1, Duration.ofSeconds(3), at);
        assertThat(refusal(lost, "lost"))
                .as("an accidental rm un-denies nobody")
                .isNotNull();

        deny("");
        final Mqtt5BlockingClient again = broker.mqtt5(lost, "lost");
        again.connect();
        again.disconnect();
    }

    @Test
    void shortening_the_lifetime_cuts_connections_already_older_than_the_new_limit() throws Exception {
        final var connected = Disconnects.mqtt5(broker, pki.client("admin:long-lived"), "long-lived");
        Thread.sleep(1500);

        LiveFiles.reconfigure(broker, "disconnect-extension", LONG_LIFETIME.replace(">3600<", ">3<"), false);

        final Disconnects.Ended ended = connected.awaitEnd(Duration.ofSeconds(6));
        assertThat(ended.reasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.MAXIMUM_CONNECT_TIME);
        assertThat(ended.reasonString()).contains("maximum connection lifetime of 3 s");
        assertThat(ended.after())
                .as("3 s after its CONNECT, not after the edit")
                .isLessThan(Duration.ofMillis(4500));
        LiveFiles.reconfigure(broker, "disconnect-extension", LONG_LIFETIME, true);
        final var later = Disconnects.mqtt5(broker, pki.client("admin:long-lived"), "later");
        Thread.sleep(4000);
        assertThat(later.endedYet())
                .as("the lifetime is long again for new connections")
                .isFalse();
        later.client().disconnect();
    }

    @Test
    void a_ca_and_its_crl_source_added_to_the_configuration_apply_at_once() throws Exception {
        final Credentials below = pki.clientUnder(intermediate, "admin:below");
        assertThat(refusal(below, "below").getMqttMessage().getReasonString())
                .get()
                .asString()
                .isEqualTo("certificate issuer unknown");

        final Path bundle = dir.resolve("bundle.pem");
        PemFiles.writeCertificates(bundle, true, pki.authority().certificate(), intermediate.certificate());
        final Path intermediateCrl = dir.resolve("intermediate-crl.pem");
        TestPki.writeEmptyCrl(intermediate, intermediateCrl, dir.resolve("intermediate-crl.der"));
        final Path crlFile = LiveFiles.config(broker, "crl-extension");
        final String before = Files.readString(crlFile);
        LiveFiles.reconfigure(
                broker,
                "crl-extension",
                crlConfig(bundle, "<crl-source>" + dir.resolve("intermediate-crl.der") + "</crl-source>"),
                true);

        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Mqtt5ConnAckException refused;
        do {
            refused = refusal(below, "below");
        } while (refused != null && System.nanoTime() < deadline);
        assertThat(refused)
                .as("the device under the new CA connects once its CRL is loaded")
                .isNull();
        LiveFiles.reconfigure(broker, "crl-extension", before, false);
    }

    private static String colons(final String hex) {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            out.append(i == 0 ? "" : ":").append(hex, i, i + 2);
        }
        return out.toString();
    }
}
