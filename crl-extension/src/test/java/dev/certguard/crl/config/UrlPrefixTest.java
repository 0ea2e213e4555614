package dev.certguard.crl.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlPrefixTest {

    private static final UrlPrefix PREFIX = UrlPrefix.parse("https://crl.example.com/crl/");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://crl.example.com/crl/part-1.crl",
                "HTTPS://CRL.EXAMPLE.COM/crl/part-1.crl",
                "https://crl.example.com:443/crl/part-1.crl",
                "https://crl.example.com/crl/deep/part-1.crl?version=2",
                "https://crl.example.com/crl/"
            })
    void urls_under_the_prefix_are_allowed(final String url) {
        assertThat(PREFIX.allows(url)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://crl.example.com.evil.net/crl/part-1.crl",
                "https://crl.example.com@evil.net/crl/part-1.crl",
                "https://evil.net@crl.example.com/crl/part-1.crl",
                "http://crl.example.com/crl/part-1.crl",
                "https://crl.example.com:8443/crl/part-1.crl",
                "https://crl.example.com/crl/../admin/secret",
                "https://crl.example.com/crl/%2e%2e/admin",
                "https://crl.example.com/crl/..%2Fadmin",
                "https://crl.example.com/crlx/part-1.crl",
                "https://crl.example.com/CRL/part-1.crl",
                "https://crl.example.com/crl/part 1.crl",
                "https://crl.example.com/crl/part-1.crl#fragment",
                "https://crl.example.com/crl/\u00e9.crl",
                "https://crl.example.com/crl/a\\..\\..\\x",
                "ldap://crl.example.com/crl/part-1.crl",
                "file:///crl/part-1.crl",
                "not a url"
            })
    void urls_outside_the_prefix_or_spelled_to_escape_it_are_refused(final String url) {
        assertThat(PREFIX.allows(url)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://crl.example.com",
                "https://crl.example.com/crl",
                "ftp://crl.example.com/",
                "https://user@crl.example.com/",
                "https://crl.example.com/?q=1",
                "https://crl.example.com/#x",
                "https:///crl/",
                "crl.example.com/"
            })
    void a_prefix_that_would_allow_more_than_it_says_is_refused_with_the_rule(final String prefix) {
        assertThatThrownBy(() -> UrlPrefix.parse(prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + prefix + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://crl.example.com", "https://crl.example.com/"})
    void a_host_without_a_path_is_the_root_prefix_only_when_written_with_its_slash(final String prefix) {
        if (prefix.endsWith("/")) {
            assertThat(UrlPrefix.parse(prefix).allows("https://crl.example.com/any.crl"))
                    .isTrue();
            assertThat(UrlPrefix.parse(prefix).allows("https://crl.example.com.evil.net/any.crl"))
                    .isFalse();
        } else {
            assertThatThrownBy(() -> UrlPrefix.parse(prefix)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
