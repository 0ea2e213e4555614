package dev.certguard.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.util.List;

/**
 * The one definition of an element of an extension's configuration file: its name, kind, default,
 * allowed values and meaning. A parser reads the file only through these definitions
 * ({@link ConfigReader}), and the reference documentation and the shipped XML schema are generated
 * from them, so what the parser accepts and what the documentation says cannot drift apart.
 * <p>
 * Immutable; thread-safe. Where an element sits in the file is given by the {@link ConfigSchema}
 * that holds it.
 */
public final class ConfigElement {

    /** What an element holds. */
    public enum Kind {
        /** {@code true} or {@code false}. */
        BOOLEAN,
        /** A whole number within bounds. */
        NUMBER,
        /** Free text checked by the parser ({@link #format()} says what it must be). */
        TEXT,
        /** One of a fixed set of words. */
        CHOICE,
        /** A list of text items, e.g. {@code <crl-sources><crl-source>..}; items distinct and non-empty. */
        LIST,
        /** A list of blocks, e.g. {@code <services><service>..}. */
        ITEMS,
        /** A block of settings that appears at most once. */
        BLOCK,
        /** A text element that may appear any number of times inside its block. */
        REPEATED
    }

    /** The unit of a number, as the documentation names it. */
    public enum Unit {
        NONE(""),
        SECONDS("seconds"),
        PERCENT("percent"),
        BYTES("bytes");

        private final @NotNull String label;

        Unit(final @NotNull String label) {
            this.label = label;
        }

        public @NotNull String label() {
            return label;
        }
    }

    private final @NotNull String name;
    private final @NotNull Kind kind;
    private final @NotNull String meaning;
    private final @Nullable String defaultText;
    private final long min;
    private final long max;
    private final @NotNull Unit unit;
    private final @NotNull List<String> choices;
    private final @NotNull String format;
    private final boolean required;
    private final @Nullable String itemName;
    private final @NotNull List<ConfigElement> children;

    private ConfigElement(
            final @NotNull String name,
            final @NotNull Kind kind,
            final @NotNull String meaning,
            final @Nullable String defaultText,
            final long min,
            final long max,
            final @NotNull Unit unit,
            final @NotNull List<String> choices,
            final @NotNull String format,
            final boolean required,
            final @Nullable String itemName,
            final @NotNull List<ConfigElement> children) {
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("not an element name: " + name);
        }
        if (meaning.isBlank() || meaning.contains("${")) {
            // "${" would be expanded by Maven resource filtering in the generated schema.
            throw new IllegalArgumentException(name + ": a meaning is required and must not contain '${'");
        }
        this.name = name;
        this.kind = kind;
        this.meaning = meaning;
        this.defaultText = defaultText;
        this.min = min;
        this.max = max;
        this.unit = unit;
        this.choices = List.copyOf(choices);
        this.format = format;
        this.required = required;
        this.itemName = itemName;
        this.children = List.copyOf(children);
    }

    /** {@code true} or {@code false}, {@code defaultValue} when absent. */
    public static @NotNull ConfigElement bool(
            final @NotNull String name, final boolean defaultValue, final @NotNull String meaning) {
        return new ConfigElement(
                name,
                Kind.BOOLEAN,
                meaning,
                String.valueOf(defaultValue),
                0,
                0,
                Unit.NONE,
                List.of("true", "false"),
                "",
                false,
                null,
                List.of());
    }

    /** A whole number from {@code min} to {@code max}, {@code defaultValue} when absent. */
    public static @NotNull ConfigElement number(
            final @NotNull String name,
            final long defaultValue,
            final long min,
            final long max,
            final @NotNull Unit unit,
            final @NotNull String meaning) {
        if (min > max || defaultValue < min || defaultValue > max) {
            throw new IllegalArgumentException(name + ": default " + defaultValue + " outside " + min + ".." + max);
        }
        return new ConfigElement(
                name,
                Kind.NUMBER,
                meaning,
                String.valueOf(defaultValue),
                min,
                max,
                unit,
                List.of(),
                "",
                false,
                null,
                List.of());
    }

    /** Optional text; {@code format} says what the parser requires of it (e.g. "file path"). */
    public static @NotNull ConfigElement text(
            final @NotNull String name, final @NotNull String format, final @NotNull String meaning) {
        return new ConfigElement(
                name, Kind.TEXT, meaning, null, 0, 0, Unit.NONE, List.of(), format, false, null, List.of());
    }

    /** One of {@code choices}, {@code defaultValue} when absent. */
    public static @NotNull ConfigElement choice(
            final @NotNull String name,
            final @NotNull String defaultValue,
            final @NotNull List<String> choices,
            final @NotNull String meaning) {
        if (!choices.contains(defaultValue)) {
            throw new IllegalArgumentException(name + ": default " + defaultValue + " is not one of " + choices);
        }
        return new ConfigElement(
                name, Kind.CHOICE, meaning, defaultValue, 0, 0, Unit.NONE, choices, "", false, null, List.of());
    }

    /** A list element of distinct, non-empty text items named {@code itemName}; empty when absent. */
    public static @NotNull ConfigElement list(
            final @NotNull String name,
            final @NotNull String itemName,
            final @NotNull String format,
            final @NotNull String meaning) {
        return new ConfigElement(
                name, Kind.LIST, meaning, null, 0, 0, Unit.NONE, List.of(), format, false, itemName, List.of());
    }

    /** A list element of blocks named {@code itemName}, each holding {@code children}. */
    public static @NotNull ConfigElement items(
            final @NotNull String name,
            final @NotNull String itemName,
            final @NotNull String meaning,
            final @NotNull ConfigElement... children) {
        return new ConfigElement(
                name, Kind.ITEMS, meaning, null, 0, 0, Unit.NONE, List.of(), "", false, itemName, List.of(children));
    }

    /** A block of settings, at most once. */
    public static @NotNull ConfigElement block(
            final @NotNull String name, final @NotNull String meaning, final @NotNull ConfigElement... children) {
        return new ConfigElement(
                name, Kind.BLOCK, meaning, null, 0, 0, Unit.NONE, List.of(), "", false, null, List.of(children));
    }

    /** A text element that may repeat inside its block; each occurrence non-empty. */
    public static @NotNull ConfigElement repeated(
            final @NotNull String name, final @NotNull String format, final @NotNull String meaning) {
        return new ConfigElement(
                name, Kind.REPEATED, meaning, null, 0, 0, Unit.NONE, List.of(), format, false, null, List.of());
    }

    /** The same element, but the parser reports it when absent or empty. */
    public @NotNull ConfigElement required() {
        return new ConfigElement(
                name, kind, meaning, defaultText, min, max, unit, choices, format, true, itemName, children);
    }

    public @NotNull String name() {
        return name;
    }

    public @NotNull Kind kind() {
        return kind;
    }

    public @NotNull String meaning() {
        return meaning;
    }

    /** The value used when the element is absent, as it is written in the file; {@code null} if none. */
    public @Nullable String defaultText() {
        return defaultText;
    }

    public long min() {
        return min;
    }

    public long max() {
        return max;
    }

    public @NotNull Unit unit() {
        return unit;
    }

    /** The allowed words of a {@link Kind#CHOICE} or {@link Kind#BOOLEAN}; empty otherwise. */
    public @NotNull List<String> choices() {
        return choices;
    }

    /** What text the parser requires (for text, list and repeated elements); may be empty. */
    public @NotNull String format() {
        return format;
    }

    public boolean isRequired() {
        return required;
    }

    /** The item element's name of a {@link Kind#LIST} or {@link Kind#ITEMS}; {@code null} otherwise. */
    public @Nullable String itemName() {
        return itemName;
    }

    /** The elements of a block, or of each item of an {@link Kind#ITEMS} list, in declaration order. */
    public @NotNull List<ConfigElement> children() {
        return children;
    }

    @Override
    public @NotNull String toString() {
        return "<" + name + "> (" + kind + ")";
    }
}
