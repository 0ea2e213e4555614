package dev.certguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

class AuditLogCheckTest {

    private final LoggerContext context = new LoggerContext();
    private final Logger audit = context.getLogger("certguard.audit");

    private String problem() {
        return AuditLogCheck.problem(audit, context::getLogger);
    }

    private ListAppender<ILoggingEvent> appender() {
        final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(context);
        appender.start();
        return appender;
    }

    @Test
    void a_logger_with_its_own_appender_or_an_ancestors_writes() {
        audit.setLevel(Level.INFO);
        audit.addAppender(appender());
        assertThat(problem()).isNull();

        audit.detachAndStopAllAppenders();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender());
        assertThat(problem()).as("additive: the root's appender receives it").isNull();
    }

    @Test
    void a_logger_off_or_cut_from_every_appender_is_a_finding() {
        audit.setLevel(Level.OFF);
        assertThat(problem()).contains("is off");

        audit.setLevel(Level.INFO);
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender());
        audit.setAdditive(false);
        assertThat(problem()).contains("reaches no appender");
    }
}
