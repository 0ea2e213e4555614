package dev.certguard.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class SafeLogTest {

    @Test
    void every_argument_is_neutralised_and_bounded_whatever_the_caller_passed() {
        final Recording recording = new Recording();
        new SafeLog(recording)
                .warn(
                        "refused {} because {}",
                        "evil\nWARN forged line\u001b[0m\u202e",
                        new IllegalStateException("x".repeat(100_000)));
        assertThat(recording.lines).hasSize(1);
        final String line = recording.lines.get(0);
        assertThat(line).startsWith("WARN refused evil\\u000aWARN forged line\\u001b[0m\\u202e because ");
        assertThat(line).endsWith("...(100033 chars)");
        assertThat(line.chars().noneMatch(c -> UntrustedText.unsafe((char) c))).isTrue();
        assertThat(line.length()).isLessThan(1_100);
    }

    @Test
    void nothing_is_rendered_for_a_level_that_is_off() {
        final Recording recording = new Recording();
        final SafeLog log = new SafeLog(recording);
        log.debug("never {}", new Object() {
            @Override
            public String toString() {
                throw new AssertionError("rendered although debug is off");
            }
        });
        log.info("kept {}", 1);
        assertThat(recording.lines).containsExactly("INFO kept 1");
    }

    /** A logger that records each formatted line; debug is off. */
    private static final class Recording extends AbstractLogger {
        final List<String> lines = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(
                final Level level,
                final Marker marker,
                final String pattern,
                final Object[] arguments,
                final Throwable throwable) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, arguments));
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isTraceEnabled(final Marker marker) {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled(final Marker marker) {
            return false;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled(final Marker marker) {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled(final Marker marker) {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled(final Marker marker) {
            return true;
        }
    }
}
