package dev.certguard.reason;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one definition of a refusal or cut a client can see: the MQTT packet, its MQTT 5 reason code,
 * the reason string (a template whose {@code {placeholders}} are filled in order), the name the
 * audit trail and metrics use for it, and when it is sent. Senders take the code and the string only
 * from here, and the reference documentation is generated from these definitions.
 * <p>
 * Immutable; thread-safe.
 */
public final class Reason {

    /** The packet that carries the reason code and string. */
    public enum Packet {
        CONNACK,
        DISCONNECT,
        PUBACK,
        SUBACK
    }

    /** The MQTT 5 reason codes certguard sends (the SDK's enums carry no number). */
    private static final Map<String, Integer> CODES = Map.of(
            "CLIENT_IDENTIFIER_NOT_VALID", 0x85,
            "BAD_USER_NAME_OR_PASSWORD", 0x86,
            "NOT_AUTHORIZED", 0x87,
            "SERVER_UNAVAILABLE", 0x88,
            "ADMINISTRATIVE_ACTION", 0x98,
            "MAXIMUM_CONNECT_TIME", 0xA0);

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z-]+)}");

    private final @NotNull Packet packet;
    private final @NotNull Enum<?> code;
    private final @Nullable String name;
    private final @NotNull String template;
    private final @NotNull String meaning;
    private final @NotNull List<String> placeholders;
    private final @Nullable String mqtt3;

    private Reason(
            final @NotNull Packet packet,
            final @NotNull Enum<?> code,
            final @Nullable String name,
            final @NotNull String template,
            final @NotNull String meaning,
            final @Nullable String mqtt3) {
        if (!CODES.containsKey(code.name())) {
            throw new IllegalArgumentException(code + " has no MQTT 5 number here; add it to Reason.CODES");
        }
        if (template.isBlank() || meaning.isBlank()) {
            throw new IllegalArgumentException("a reason needs a string and a meaning");
        }
        this.packet = packet;
        this.code = code;
        this.name = name;
        this.template = template;
        this.meaning = meaning;
        final List<String> found = new ArrayList<>();
        final Matcher matcher = PLACEHOLDER.matcher(template);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        this.placeholders = List.copyOf(found);
        this.mqtt3 = mqtt3;
    }

    /**
     * The same reason, with what an MQTT 3.1.1 client sees stated (where it is not the protocol's
     * usual mapping, e.g. a PUBLISH dropped after a normal PUBACK).
     */
    public @NotNull Reason withMqtt3(final @NotNull String seen) {
        return new Reason(packet, code, name, template, meaning, seen);
    }

    /** What an MQTT 3.1.1 client sees, when stated; {@code null} for the protocol's usual mapping. */
    public @Nullable String mqtt3() {
        return mqtt3;
    }

    /** A refused CONNECT: CONNACK {@code code} with the reason string {@code template}. */
    public static @NotNull Reason connack(
            final @NotNull ConnackReasonCode code,
            final @Nullable String name,
            final @NotNull String template,
            final @NotNull String meaning) {
        return new Reason(Packet.CONNACK, code, name, template, meaning, null);
    }

    /** A connection ended by the broker: DISCONNECT {@code code} with the reason string. */
    public static @NotNull Reason disconnect(
            final @NotNull DisconnectReasonCode code,
            final @Nullable String name,
            final @NotNull String template,
            final @NotNull String meaning) {
        return new Reason(Packet.DISCONNECT, code, name, template, meaning, null);
    }

    /** A refused PUBLISH: PUBACK (or PUBREC) {@code code} with the reason string. */
    public static @NotNull Reason puback(
            final @NotNull AckReasonCode code,
            final @Nullable String name,
            final @NotNull String template,
            final @NotNull String meaning) {
        return new Reason(Packet.PUBACK, code, name, template, meaning, null);
    }

    /** A refused subscription: SUBACK {@code code} for the filter, with the reason string. */
    public static @NotNull Reason suback(
            final @NotNull SubackReasonCode code,
            final @Nullable String name,
            final @NotNull String template,
            final @NotNull String meaning) {
        return new Reason(Packet.SUBACK, code, name, template, meaning, null);
    }

    /** The reason string with its placeholders filled in order (untrusted values escaped by the caller). */
    public @NotNull String text(final @NotNull Object... values) {
        if (values.length != placeholders.size()) {
            throw new IllegalArgumentException(
                    "'" + template + "' takes " + placeholders.size() + " values, got " + values.length);
        }
        final StringBuilder out = new StringBuilder();
        final Matcher matcher = PLACEHOLDER.matcher(template);
        int i = 0;
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(values[i++])));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    public @NotNull Packet packet() {
        return packet;
    }

    /** The MQTT 5 reason code as a number, e.g. {@code 0x87}. */
    public int mqtt5Code() {
        return CODES.get(code.name());
    }

    /** The reason code as MQTT 5 names it, e.g. {@code Not authorized}. */
    public @NotNull String codeName() {
        final String words = code.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /** The audit trail's {@code reason} and the metric name for this reason, or {@code null}. */
    public @Nullable String name() {
        return name;
    }

    public @NotNull String template() {
        return template;
    }

    public @NotNull String meaning() {
        return meaning;
    }

    public @NotNull ConnackReasonCode connackCode() {
        return (ConnackReasonCode) expect(Packet.CONNACK);
    }

    public @NotNull DisconnectReasonCode disconnectCode() {
        return (DisconnectReasonCode) expect(Packet.DISCONNECT);
    }

    public @NotNull AckReasonCode ackCode() {
        return (AckReasonCode) expect(Packet.PUBACK);
    }

    public @NotNull SubackReasonCode subackCode() {
        return (SubackReasonCode) expect(Packet.SUBACK);
    }

    private Enum<?> expect(final Packet expected) {
        if (packet != expected) {
            throw new IllegalStateException(this + " is not a " + expected + " reason");
        }
        return code;
    }

    @Override
    public @NotNull String toString() {
        return packet + " " + code + " '" + template + "'";
    }
}
