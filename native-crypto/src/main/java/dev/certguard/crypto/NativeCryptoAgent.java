package dev.certguard.crypto;

import java.lang.instrument.Instrumentation;

/**
 * Native crypto for a HiveMQ started by its own start script ({@code java $JAVA_OPTS -jar
 * hivemq.jar}), where nothing can be added to the class path: {@code
 * -javaagent:/path/certguard-native-crypto.jar} runs this before HiveMQ's {@code main}, the agent
 * jar's manifest brings the native provider's jar (beside it) onto the class path, and the providers
 * are in place before HiveMQ builds any TLS context. The agent transforms no class. {@code =off} (or
 * {@code CERTGUARD_NATIVE_CRYPTO=off}) leaves the JDK's providers alone. Stateless.
 */
public final class NativeCryptoAgent {

    private NativeCryptoAgent() {}

    public static void premain(final String arguments, final Instrumentation instrumentation) {
        final boolean wanted = NativeCrypto.wantedHere() && !"off".equalsIgnoreCase(arguments);
        System.out.println(NativeCrypto.install(wanted));
    }
}
