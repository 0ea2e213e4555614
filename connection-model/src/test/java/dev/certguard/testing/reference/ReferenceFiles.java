package dev.certguard.testing.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.config.ConfigElement;
import dev.certguard.config.ConfigElement.Kind;
import dev.certguard.config.ConfigSchema;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The committed reference files checked against what the code generates: a test fails when a file
 * differs, and rewrites it instead when run with {@code -Dcertguard.reference.write=true} (the build
 * step that regenerates the references). Stateless; thread-safe.
 */
public final class ReferenceFiles {

    public static final String WRITE_PROPERTY = "certguard.reference.write";
    private static final String REWRITE = "mvn -q install -DskipTests && mvn -q -pl"
            + " acl-extension,disconnect-extension,crl-extension,broker-config test -Dtest='*ReferenceTest'"
            + " -Dsurefire.failIfNoSpecifiedTests=false -D" + WRITE_PROPERTY + "=true (docs/testing.md)";

    private ReferenceFiles() {}

    private static boolean writing() {
        return Boolean.getBoolean(WRITE_PROPERTY);
    }

    /** Asserts that {@code file} holds exactly {@code expected} (or writes it). */
    public static void assertFile(final Path file, final String expected) throws IOException {
        if (writing()) {
            Files.writeString(file, expected, StandardCharsets.UTF_8);
            return;
        }
        assertThat(file).as("%s is generated; run: %s", file, REWRITE).exists();
        assertThat(Files.readString(file, StandardCharsets.UTF_8))
                .as("%s is generated from the code and differs; run: %s", file, REWRITE)
                .isEqualTo(expected);
    }

    /**
     * Asserts that the region {@code name} of a Markdown file, between {@code <!-- generated:name -->}
     * and {@code <!-- /generated:name -->}, holds exactly {@code content} (or writes it).
     */
    public static void assertRegion(final Path markdown, final String name, final String content) throws IOException {
        final String document = Files.readString(markdown, StandardCharsets.UTF_8);
        final String replaced = replaceRegion(document, name, content);
        if (writing()) {
            Files.writeString(markdown, replaced, StandardCharsets.UTF_8);
            return;
        }
        assertThat(document)
                .as("the '%s' region of %s is generated from the code and differs; run: %s", name, markdown, REWRITE)
                .isEqualTo(replaced);
    }

    static String replaceRegion(final String document, final String name, final String content) {
        final String open = "<!-- generated:" + name + " -->\n";
        final String close = "<!-- /generated:" + name + " -->";
        final int start = document.indexOf(open);
        final int end = document.indexOf(close);
        if (start < 0 || end < start || document.indexOf(open, start + 1) >= 0) {
            throw new AssertionError("expected exactly one region " + open.trim() + " ... " + close);
        }
        return document.substring(0, start + open.length()) + "\n" + content + "\n" + document.substring(end);
    }

    /** The XML schema compiled with secure processing and no external access. */
    public static Schema compile(final String xsd) throws Exception {
        final SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return factory.newSchema(new StreamSource(new StringReader(xsd)));
    }

    /** Validates {@code xml} against {@code schema}; throws the validator's error when it is invalid. */
    public static void validate(final Schema schema, final String xml) throws Exception {
        schema.newValidator().validate(new StreamSource(new StringReader(xml)));
    }

    /**
     * The shipped {@code conf/config.xml} against the definitions: it names {@code config.xsd} and
     * validates against the schema generated from them, it names every element (live or in a comment, so an operator sees what exists), and every
     * element it sets holds the code's default.
     */
    public static void assertShippedConfig(final ConfigSchema schema, final Path configXml) throws Exception {
        final String raw = Files.readString(configXml, StandardCharsets.UTF_8);
        assertThat(raw).as("%s names its schema", configXml).contains("xsi:noNamespaceSchemaLocation=\"config.xsd\"");
        validate(compile(ReferenceGenerator.xsd(schema)), raw);
        final List<String> missing = new ArrayList<>();
        for (final ConfigElement element : schema.elements()) {
            if (!raw.contains("<" + element.name() + ">")) {
                missing.add(schema.path(element));
            }
        }
        assertThat(missing)
                .as("elements %s does not show, live or in a comment", configXml)
                .isEmpty();
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        final Element root =
                factory.newDocumentBuilder().parse(configXml.toFile()).getDocumentElement();
        final List<String> wrong = new ArrayList<>();
        defaults(schema, root, "", wrong);
        assertThat(wrong)
                .as("elements of %s that differ from the code's default", configXml)
                .isEmpty();
    }

    private static void defaults(
            final ConfigSchema schema, final Element parent, final String path, final List<String> wrong) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (!(node instanceof Element)) {
                continue;
            }
            final Element child = (Element) node;
            final String childPath = path.isEmpty() ? child.getTagName() : path + "/" + child.getTagName();
            final ConfigElement definition = schema.find(childPath);
            if (definition == null) {
                // A list item: its children sit under the item's path, which the schema also knows.
                defaults(schema, child, childPath, wrong);
                continue;
            }
            final Kind kind = definition.kind();
            if ((kind == Kind.BOOLEAN || kind == Kind.NUMBER || kind == Kind.CHOICE)
                    && !child.getTextContent().trim().equals(definition.defaultText())) {
                wrong.add(childPath + " is '" + child.getTextContent().trim() + "', the default is '"
                        + definition.defaultText() + "'");
            }
            defaults(schema, child, childPath, wrong);
        }
    }
}
