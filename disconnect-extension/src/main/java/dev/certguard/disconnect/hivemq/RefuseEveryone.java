package dev.certguard.disconnect.hivemq;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionObserver;
import dev.certguard.reason.Reason;
import java.time.Duration;

/**
 * What disconnect-extension does while its configuration is invalid: no connection may run without
 * its lifetime, so everyone is refused. Its authenticator refuses CONNECTs when it is the only one;
 * but an extension with higher priority (acl-extension) may authenticate clients first, so an
 * authorizer also refuses every PUBLISH (HiveMQ checks will messages with it at CONNECT, so no will
 * gets out either) and every SUBSCRIBE, and every client that authenticates is disconnected right
 * after its CONNACK through the shared cutter (retried until HiveMQ has registered it). Stateless;
 * thread-safe.
 */
public final class RefuseEveryone implements PublishAuthorizer, SubscriptionAuthorizer, ConnectionObserver<Void> {

    static final String REASON =
            "disconnect-extension configuration is invalid; the broker accepts no clients until it is fixed";
    /** Not counted or audited by this extension: the broker's log and its status gauge say why. */
    private static final String NAME = null;

    private static final String WHEN =
            "Every CONNECT while the configuration is invalid since start (a bad edit of a running broker"
                    + " keeps the last good configuration instead).";

    public static final Reason CONNACK = Reason.connack(ConnackReasonCode.SERVER_UNAVAILABLE, NAME, REASON, WHEN);
    public static final Reason PUBLISH = Reason.puback(
            AckReasonCode.NOT_AUTHORIZED,
            NAME,
            REASON,
            "Every PUBLISH, when another extension authenticated the client first (a will is refused at"
                    + " CONNECT).");
    public static final Reason SUBSCRIBE = Reason.suback(
            SubackReasonCode.NOT_AUTHORIZED,
            NAME,
            REASON,
            "Every subscription, when another extension authenticated the client first.");
    public static final Reason DISCONNECT = Reason.disconnect(
            DisconnectReasonCode.NOT_AUTHORIZED,
            NAME,
            REASON,
            "Right after its CONNACK, every client another extension authenticated.");
    /** Lets the CONNACK go out first, so the client reads a DISCONNECT with the reason, not a protocol error. */
    static final Duration FIRST_CUT_DELAY = Duration.ofMillis(250);

    private static final ConnectionCutter.Cut CUT = new ConnectionCutter.Cut(DISCONNECT, DISCONNECT.text(), true);

    private final @NotNull ConnectionCutter cutter;
    private final @NotNull ConnectionCutter.Scheduler scheduler;

    public RefuseEveryone(final @NotNull ConnectionCutter cutter, final @NotNull ConnectionCutter.Scheduler scheduler) {
        this.cutter = cutter;
        this.scheduler = scheduler;
    }

    public @NotNull SimpleAuthenticator authenticator() {
        return (input, output) -> output.failAuthentication(CONNACK.connackCode(), CONNACK.text());
    }

    @Override
    public void authorizePublish(
            final @NotNull PublishAuthorizerInput input, final @NotNull PublishAuthorizerOutput output) {
        output.failAuthorization(PUBLISH.ackCode(), PUBLISH.text());
    }

    @Override
    public void authorizeSubscribe(
            final @NotNull SubscriptionAuthorizerInput input, final @NotNull SubscriptionAuthorizerOutput output) {
        output.failAuthorization(SUBSCRIBE.subackCode(), SUBSCRIBE.text());
    }

    /** Every connection another extension authenticated is cut, a moment after its CONNACK. */
    @Override
    public @Nullable Void authenticated(final @NotNull Connection connection) {
        scheduler.schedule(() -> cutter.cut(connection, CUT), FIRST_CUT_DELAY);
        return null;
    }

    @Override
    public void ended(final @NotNull Connection connection, final @Nullable Void record) {}
}
