package dev.certguard.identity;

import static org.assertj.core.api.Assertions.assertThat;

import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class IssuerNamesTest {

    @Test
    void each_issuer_is_named_as_the_jdk_names_it_also_past_the_capacity() {
        final IssuerNames names = new IssuerNames(2);
        for (int round = 0; round < 2; round++) {
            for (final String name : new String[] {
                "CN=IOTmidCA,O=dojot", "CN=root", "CN=a\\, b+OU=x", "CN=third", "O=Example\\, Inc.,C=BR"
            }) {
                final X500Principal issuer = new X500Principal(name);
                assertThat(names.name(issuer)).isEqualTo(issuer.getName());
            }
        }
    }
}
