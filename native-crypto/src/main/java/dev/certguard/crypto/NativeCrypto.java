package dev.certguard.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.security.Security;
import java.util.Locale;
import java.util.Map;

/**
 * Native crypto for the TLS handshake: HiveMQ builds its TLS context on the JDK's own TLS (never
 * OpenSSL), and JSSE takes every primitive from the first provider that offers it, so the Amazon
 * Corretto Crypto Provider (AWS-LC, native) put first serves ECDSA and RSA signatures, ECDH, AES-GCM,
 * HMAC, SHA-2 and SecureRandom of every handshake, while the JDK's providers keep everything it lacks
 * (keystores, certificate paths, X448). It has no X25519, the key share clients send first, so
 * {@link X25519Provider} (BouncyCastle's RFC 7748 code, about 2.7 times the JDK's speed) comes
 * second. The native provider is installed only when its library loads on this platform and passes
 * its own self-test; otherwise the launcher says why and carries on with the JDK's providers (and the
 * X25519 one). Operators turn both off with {@code --no-native-crypto} or
 * {@code CERTGUARD_NATIVE_CRYPTO=off}. Stateless; installing is idempotent and thread-safe (the JDK's
 * provider list is).
 */
public final class NativeCrypto {

    /** Environment variable that turns native crypto off ({@code off}, {@code false}, {@code 0}). */
    public static final String SWITCH_ENV = "CERTGUARD_NATIVE_CRYPTO";

    /** Launcher option that turns native crypto off. */
    public static final String SWITCH_OPTION = "--no-native-crypto";

    private NativeCrypto() {}

    /** System property that turns native crypto off ({@code off}), for benchmarks' JDK-only twins. */
    public static final String SWITCH_PROPERTY = "certguard.native-crypto";

    /** Whether neither this process's environment nor {@value #SWITCH_PROPERTY} turns native crypto off. */
    public static boolean wantedHere() {
        return wanted(System.getenv()) && !"off".equalsIgnoreCase(System.getProperty(SWITCH_PROPERTY));
    }

    /** Whether the environment leaves native crypto on. */
    public static boolean wanted(final Map<String, String> environment) {
        final String value = environment.get(SWITCH_ENV);
        return value == null
                || !(value.equalsIgnoreCase("off") || value.equalsIgnoreCase("false") || value.equals("0"));
    }

    /**
     * Puts the provider first when {@code wanted} and its native part is healthy.
     *
     * @return the line the launcher prints: which provider serves the handshake, or why not native
     */
    public static String install(final boolean wanted) {
        if (!wanted) {
            return "certguard: TLS crypto: the JDK's providers (native crypto turned off)";
        }
        first(new X25519Provider());
        final String unusable = problem();
        if (unusable != null) {
            return "certguard: TLS crypto: " + X25519Provider.NAME + " for X25519, then the JDK's providers; the Amazon"
                    + " Corretto Crypto Provider is not usable on " + platform() + " (" + unusable + ")";
        }
        first(AmazonCorrettoCryptoProvider.INSTANCE);
        return "certguard: TLS crypto: " + describe(Security.getProviders()[0]) + " first (native AWS-LC), "
                + X25519Provider.NAME + " for X25519, then the JDK's providers; " + SWITCH_OPTION + " or "
                + SWITCH_ENV + "=off turns it off";
    }

    /** Puts {@code provider} first, once. */
    private static void first(final Provider provider) {
        final Provider[] installed = Security.getProviders();
        if (installed.length == 0 || !installed[0].getName().equals(provider.getName())) {
            Security.removeProvider(provider.getName());
            Security.insertProviderAt(provider, 1);
        }
    }

    /** Why the native provider cannot serve here, or {@code null} when it can. */
    private static String problem() {
        try {
            final Throwable loading = AmazonCorrettoCryptoProvider.INSTANCE.getLoadingError();
            if (loading != null) {
                return "its native library did not load: " + loading;
            }
            AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
            return null;
        } catch (final LinkageError e) {
            return "it is not on the class path: " + e;
        } catch (final RuntimeException e) {
            return "its self-test failed: " + e;
        }
    }

    private static String describe(final Provider provider) {
        return provider.getName() + " " + provider.getVersionStr();
    }

    private static String platform() {
        return System.getProperty("os.name").toLowerCase(Locale.ROOT) + "-" + System.getProperty("os.arch");
    }
}
