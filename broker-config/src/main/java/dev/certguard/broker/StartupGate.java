package dev.certguard.broker;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.certguard.reason.Reason;
import dev.certguard.text.SafeLog;
import java.util.List;
import java.util.function.Function;

/**
 * The launcher's own embedded extension, started <em>last</em> (lowest start priority): HiveMQ starts
 * extensions one after another by start priority and binds its listeners only after all of them have
 * started, so when this runs every certguard extension has either reported itself running or not.
 * If all did, the gate registers nothing and costs nothing per CONNECT. If one did not, it registers
 * an authenticator, ahead of every certguard one, that refuses every client with the reason, until
 * the launcher has stopped the broker. Relies on HiveMQ's start order and on listeners binding after
 * extension start (HiveMQInstance.start); {@code StartupFailureTest} pins both.
 * Thread-safe: the decision is made once, in extension start.
 */
public final class StartupGate implements ExtensionMain {

    /** What every client gets while the gate refuses: which extensions are not serving, never why. */
    public static final Reason NOT_SERVING = Reason.connack(
            ConnackReasonCode.SERVER_UNAVAILABLE,
            null,
            "certguard is not serving: {extensions} (the broker's log says why)",
            "The launcher's startup gate: an extension folder is missing or disabled, or an extension"
                    + " failed to start or reports its configuration invalid; the broker stops, and any"
                    + " client that connects before it has stopped is refused.");

    private static final SafeLog log = SafeLog.of(StartupGate.class);
    static final int PRIORITY = 1_000_000;
    static final int START_PRIORITY = Integer.MIN_VALUE;

    private final @NotNull Function<MetricRegistry, List<String>> problems;
    private volatile boolean refusing;

    /** @param problems what keeps certguard from serving, read from the broker's metric registry */
    StartupGate(final @NotNull Function<MetricRegistry, List<String>> problems) {
        this.problems = problems;
    }

    EmbeddedExtension asEmbeddedExtension() {
        return EmbeddedExtension.builder()
                .withId("certguard-startup-gate")
                .withName("certguard startup gate")
                .withVersion("1")
                .withPriority(PRIORITY)
                .withStartPriority(START_PRIORITY)
                .withExtensionMain(this)
                .build();
    }

    /** Whether the gate registered its refusing authenticator (some extension is not serving). */
    boolean refusing() {
        return refusing;
    }

    @Override
    public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
        final List<String> found = problems.apply(Services.metricRegistry());
        if (found.isEmpty()) {
            return;
        }
        refusing = true;
        // Clients learn which extension is not serving, never why: the why can quote configuration.
        final String reason = NOT_SERVING.text(extensions(found));
        log.error("certguard startup gate refuses every client: {}", String.join("; ", found));
        final SimpleAuthenticator refuse =
                (authInput, authOutput) -> authOutput.failAuthentication(NOT_SERVING.connackCode(), reason);
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> refuse);
    }

    /** The extension each problem names ({@code <id>: ...}), in order, once each. */
    static String extensions(final List<String> problems) {
        final java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        for (final String problem : problems) {
            final int colon = problem.indexOf(':');
            final String id = colon > 0 ? problem.substring(0, colon) : problem;
            ids.add(id.matches("[a-z0-9-]{1,64}") ? id : "certguard");
        }
        return String.join(", ", ids);
    }

    @Override
    public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {}
}
