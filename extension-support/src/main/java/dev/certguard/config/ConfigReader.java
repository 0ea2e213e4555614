package dev.certguard.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Reads one extension configuration file once: parses the XML without DTDs or external entities,
 * expands {@code ${ENV_VAR}} placeholders, rejects unknown elements, and collects every problem with
 * the file and element it concerns instead of stopping at the first.
 * <p>
 * Not thread-safe: use one instance per read, on one thread, then discard it.
 */
public final class ConfigReader {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final @NotNull String fileName;
    private final @NotNull Map<String, String> environment;
    private final @NotNull List<String> problems = new ArrayList<>();
    private final @Nullable Element root;

    private ConfigReader(
            final @NotNull String fileName,
            final @NotNull Map<String, String> environment,
            final @Nullable Element root,
            final @Nullable String parseProblem) {
        this.fileName = fileName;
        this.environment = environment;
        this.root = root;
        if (parseProblem != null) {
            problems.add(fileName + ": " + parseProblem);
        }
    }

    /**
     * Parses {@code file}, whose root element must be {@code rootName}. A missing or malformed file is
     * recorded as a problem; {@link #root()} is then {@code null} and {@link #finish()} throws.
     *
     * @param fileName how problems name the file, e.g. {@code acl-extension/conf/config.xml}
     */
    public static @NotNull ConfigReader read(
            final @NotNull Path file,
            final @NotNull String fileName,
            final @NotNull String rootName,
            final @NotNull Map<String, String> environment) {
        try (InputStream in = Files.newInputStream(file)) {
            final Document document = newBuilder().parse(in);
            final Element root = document.getDocumentElement();
            if (!rootName.equals(root.getTagName())) {
                return new ConfigReader(
                        fileName,
                        environment,
                        null,
                        "root element must be <" + rootName + ">, was <" + root.getTagName() + ">");
            }
            return new ConfigReader(fileName, environment, root, null);
        } catch (final NoSuchFileException e) {
            return new ConfigReader(fileName, environment, null, "file not found at " + file.toAbsolutePath());
        } catch (final SAXParseException e) {
            return new ConfigReader(
                    fileName, environment, null, "malformed XML at line " + e.getLineNumber() + ": " + e.getMessage());
        } catch (final SAXException | IOException e) {
            return new ConfigReader(fileName, environment, null, "cannot be read: " + e.getMessage());
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

    /** Records a problem about {@code element} (written without brackets, e.g. {@code services/service}). */
    public void problem(final @NotNull String element, final @NotNull String message) {
        problems.add(fileName + ": <" + element + "> " + message);
    }

    /** Records a problem for every child element of {@code parent} whose name is not in {@code known}. */
    public void rejectUnknown(
            final @NotNull Element parent, final @NotNull String path, final @NotNull String... known) {
        final Set<String> allowed = Set.of(known);
        for (final Element child : children(parent)) {
            if (!allowed.contains(child.getTagName())) {
                problems.add(fileName + ": <" + (path.isEmpty() ? "" : path + "/") + child.getTagName()
                        + "> is not a known element (known: " + String.join(", ", known) + ")");
            }
        }
    }

    /** The expanded, trimmed text of the single child {@code name} of {@code parent}, or {@code null}. */
    public @Nullable String text(
            final @NotNull Element parent, final @NotNull String path, final @NotNull String name) {
        final List<Element> matches = children(parent, name);
        if (matches.isEmpty()) {
            return null;
        }
        if (matches.size() > 1) {
            problem(join(path, name), "appears " + matches.size() + " times, at most once is allowed");
        }
        return expand(join(path, name), matches.get(0).getTextContent().trim());
    }

    /** A whole number within bounds; the default when the element is absent. */
    public long number(
            final @NotNull Element parent,
            final @NotNull String path,
            final @NotNull String name,
            final long defaultValue,
            final long min,
            final long max) {
        final String text = text(parent, path, name);
        if (text == null) {
            return defaultValue;
        }
        final long value;
        try {
            value = Long.parseLong(text);
        } catch (final NumberFormatException e) {
            problem(join(path, name), "must be a whole number, was '" + text + "'");
            return defaultValue;
        }
        if (value < min) {
            problem(join(path, name), "must be >= " + min + ", was " + value);
        } else if (value > max) {
            problem(join(path, name), "must be <= " + max + ", was " + value);
        }
        return value;
    }

    /** {@code true} or {@code false}; the default when the element is absent. */
    public boolean bool(
            final @NotNull Element parent,
            final @NotNull String path,
            final @NotNull String name,
            final boolean defaultValue) {
        final String text = text(parent, path, name);
        if (text == null) {
            return defaultValue;
        }
        if ("true".equals(text)) {
            return true;
        }
        if ("false".equals(text)) {
            return false;
        }
        problem(join(path, name), "must be true or false, was '" + text + "'");
        return defaultValue;
    }

    /**
     * The item elements of a list element, e.g. {@code <services><service>..}; empty when the list is
     * absent. Other children of the list are reported.
     */
    /** The single child element {@code name} of {@code parent} (a block of settings), or {@code null}. */
    public @Nullable Element element(
            final @NotNull Element parent, final @NotNull String path, final @NotNull String name) {
        final List<Element> found = children(parent, name);
        if (found.size() > 1) {
            problem(join(path, name), "appears " + found.size() + " times, at most once is allowed");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    public @NotNull List<Element> items(
            final @NotNull Element parent,
            final @NotNull String path,
            final @NotNull String listName,
            final @NotNull String itemName) {
        final List<Element> lists = children(parent, listName);
        if (lists.isEmpty()) {
            return List.of();
        }
        if (lists.size() > 1) {
            problem(join(path, listName), "appears " + lists.size() + " times, at most once is allowed");
        }
        final Element list = lists.get(0);
        rejectUnknown(list, join(path, listName), itemName);
        return children(list, itemName);
    }

    /** The distinct, expanded, non-empty texts of a list's items, in order. */
    public @NotNull List<String> texts(
            final @NotNull Element parent,
            final @NotNull String path,
            final @NotNull String listName,
            final @NotNull String itemName) {
        final Set<String> values = new LinkedHashSet<>();
        final String itemPath = join(join(path, listName), itemName);
        for (final Element item : items(parent, path, listName, itemName)) {
            final String value = expand(itemPath, item.getTextContent().trim());
            if (value.isEmpty()) {
                problem(itemPath, "must not be empty");
            } else if (!values.add(value)) {
                problem(itemPath, "lists '" + value + "' twice");
            }
        }
        return List.copyOf(values);
    }

    /** The texts of all direct children named {@code name} (for repeated elements inside an item). */
    public @NotNull List<String> repeated(
            final @NotNull Element parent, final @NotNull String path, final @NotNull String name) {
        final List<String> values = new ArrayList<>();
        for (final Element element : children(parent, name)) {
            final String value =
                    expand(join(path, name), element.getTextContent().trim());
            if (value.isEmpty()) {
                problem(join(path, name), "must not be empty");
            } else {
                values.add(value);
            }
        }
        return values;
    }

    /** Throws with every recorded problem, if there is any. */
    public void finish() throws InvalidConfigException {
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }

    private @NotNull String expand(final @NotNull String path, final @NotNull String text) {
        final Matcher matcher = PLACEHOLDER.matcher(text);
        final StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            final String value = environment.get(matcher.group(1));
            if (value == null) {
                problem(path, "uses ${" + matcher.group(1) + "} but that environment variable is not set");
                matcher.appendReplacement(out, "");
            } else {
                matcher.appendReplacement(out, Matcher.quoteReplacement(value));
            }
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static @NotNull String join(final @NotNull String path, final @NotNull String name) {
        return path.isEmpty() ? name : path + "/" + name;
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
