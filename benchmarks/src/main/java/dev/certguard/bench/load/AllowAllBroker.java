package dev.certguard.bench.load;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The baseline: the same embedded HiveMQ and TLS listener as the secure broker, with an allow-all
 * extension (authenticates everyone, permits everything) instead of certguard.
 * Usage: {@code AllowAllBroker HOME}.
 */
public final class AllowAllBroker {

    private AllowAllBroker() {
    }

    public static void main(final String[] args) throws Exception {
        final Path home = Path.of(args[0]);
        final ExtensionMain allowAll = new ExtensionMain() {
            @Override
            public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
                final SimpleAuthenticator authenticator = (authInput, authOutput) -> {
                    authOutput.getDefaultPermissions().setDefaultBehaviour(DefaultAuthorizationBehaviour.ALLOW);
                    authOutput.authenticateSuccessfully();
                };
                Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
            }

            @Override
            public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {
            }
        };
        final EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(home.resolve("conf"))
                .withDataFolder(home.resolve("data"))
                .withExtensionsFolder(home.resolve("extensions"))
                .withEmbeddedExtension(EmbeddedExtension.builder().withId("allow-all").withName("allow-all").withVersion("1")
                        .withPriority(1000).withStartPriority(1000).withExtensionMain(allowAll).build())
                .build();
        hivemq.start().get();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                hivemq.close();
            } catch (final Exception ignored) {
                // stopping anyway
            }
            stopped.countDown();
        }));
        System.out.println("allow-all broker ready");
        System.out.flush();
        stopped.await();
    }
}
