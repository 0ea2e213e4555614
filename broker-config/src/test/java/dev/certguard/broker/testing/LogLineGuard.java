package dev.certguard.broker.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * A logback appender that every end-to-end broker logs through (declared in the test broker's
 * logback.xml, and attached after start where a test uses another one): it records every line, of
 * certguard's loggers and of the audit trail, that holds a raw control, format or separator character
 * (a line's own end is added by the encoder, never part of the message) or is longer than
 * {@value #MAX_LINE} characters. {@link TestBroker#close()} fails the test when one was recorded, so
 * no test can pass while untrusted text reaches the log raw. Thread-safe.
 */
public final class LogLineGuard extends AppenderBase<ILoggingEvent> {

    public static final String NAME = "CERTGUARD_LOG_GUARD";

    /** No line certguard writes may be longer: fields are cut at 200 characters, log arguments at 1,000. */
    public static final int MAX_LINE = 4_096;

    private static final ConcurrentLinkedQueue<String> VIOLATIONS = new ConcurrentLinkedQueue<>();

    /** The last guarded lines, so a test can show that its hostile input was logged at all. */
    private static final ConcurrentLinkedDeque<String> RECENT = new ConcurrentLinkedDeque<>();

    private static final int KEPT = 5_000;
    private static final AtomicInteger KEPT_COUNT = new AtomicInteger();

    public LogLineGuard() {
        setName(NAME);
    }

    @Override
    protected void append(final ILoggingEvent event) {
        if (!guarded(event.getLoggerName())) {
            return;
        }
        final String line = line(event);
        RECENT.addLast(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) : line);
        if (KEPT_COUNT.incrementAndGet() > KEPT && RECENT.pollFirst() != null) {
            KEPT_COUNT.decrementAndGet();
        }
        final String problem = problem(line);
        if (problem != null) {
            VIOLATIONS.add(event.getLevel() + " " + event.getLoggerName() + ": " + problem);
        }
    }

    /** certguard's own loggers and its audit trail. */
    static boolean guarded(final String logger) {
        return logger.startsWith("dev.certguard") || logger.startsWith("certguard.");
    }

    /** The message and, where an exception is attached, its message: what a log line shows of the event. */
    private static String line(final ILoggingEvent event) {
        final StringBuilder line = new StringBuilder(event.getFormattedMessage());
        for (IThrowableProxy thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
            line.append(" | ").append(thrown.getClassName()).append(": ").append(thrown.getMessage());
        }
        return line.toString();
    }

    /** What is wrong with a line, or {@code null}. */
    public static String problem(final String line) {
        if (line.length() > MAX_LINE) {
            return "line of " + line.length() + " characters (at most " + MAX_LINE + "): "
                    + visible(line.substring(0, 120)) + "...";
        }
        for (int i = 0; i < line.length(); i++) {
            final char c = line.charAt(i);
            final int type = Character.getType(c);
            if (Character.isISOControl(c)
                    || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR
                    || type == Character.SURROGATE) {
                return String.format("raw U+%04X at index %d: %s", (int) c, i, visible(line));
            }
        }
        return null;
    }

    private static String visible(final String line) {
        final StringBuilder out = new StringBuilder();
        line.codePoints()
                .limit(600)
                .forEach(cp -> out.append(
                        Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT
                                ? String.format("<U+%04X>", cp)
                                : new String(Character.toChars(cp))));
        return out.toString();
    }

    /** Attaches a guard to the root logger and the audit logger unless logback.xml declared one. */
    static void ensureAttached() {
        final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (final String name : List.of(Logger.ROOT_LOGGER_NAME, "certguard.audit")) {
            final Logger logger = context.getLogger(name);
            if (logger.getAppender(NAME) == null) {
                final LogLineGuard guard = new LogLineGuard();
                guard.setContext(context);
                guard.start();
                logger.addAppender(guard);
            }
        }
    }

    /** The guarded lines (at most the last {@value #KEPT}) that contain {@code text}. */
    public static List<String> linesContaining(final String text) {
        final List<String> found = new ArrayList<>();
        for (final String line : RECENT) {
            if (line.contains(text)) {
                found.add(line);
            }
        }
        return found;
    }

    /** The violations recorded since the last call, which forgets them. */
    public static List<String> drain() {
        final List<String> found = new ArrayList<>();
        for (String violation = VIOLATIONS.poll(); violation != null; violation = VIOLATIONS.poll()) {
            found.add(violation);
        }
        return found;
    }
}
