package dev.certguard.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import dev.certguard.connection.Connection;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.reload.ConfigReload;
import dev.certguard.text.UntrustedText;
import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: every security decision as one JSON object per line on the logger
 * {@value #LOGGER} (the shipped logback.xml routes it to {@code log/certguard-audit.log}). Fields:
 * {@code time} (ISO-8601 UTC), {@code event}, {@code extension}, {@code reason}, {@code identity},
 * {@code client_id}, {@code certificate_sha256}, {@code serial}, {@code issuer}, {@code listener},
 * {@code remote_address}, {@code topic}, each present where it applies. Values are written by
 * Jackson's JSON generator with every character {@link UntrustedText#unsafe} escaped as
 * {@code \\uXXXX} (control, format, bidi and separator characters included), so a CN or topic holding
 * quotes, newlines or control characters stays inside its string and cannot forge a line or a field;
 * each value is cut at {@value UntrustedText#MAX_FIELD} characters ({@code reason} at
 * {@value UntrustedText#MAX_LOG_ARGUMENT}) with its length stated, so no line grows with its input.
 * Nothing is built while the logger is off. This is the one logger certguard writes without
 * {@link dev.certguard.text.SafeLog}: its line is JSON made safe here.
 * Thread-safe: each event is its own builder; the factory and logger are thread-safe.
 */
public final class Audit {

    public static final String LOGGER = "certguard.audit";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final JsonFactory JSON = new JsonFactory().setCharacterEscapes(new UnsafeEscapes());
    private static final AuditTime TIME = new AuditTime();

    private final @NotNull String extension;
    private final @NotNull Clock clock;

    public Audit(final @NotNull String extension, final @NotNull Clock clock) {
        this.extension = extension;
        this.clock = clock;
    }

    /**
     * Why the audit trail is not written (its logger off, or reaching no appender), or {@code null}
     * when it is ({@link AuditLogCheck}).
     */
    public static @Nullable String whyNotWritten() {
        return AuditLogCheck.problem(log, LoggerFactory::getLogger);
    }

    /** Whether events are written at all (the logger is on). */
    public boolean enabled() {
        return log.isInfoEnabled();
    }

    /** Audits each outcome of a configuration (or deny-list) reload as {@code config.reloaded} or {@code config.rejected}. */
    public @NotNull ConfigReload.Outcome reloads() {
        return new ConfigReload.Outcome() {
            @Override
            public void applied(final @NotNull String change) {
                event("config.reloaded").reason(change).write();
            }

            @Override
            public void rejected(final @NotNull String problems) {
                event("config.rejected").reason(problems).write();
            }
        };
    }

    /** Starts an event; {@link Event#write()} writes it. */
    public @NotNull Event event(final @NotNull String event) {
        return new Event(event);
    }

    /** One decision being described. Not thread-safe: build and write it on one thread. */
    public final class Event {
        private final Map<String, String> fields = new LinkedHashMap<>();

        private Event(final String event) {
            fields.put("event", event);
            fields.put("extension", extension);
        }

        private Event put(final String name, final @Nullable String value) {
            if (value != null) {
                fields.put(
                        name,
                        bounded(
                                value,
                                name.equals("reason") ? UntrustedText.MAX_LOG_ARGUMENT : UntrustedText.MAX_FIELD));
            }
            return this;
        }

        public @NotNull Event reason(final @Nullable String reason) {
            return put("reason", reason);
        }

        public @NotNull Event identity(final @Nullable String identity) {
            return put("identity", identity);
        }

        public @NotNull Event clientId(final @Nullable String clientId) {
            return put("client_id", clientId);
        }

        /** The identity, unless the certificate already named one. */
        public @NotNull Event identityIfAbsent(final @Nullable String identity) {
            return fields.containsKey("identity") ? this : put("identity", identity);
        }

        /** A certificate known only by its SHA-256 fingerprint. */
        public @NotNull Event certificateSha256(final @Nullable String fingerprint) {
            return put("certificate_sha256", fingerprint);
        }

        public @NotNull Event listener(final @Nullable String listener) {
            return put("listener", listener);
        }

        public @NotNull Event topic(final @Nullable String topic) {
            return put("topic", topic);
        }

        /** The certificate's fingerprint, serial and issuer, and its CN as identity unless one is set. */
        public @NotNull Event certificate(final @Nullable X509Certificate certificate) {
            if (certificate == null) {
                return this;
            }
            if (!fields.containsKey("identity")) {
                put("identity", CertificateIdentity.commonNameOrNull(certificate));
            }
            put("certificate_sha256", CertificateIdentity.sha256Fingerprint(certificate));
            put("serial", CertificateIdentity.serialHex(certificate));
            return put("issuer", CertificateIdentity.issuerName(certificate));
        }

        /** The identity, client id, listener and certificate of a connection of the connection model. */
        public @NotNull Event connection(final @NotNull Connection connection) {
            put("client_id", connection.clientId());
            put("listener", connection.listener());
            return certificate(connection.leaf());
        }

        /** Listener, remote address and client certificate of a connection. */
        public @NotNull Event connection(final @Nullable ConnectionInformation connection) {
            if (connection == null) {
                return this;
            }
            put("listener", connection.getListener().map(Listener::getName).orElse(null));
            put(
                    "remote_address",
                    connection.getInetAddress().map(InetAddress::getHostAddress).orElse(null));
            return certificate(connection
                    .getClientTlsInformation()
                    .flatMap(ClientTlsInformation::getClientCertificate)
                    .orElse(null));
        }

        /** Writes the event as one JSON line (when the audit logger is on). */
        public void write() {
            if (!log.isInfoEnabled()) {
                return;
            }
            log.info(json(TIME.format(clock.instant()), fields));
        }
    }

    /** The value itself, or its first {@code max} characters and its length. */
    static @NotNull String bounded(final @NotNull String value, final int max) {
        return value.length() <= max ? value : value.substring(0, max) + "...(" + value.length() + " chars)";
    }

    /** JSON's own escapes, plus {@code \\uXXXX} for every character a log line must never carry raw. */
    private static final class UnsafeEscapes extends CharacterEscapes {
        private static final int[] ASCII = standardAsciiEscapesForJSON();

        static {
            ASCII[0x7f] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(final int ch) {
            if (ch > 0xffff || !UntrustedText.unsafe((char) ch)) {
                return null;
            }
            return new SerializedString(String.format("\\u%04x", ch));
        }
    }

    /**
     * A JSON generator writing to {@code out} with the audit trail's escapes (every character
     * {@link UntrustedText#unsafe} as {@code \\uXXXX}), for reports built from the same facts.
     */
    public static @NotNull JsonGenerator jsonGenerator(final @NotNull Writer out) throws IOException {
        return JSON.createGenerator(out);
    }

    /**
     * One JSON object, {@code time} first, on one line: what {@link #jsonGenerator} writes for the
     * same fields, character for character (pinned by a test over every UTF-16 code unit), without a
     * generator per line on the CONNECT path.
     */
    static @NotNull String json(final @NotNull String time, final @NotNull Map<String, String> fields) {
        final StringBuilder out = new StringBuilder(256);
        out.append("{\"time\":");
        string(out, time);
        for (final Map.Entry<String, String> field : fields.entrySet()) {
            out.append(',');
            string(out, field.getKey());
            out.append(':');
            string(out, field.getValue());
        }
        return out.append('}').toString();
    }

    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();
    private static final char[] LOWER_HEX = "0123456789abcdef".toCharArray();

    /** A JSON string with JSON's own escapes, and {@code \\uxxxx} for every character {@link UntrustedText#unsafe}. */
    private static void string(final StringBuilder out, final String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                default:
                    if (c < 0x20) {
                        // JSON's standard escape, as the generator writes it (upper-case hex).
                        out.append("\\u00").append(UPPER_HEX[c >> 4]).append(UPPER_HEX[c & 0xf]);
                    } else if (UntrustedText.unsafe(c)) {
                        out.append("\\u")
                                .append(LOWER_HEX[c >> 12])
                                .append(LOWER_HEX[(c >> 8) & 0xf])
                                .append(LOWER_HEX[(c >> 4) & 0xf])
                                .append(LOWER_HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
