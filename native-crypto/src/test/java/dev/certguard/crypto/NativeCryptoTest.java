package dev.certguard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Security;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class NativeCryptoTest {

    @Test
    void every_test_jvm_runs_with_native_crypto_first_as_the_launcher_runs_the_broker() {
        assertThat(Security.getProviders()[0].getName())
                .as("the build's argLine puts native-crypto.security in force")
                .isEqualTo("AmazonCorrettoCryptoProvider");
    }

    @Test
    void installing_again_keeps_one_native_provider_first_and_says_which_serves() throws Exception {
        final String line = NativeCrypto.install(true);

        assertThat(line).startsWith("certguard: TLS crypto: AmazonCorrettoCryptoProvider 2.");
        assertThat(Security.getProviders()[0].getName()).isEqualTo("AmazonCorrettoCryptoProvider");
        assertThat(Security.getProviders()[1].getName()).isEqualTo("CertguardX25519");
        assertThat(javax.crypto.KeyAgreement.getInstance("X25519").getProvider().getName())
                .isEqualTo("CertguardX25519");
        assertThat(java.util.Arrays.stream(Security.getProviders())
                        .filter(p -> p.getName().equals("AmazonCorrettoCryptoProvider"))
                        .count())
                .isEqualTo(1);
        assertThat(SSLContext.getInstance("TLS").getProvider().getName())
                .as("TLS itself stays the JDK's: HiveMQ builds its context on it")
                .isEqualTo("SunJSSE");
    }

    @Test
    void the_switch_turns_it_off_and_the_launcher_says_so() {
        assertThat(NativeCrypto.wanted(Map.of())).isTrue();
        assertThat(NativeCrypto.wanted(Map.of(NativeCrypto.SWITCH_ENV, "on"))).isTrue();
        assertThat(NativeCrypto.wanted(Map.of(NativeCrypto.SWITCH_ENV, "off"))).isFalse();
        assertThat(NativeCrypto.wanted(Map.of(NativeCrypto.SWITCH_ENV, "FALSE")))
                .isFalse();
        assertThat(NativeCrypto.wanted(Map.of(NativeCrypto.SWITCH_ENV, "0"))).isFalse();
        assertThat(NativeCrypto.install(false)).contains("the JDK's providers (native crypto turned off)");
    }
}
