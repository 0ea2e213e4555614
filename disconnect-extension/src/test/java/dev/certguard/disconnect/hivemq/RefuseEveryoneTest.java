package dev.certguard.disconnect.hivemq;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionListener;
import dev.certguard.testing.ManualScheduler;
import dev.certguard.testing.RecordingDisconnector;
import dev.certguard.testing.SdkFakes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RefuseEveryoneTest {

    private final ClientIdOwnership owners = new ClientIdOwnership();
    private final RecordingDisconnector hivemq = new RecordingDisconnector();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final RefuseEveryone refuse = new RefuseEveryone(
            new ConnectionCutter("disconnect-extension", owners, hivemq, scheduler, Duration.ofSeconds(1), 30),
            scheduler);

    @Test
    void connect_publish_subscribe_and_will_are_all_refused_with_the_reason() {
        final List<String> calls = new ArrayList<>();

        refuse.authenticator()
                .onConnect(
                        SdkFakes.fake(SimpleAuthInput.class, Map.of()),
                        SdkFakes.recorder(SimpleAuthOutput.class, Map.of(), calls));
        refuse.authorizePublish(
                SdkFakes.fake(PublishAuthorizerInput.class, Map.of()),
                SdkFakes.recorder(PublishAuthorizerOutput.class, Map.of(), calls));
        refuse.authorizeSubscribe(
                SdkFakes.fake(SubscriptionAuthorizerInput.class, Map.of()),
                SdkFakes.recorder(SubscriptionAuthorizerOutput.class, Map.of(), calls));

        assertThat(calls)
                .containsExactly(
                        "failAuthentication(SERVER_UNAVAILABLE, " + RefuseEveryone.REASON + ")",
                        "failAuthorization(NOT_AUTHORIZED, " + RefuseEveryone.REASON + ")",
                        "failAuthorization(NOT_AUTHORIZED, " + RefuseEveryone.REASON + ")");
    }

    @Test
    void connection_another_extension_authenticated_is_cut_after_its_connack() {
        final var tls = SdkFakes.connection("tls", null);
        final ConnectionListener<Void> listener = new ConnectionListener<>(owners, refuse);
        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("a:b/c", null), tls));
        listener.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("a:b/c", tls));

        assertThat(hivemq.disconnects())
                .as("not before the CONNACK had its moment")
                .isEmpty();
        scheduler.runAll();

        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DisconnectReasonCode.NOT_AUTHORIZED);
            assertThat(d.reason()).isEqualTo(RefuseEveryone.REASON);
            assertThat(d.preventWill()).isTrue();
        });
    }
}
