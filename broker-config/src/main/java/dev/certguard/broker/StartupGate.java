package dev.certguard.broker;

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

/**
 * The launcher's own embedded extension. Its authenticator runs before every certguard one and
 * refuses all clients until the launcher has verified that every certguard extension is running;
 * after that it passes each CONNECT on. Because it always exists, embedded HiveMQ never falls back
 * to allowing clients for lack of an authenticator: if the certguard extensions were missing, the
 * chain would end with nobody left to decide, which HiveMQ treats as a refusal.
 * Thread-safe: the gate is a volatile flag.
 */
public final class StartupGate implements ExtensionMain {

    static final int PRIORITY = 1_000_000;

    private volatile boolean open;

    void open() {
        open = true;
    }

    EmbeddedExtension asEmbeddedExtension() {
        return EmbeddedExtension.builder()
                .withId("certguard-startup-gate")
                .withName("certguard startup gate")
                .withVersion("1")
                .withPriority(PRIORITY)
                .withStartPriority(PRIORITY)
                .withExtensionMain(this)
                .build();
    }

    @Override
    public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
        final SimpleAuthenticator authenticator = (authInput, authOutput) -> {
            if (open) {
                authOutput.nextExtensionOrDefault();
            } else {
                authOutput.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, "broker is starting");
            }
        };
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
    }

    @Override
    public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {
        open = false;
    }
}
