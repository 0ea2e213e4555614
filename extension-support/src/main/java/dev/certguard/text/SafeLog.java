package dev.certguard.text;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way certguard code writes a log line: a logger whose every argument is
 * {@link UntrustedText#neutralise neutralised} (no raw control or format character, at most
 * {@value UntrustedText#MAX_LOG_ARGUMENT} characters) before slf4j formats it, whatever it holds: an
 * escaped field, an exception's message, a path or a name. So a line can neither be forged nor grow
 * with its input, even where a caller forgot to {@link UntrustedText#escape escape} a field. Format
 * strings are certguard's own constants. Throwables are written as their {@code toString()}, never
 * as a stack trace. Thread-safe.
 */
public final class SafeLog {

    private final @NotNull Logger delegate;

    SafeLog(final @NotNull Logger delegate) {
        this.delegate = delegate;
    }

    public static @NotNull SafeLog of(final @NotNull Class<?> owner) {
        return new SafeLog(LoggerFactory.getLogger(owner));
    }

    public static @NotNull SafeLog named(final @NotNull String name) {
        return new SafeLog(LoggerFactory.getLogger(name));
    }

    public boolean isDebugEnabled() {
        return delegate.isDebugEnabled();
    }

    public boolean isInfoEnabled() {
        return delegate.isInfoEnabled();
    }

    public void error(final @NotNull String format, final Object... arguments) {
        if (delegate.isErrorEnabled()) {
            delegate.error(format, safe(arguments));
        }
    }

    public void warn(final @NotNull String format, final Object... arguments) {
        if (delegate.isWarnEnabled()) {
            delegate.warn(format, safe(arguments));
        }
    }

    public void info(final @NotNull String format, final Object... arguments) {
        if (delegate.isInfoEnabled()) {
            delegate.info(format, safe(arguments));
        }
    }

    public void debug(final @NotNull String format, final Object... arguments) {
        if (delegate.isDebugEnabled()) {
            delegate.debug(format, safe(arguments));
        }
    }

    private static Object[] safe(final Object[] arguments) {
        final Object[] out = new Object[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            out[i] = UntrustedText.neutralise(arguments[i], UntrustedText.MAX_LOG_ARGUMENT);
        }
        return out;
    }
}
