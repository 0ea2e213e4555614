package dev.certguard.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads one extension configuration file once, through its {@link ConfigSchema}: parses the XML
 * without DTDs or external entities, expands {@code ${ENV_VAR}} placeholders, rejects every element
 * the schema does not define, and collects every problem with the file and element it concerns
 * instead of stopping at the first. Values are read only through {@link ConfigElement} definitions,
 * so a parser cannot accept an element the documentation does not describe; {@link #unread()} names
 * the definitions a parser never asked for.
 * <p>
 * Not thread-safe: use one instance per read, on one thread, then discard it.
 */
public final class ConfigReader {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final @NotNull ConfigSchema schema;
    private final @NotNull Map<String, String> environment;
    private final @NotNull List<String> problems = new ArrayList<>();
    private final @Nullable Element root;
    private final @NotNull Set<ConfigElement> read = Collections.newSetFromMap(new IdentityHashMap<>());

    private ConfigReader(
            final @NotNull ConfigSchema schema,
            final @NotNull Map<String, String> environment,
            final @Nullable Element root,
            final @Nullable String parseProblem) {
        this.schema = schema;
        this.environment = environment;
        this.root = root;
        if (parseProblem != null) {
            problems.add(schema.fileName() + ": " + parseProblem);
        }
        if (root != null) {
            rejectUnknown(root, "", schema.root().children());
        }
    }

    /**
     * Parses {@code file}, whose root element must be the schema's root. A missing or malformed file is
     * recorded as a problem; {@link #root()} is then {@code null} and {@link #finish()} throws. Unknown
     * children of the root are recorded now.
     */
    public static @NotNull ConfigReader read(
            final @NotNull Path file,
            final @NotNull ConfigSchema schema,
            final @NotNull Map<String, String> environment) {
        final String rootName = schema.root().name();
        try (InputStream in = Files.newInputStream(file)) {
            final Document document = newBuilder().parse(in);
            final Element root = document.getDocumentElement();
            if (!rootName.equals(root.getTagName())) {
                return new ConfigReader(
                        schema,
                        environment,
                        null,
                        "root element must be <" + rootName + ">, was <" + root.getTagName() + ">");
            }
            return new ConfigReader(schema, environment, root, null);
        } catch (final NoSuchFileException e) {
            return new ConfigReader(schema, environment, null, "file not found at " + file.toAbsolutePath());
        } catch (final SAXParseException e) {
            return new ConfigReader(
                    schema, environment, null, "malformed XML at line " + e.getLineNumber() + ": " + e.getMessage());
        } catch (final SAXException | IOException e) {
            return new ConfigReader(schema, environment, null, "cannot be read: " + e.getMessage());
        }
    }

    private static DocumentBuilder newBuilder() {
        try {
            final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            factory.setNamespaceAware(false);
            final DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder;
        } catch (final ParserConfigurationException e) {
            throw new IllegalStateException("the JRE's XML parser lacks secure processing", e);
        }
    }

    /** The root element; throws with the reason when the file could not be read or parsed. */
    public @NotNull Element requireRoot() throws InvalidConfigException {
        if (root == null) {
            finish();
        }
        return root;
    }

    /** The root element, or {@code null} when the file could not be parsed. */
    public @Nullable Element root() {
        return root;
    }

    /** Records a problem about {@code element} (for a list, the list itself). */
    public void problem(final @NotNull ConfigElement element, final @NotNull String message) {
        problemAt(schema.path(element), message);
    }

    /** Records a problem about an item of a list (e.g. {@code services/service}). */
    public void itemProblem(final @NotNull ConfigElement list, final @NotNull String message) {
        problemAt(schema.itemPath(list), message);
    }

    /** The expanded, trimmed text of a {@link ConfigElement.Kind#TEXT} element, or {@code null} when absent. */
    public @Nullable String text(final @NotNull Element parent, final @NotNull ConfigElement element) {
        check(parent, element, ConfigElement.Kind.TEXT);
        final String text = single(parent, element);
        if (element.isRequired() && (text == null || text.isEmpty())) {
            problem(element, "is required");
        }
        return text;
    }

    /** A whole number within the element's bounds; its default when absent. */
    public long number(final @NotNull Element parent, final @NotNull ConfigElement element) {
        check(parent, element, ConfigElement.Kind.NUMBER);
        final long defaultValue = Long.parseLong(element.defaultText());
        final String text = single(parent, element);
        if (text == null) {
            return defaultValue;
        }
        final long value;
        try {
            value = Long.parseLong(text);
        } catch (final NumberFormatException e) {
            problem(element, "must be a whole number, was '" + text + "'");
            return defaultValue;
        }
        if (value < element.min()) {
            problem(element, "must be >= " + element.min() + ", was " + value);
        } else if (value > element.max()) {
            problem(element, "must be <= " + element.max() + ", was " + value);
        }
        return value;
    }

    /** {@code true} or {@code false}; the element's default when absent. */
    public boolean bool(final @NotNull Element parent, final @NotNull ConfigElement element) {
        check(parent, element, ConfigElement.Kind.BOOLEAN);
        final boolean defaultValue = Boolean.parseBoolean(element.defaultText());
        final String text = single(parent, element);
        if (text == null) {
            return defaultValue;
        }
        if ("true".equals(text)) {
            return true;
        }
        if ("false".equals(text)) {
            return false;
        }
        problem(element, "must be true or false, was '" + text + "'");
        return defaultValue;
    }

    /** One of the element's choices; its default when absent or wrong. */
    public @NotNull String choice(final @NotNull Element parent, final @NotNull ConfigElement element) {
        check(parent, element, ConfigElement.Kind.CHOICE);
        final String text = single(parent, element);
        if (text == null) {
            return element.defaultText();
        }
        if (element.choices().contains(text)) {
            return text;
        }
        final List<String> choices = element.choices();
        problem(
                element,
                "must be " + String.join(", ", choices.subList(0, choices.size() - 1)) + " or "
                        + choices.get(choices.size() - 1) + ", was '" + text + "'");
        return element.defaultText();
    }

    /**
     * The single block element, or {@code null} when absent; children it does not define are
     * reported.
     */
    public @Nullable Element block(final @NotNull Element parent, final @NotNull ConfigElement element) {
        check(parent, element, ConfigElement.Kind.BLOCK);
        final List<Element> found = children(parent, element.name());
        if (found.size() > 1) {
            problem(element, "appears " + found.size() + " times, at most once is allowed");
        }
        if (found.isEmpty()) {
            return null;
        }
        rejectUnknown(found.get(0), schema.path(element), element.children());
        return found.get(0);
    }

    /**
     * The item blocks of an {@link ConfigElement.Kind#ITEMS} list, e.g. {@code <services><service>..};
     * empty when the list is absent. Other children of the list, and children of an item the
     * definition does not hold, are reported.
     */
    public @NotNull List<Element> items(final @NotNull Element parent, final @NotNull ConfigElement element) {
        check(parent, element, ConfigElement.Kind.ITEMS);
        final List<Element> items = listItems(parent, element);
        for (final Element item : items) {
            rejectUnknown(item, schema.itemPath(element), element.children());
        }
        return items;
    }

    /** The distinct, expanded, non-empty texts of a {@link ConfigElement.Kind#LIST}'s items, in order. */
    public @NotNull List<String> texts(final @NotNull Element parent, final @NotNull ConfigElement element) {
        check(parent, element, ConfigElement.Kind.LIST);
        final Set<String> values = new LinkedHashSet<>();
        final String itemPath = schema.itemPath(element);
        for (final Element item : listItems(parent, element)) {
            final String value = expand(itemPath, item.getTextContent().trim());
            if (value.isEmpty()) {
                problemAt(itemPath, "must not be empty");
            } else if (!values.add(value)) {
                problemAt(itemPath, "lists '" + value + "' twice");
            }
        }
        return List.copyOf(values);
    }

    /** The texts of every occurrence of a {@link ConfigElement.Kind#REPEATED} element, in order. */
    public @NotNull List<String> repeated(final @NotNull Element parent, final @NotNull ConfigElement element) {
        check(parent, element, ConfigElement.Kind.REPEATED);
        final String path = schema.path(element);
        final List<String> values = new ArrayList<>();
        for (final Element found : children(parent, element.name())) {
            final String value = expand(path, found.getTextContent().trim());
            if (value.isEmpty()) {
                problemAt(path, "must not be empty");
            } else {
                values.add(value);
            }
        }
        return values;
    }

    /**
     * The schema's definitions no accessor has been asked for on this reader. A parser that reads a
     * document holding every element leaves none: a test proves that no definition is ignored.
     */
    public @NotNull List<ConfigElement> unread() {
        final List<ConfigElement> out = new ArrayList<>();
        for (final ConfigElement element : schema.elements()) {
            if (!read.contains(element)) {
                out.add(element);
            }
        }
        return out;
    }

    /** Throws with every recorded problem, if there is any. */
    public void finish() throws InvalidConfigException {
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }

    private void check(
            final @NotNull Element parent,
            final @NotNull ConfigElement element,
            final @NotNull ConfigElement.Kind kind) {
        if (element.kind() != kind) {
            throw new IllegalArgumentException(element + " is not a " + kind);
        }
        final String expected = schema.parentTag(element);
        if (!expected.equals(parent.getTagName())) {
            throw new IllegalArgumentException(
                    element + " is read inside <" + parent.getTagName() + ">, but sits in <" + expected + ">");
        }
        read.add(element);
    }

    private @Nullable String single(final @NotNull Element parent, final @NotNull ConfigElement element) {
        final List<Element> matches = children(parent, element.name());
        if (matches.isEmpty()) {
            return null;
        }
        if (matches.size() > 1) {
            problem(element, "appears " + matches.size() + " times, at most once is allowed");
        }
        return expand(schema.path(element), matches.get(0).getTextContent().trim());
    }

    private @NotNull List<Element> listItems(final @NotNull Element parent, final @NotNull ConfigElement element) {
        final List<Element> lists = children(parent, element.name());
        if (lists.isEmpty()) {
            return List.of();
        }
        if (lists.size() > 1) {
            problem(element, "appears " + lists.size() + " times, at most once is allowed");
        }
        final Element list = lists.get(0);
        final String itemName = element.itemName();
        final String path = schema.path(element);
        for (final Element child : children(list)) {
            if (!itemName.equals(child.getTagName())) {
                problemAt(path + "/" + child.getTagName(), "is not a known element (known: " + itemName + ")");
            }
        }
        return children(list, itemName);
    }

    private void rejectUnknown(
            final @NotNull Element parent, final @NotNull String path, final @NotNull List<ConfigElement> known) {
        final List<String> names = new ArrayList<>(known.size());
        for (final ConfigElement element : known) {
            names.add(element.name());
        }
        for (final Element child : children(parent)) {
            if (!names.contains(child.getTagName())) {
                problemAt(
                        (path.isEmpty() ? "" : path + "/") + child.getTagName(),
                        "is not a known element (known: " + String.join(", ", names) + ")");
            }
        }
    }

    private void problemAt(final @NotNull String path, final @NotNull String message) {
        problems.add(schema.fileName() + ": <" + path + "> " + message);
    }

    private @NotNull String expand(final @NotNull String path, final @NotNull String text) {
        final Matcher matcher = PLACEHOLDER.matcher(text);
        final StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            final String value = environment.get(matcher.group(1));
            if (value == null) {
                problemAt(path, "uses ${" + matcher.group(1) + "} but that environment variable is not set");
                matcher.appendReplacement(out, "");
            } else {
                matcher.appendReplacement(out, Matcher.quoteReplacement(value));
            }
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static @NotNull List<Element> children(final @NotNull Element parent) {
        final List<Element> out = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element) {
                out.add((Element) node);
            }
        }
        return out;
    }

    private static @NotNull List<Element> children(final @NotNull Element parent, final @NotNull String name) {
        final List<Element> out = new ArrayList<>();
        for (final Element child : children(parent)) {
            if (name.equals(child.getTagName())) {
                out.add(child);
            }
        }
        return out;
    }
}
