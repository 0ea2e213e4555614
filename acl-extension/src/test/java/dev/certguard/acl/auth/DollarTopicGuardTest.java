package dev.certguard.acl.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DollarTopicGuardTest {

    @Test
    void only_services_with_a_leading_wildcard_need_the_guard() {
        assertThat(DollarTopicGuard.needed(List.of("+/config"))).isTrue();
        assertThat(DollarTopicGuard.needed(List.of("#"))).isTrue();
        assertThat(DollarTopicGuard.needed(List.of("admin:a1998e/config", "ops/#")))
                .isFalse();
    }

    @Test
    void dollar_topics_are_refused_unless_a_literal_filter_names_them() {
        final DollarTopicGuard guard = new DollarTopicGuard(List.of("+/config", "$ops/#"));

        assertThat(guard.blocks("$SYS/config")).isTrue();
        assertThat(guard.blocks("$share/g/config")).isTrue();
        assertThat(guard.blocks("$ops/anything")).isFalse();
        assertThat(guard.blocks("admin:a1998e/config")).isFalse();
    }
}
