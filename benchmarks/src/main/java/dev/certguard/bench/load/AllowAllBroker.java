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

    private AllowAllBroker() {}

    public static void main(final String[] args) throws Exception {
        final Path home = Path.of(args[0]);
        // The same TLS providers as the launcher gives certguard (and the same switch), so a comparison
        // measures the extensions, not the crypto.
        System.out.println(dev.certguard.crypto.NativeCrypto.install(dev.certguard.crypto.NativeCrypto.wantedHere()));
        // Diagnostic variants, each adding one ingredient of certguard to the baseline:
        // "suback" gives every client an outbound SUBACK interceptor through a ClientInitializer,
        // "permissions" hands out certguard-shaped default permissions (DENY default, 4 entries).
        final String variant = args.length > 1 ? args[1] : "plain";
        final ExtensionMain allowAll = new ExtensionMain() {
            @Override
            public void extensionStart(
                    final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
                final SimpleAuthenticator authenticator = (authInput, authOutput) -> {
                    if (variant.equals("permissions")) {
                        final String id = authInput.getConnectPacket().getClientId();
                        for (final String filter : id.equals("v2k-bridge")
                                ? java.util.List.of("+/attrs")
                                : java.util.List.of(id + "/attrs")) {
                            authOutput
                                    .getDefaultPermissions()
                                    .add(com.hivemq.extension.sdk.api.services.builder.Builders.topicPermission()
                                            .topicFilter(filter + "/+/#")
                                            .type(
                                                    com.hivemq.extension.sdk.api.auth.parameter.TopicPermission
                                                            .PermissionType.DENY)
                                            .build());
                            authOutput
                                    .getDefaultPermissions()
                                    .add(com.hivemq.extension.sdk.api.services.builder.Builders.topicPermission()
                                            .topicFilter(filter)
                                            .build());
                        }
                        authOutput.getDefaultPermissions().setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
                    } else {
                        authOutput.getDefaultPermissions().setDefaultBehaviour(DefaultAuthorizationBehaviour.ALLOW);
                    }
                    authOutput.authenticateSuccessfully();
                };
                Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
                if (variant.equals("suback")) {
                    final com.hivemq.extension.sdk.api.interceptor.suback.SubackOutboundInterceptor noop =
                            (in, out) -> {};
                    Services.initializerRegistry()
                            .setClientInitializer((initInput, context) -> context.addSubackOutboundInterceptor(noop));
                }
            }

            @Override
            public void extensionStop(
                    final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {}
        };
        // "folder": no embedded extension at all, only the home's folder extensions (bisecting certguard).
        final var builder = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(home.resolve("conf"))
                .withDataFolder(home.resolve("data"))
                .withExtensionsFolder(home.resolve("extensions"));
        if (!variant.equals("folder")) {
            builder.withEmbeddedExtension(EmbeddedExtension.builder()
                    .withId("allow-all")
                    .withName("allow-all")
                    .withVersion("1")
                    .withPriority(1)
                    .withStartPriority(1000)
                    .withExtensionMain(allowAll)
                    .build());
        }
        final EmbeddedHiveMQ hivemq = builder.build();
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
