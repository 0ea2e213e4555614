package dev.certguard.acl.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicFiltersTest {

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
        "+/attrs, admin:a/attrs, true",
        "+/attrs, admin:a/attrs/, false",
        "+/attrs, admin:a/attrs/x, false",
        "a/#, a, true",
        "a/#, a/b/c, true",
        "#, $SYS/x, false",
        "+/x, $SYS/x, false",
        "$SYS/#, $SYS/x, true",
        "a/b, a/b/, false",
        "a/+, a/, true"
    })
    void topic_matching_follows_mqtt_rules(final String filter, final String topic, final boolean expected) {
        assertThat(TopicFilters.matches(filter, topic)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "filter [{0}]")
    @CsvSource(
            delimiter = '|',
            value = {"a/#/b | '#'", "a# | '#'", "a+ | '+'", "'' | empty"})
    void invalid_filters_are_explained(final String filter, final String problem) {
        assertThat(TopicFilters.problem(filter)).contains(problem);
    }
}
