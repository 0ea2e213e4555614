package dev.certguard.broker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogLineGuardTest {

    @Test
    void a_raw_control_character_or_an_unbounded_line_in_a_certguard_logger_is_recorded() {
        LogLineGuard.ensureAttached();
        LogLineGuard.drain();

        LoggerFactory.getLogger("dev.certguard.test").warn("refused '{}'", "evil\nINFO forged");
        LoggerFactory.getLogger("certguard.audit").info("{\"identity\":\"a\u202eb\"}");
        LoggerFactory.getLogger("dev.certguard.test").warn("{}", "x".repeat(LogLineGuard.MAX_LINE + 1));
        LoggerFactory.getLogger("dev.certguard.test").warn("refused '{}'", "evil\\u000aINFO escaped");

        assertThat(LogLineGuard.drain())
                .hasSize(3)
                .anySatisfy(v -> assertThat(v).contains("raw U+000A"))
                .anySatisfy(v -> assertThat(v).contains("raw U+202E"))
                .anySatisfy(v -> assertThat(v).contains("line of 4097 characters"));
    }

    @Test
    void lines_of_other_loggers_are_not_judged() {
        LogLineGuard.ensureAttached();
        LogLineGuard.drain();

        LoggerFactory.getLogger("com.hivemq.Something").warn("a\nb");

        assertThat(LogLineGuard.drain()).isEmpty();
    }
}
