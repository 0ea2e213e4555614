package dev.certguard.testing.reference;

import dev.certguard.config.ConfigElement;
import dev.certguard.config.ConfigElement.Kind;
import dev.certguard.config.ConfigSchema;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import dev.certguard.reason.Reason;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the operator-facing reference of a {@link ConfigSchema}: the Markdown table of
 * {@code docs/reference/<extension>.md}, the XML schema shipped as {@code conf/config.xsd}, and a
 * document holding every element (for the test that proves a parser reads every definition).
 * Deterministic: declaration order, {@code \n} line endings. Stateless; thread-safe.
 */
public final class ReferenceGenerator {

    /** A value that is a {@code ${ENV}} placeholder; written without the two characters Maven filters. */
    private static final String PLACEHOLDER_PATTERN = ".*[$]\\{[A-Za-z_][A-Za-z0-9_]*\\}.*";

    private ReferenceGenerator() {}

    /** The configuration table: element path, type, default, allowed values, meaning. */
    public static String configTable(final ConfigSchema schema) {
        final StringBuilder out = new StringBuilder();
        out.append("| element | type | default | allowed | meaning |\n");
        out.append("|---|---|---|---|---|\n");
        for (final ConfigElement element : schema.elements()) {
            final String path = element.kind() == Kind.LIST ? schema.itemPath(element) : schema.path(element);
            out.append("| `")
                    .append(path)
                    .append("` | ")
                    .append(cell(type(element)))
                    .append(" | ")
                    .append(cell(defaultValue(element)))
                    .append(" | ")
                    .append(cell(allowed(element)))
                    .append(" | ")
                    .append(cell(element.meaning()))
                    .append(" |\n");
        }
        return out.toString();
    }

    /**
     * The metrics table: full Dropwizard name, type, meaning; an enumerated parameter gives one row
     * per value, a free one stays a placeholder.
     */
    public static String metricsTable(final String extensionId, final List<MetricDefinition> definitions) {
        final String prefix = ExtensionMetrics.prefix(extensionId);
        final StringBuilder out = new StringBuilder();
        out.append("| metric | type | meaning |\n");
        out.append("|---|---|---|\n");
        for (final MetricDefinition definition : definitions) {
            if (definition.values().isEmpty()) {
                final String name = definition.parameter() == null
                        ? definition.template()
                        : definition.template().replace("{", "<").replace("}", ">");
                row(out, prefix + name, definition.type().label(), definition.meaning());
            } else {
                for (final Map.Entry<String, String> value : definition.values().entrySet()) {
                    row(
                            out,
                            prefix + definition.template().replace("{" + definition.parameter() + "}", value.getKey()),
                            definition.type().label(),
                            definition.meaning().replaceAll("\\.$", "") + ": " + value.getValue() + ".");
                }
            }
        }
        return out.toString();
    }

    /**
     * The reasons table: packet, MQTT 5 code, what an MQTT 3.1.1 client sees, the reason string
     * ({@code {placeholders}} are filled when sent), when it is sent, and the audit/metric name.
     */
    public static String reasonsTable(final List<Reason> reasons) {
        final StringBuilder out = new StringBuilder();
        out.append("| packet | MQTT 5 code | MQTT 3.1.1 | reason string | when | audit `reason` |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (final Reason reason : reasons) {
            out.append("| ")
                    .append(reason.packet())
                    .append(" | ")
                    .append(String.format("`0x%02X` %s", reason.mqtt5Code(), reason.codeName()))
                    .append(" | ")
                    .append(mqtt3(reason))
                    .append(" | `")
                    .append(reason.template().replace("|", "\\|"))
                    .append("` | ")
                    .append(cell(reason.meaning()))
                    .append(" | ")
                    .append(reason.name() == null ? "" : "`" + reason.name() + "`")
                    .append(" |\n");
        }
        return out.toString();
    }

    /** What an MQTT 3.1.1 client sees instead (HiveMQ's mapping of the CONNACK codes). */
    private static String mqtt3(final Reason reason) {
        if (reason.mqtt3() != null) {
            return cell(reason.mqtt3());
        }
        switch (reason.packet()) {
            case CONNACK:
                switch (reason.mqtt5Code()) {
                    case 0x85:
                        return "CONNACK `0x02` identifier rejected";
                    case 0x86:
                        return "CONNACK `0x04` bad username or password";
                    case 0x88:
                        return "CONNACK `0x03` server unavailable";
                    default:
                        return "CONNACK `0x05` not authorized";
                }
            case DISCONNECT:
                return "the connection is closed";
            case SUBACK:
                return "SUBACK `0x80` failure";
            case PUBACK:
            default:
                return "the connection is closed (MQTT 3.1.1 has no negative PUBACK)";
        }
    }

    private static void row(final StringBuilder out, final String name, final String type, final String meaning) {
        out.append("| `")
                .append(name)
                .append("` | ")
                .append(type)
                .append(" | ")
                .append(cell(meaning))
                .append(" |\n");
    }

    private static String type(final ConfigElement element) {
        switch (element.kind()) {
            case BOOLEAN:
                return "boolean";
            case NUMBER:
                return element.unit() == ConfigElement.Unit.NONE
                        ? "whole number"
                        : "whole number (" + element.unit().label() + ")";
            case CHOICE:
                return "choice";
            case LIST:
                return "list of `<" + element.itemName() + ">`";
            case ITEMS:
                return "list of `<" + element.itemName() + ">` blocks";
            case BLOCK:
                return "block";
            case REPEATED:
                return "text, repeatable";
            case TEXT:
            default:
                return "text";
        }
    }

    private static String defaultValue(final ConfigElement element) {
        if (element.isRequired()) {
            return "required";
        }
        if (element.defaultText() != null) {
            return "`" + element.defaultText() + "`";
        }
        switch (element.kind()) {
            case LIST:
            case ITEMS:
            case REPEATED:
                return "none";
            case BLOCK:
                return "absent";
            default:
                return "none";
        }
    }

    private static String allowed(final ConfigElement element) {
        switch (element.kind()) {
            case NUMBER:
                return String.format("%,d to %,d", element.min(), element.max());
            case BOOLEAN:
            case CHOICE:
                return element.choices().stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "));
            case ITEMS:
            case BLOCK:
                return "the elements below";
            default:
                return element.format();
        }
    }

    /** A table cell: pipes escaped, one line, and angle brackets outside code spans shown as text. */
    static String cell(final String text) {
        final String[] parts = text.replace("|", "\\|").replace("\n", " ").split("`", -1);
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                out.append('`');
            }
            out.append(i % 2 == 0 ? parts[i].replace("<", "&lt;").replace(">", "&gt;") : parts[i]);
        }
        return out.toString();
    }

    /**
     * An XML schema (XSD 1.0, no namespace) for the file, so that an operator's editor validates it.
     * Every number, boolean and choice also accepts a {@code ${ENV}} placeholder; a block whose
     * elements appear at most once is an {@code xs:all}; the Java parser stays the authority on what
     * the schema cannot say (paths, certificates, identities, topic filters).
     */
    public static String xsd(final ConfigSchema schema) {
        final StringBuilder out = new StringBuilder();
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.append("<!-- The schema of ")
                .append(schema.fileName())
                .append(", generated from the extension's code: do not edit by hand. -->\n");
        out.append("<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n\n");
        out.append("  <xs:simpleType name=\"placeholder\">\n");
        out.append("    <xs:annotation><xs:documentation>An environment variable placeholder, expanded when the")
                .append(" file is read.</xs:documentation></xs:annotation>\n");
        out.append("    <xs:restriction base=\"xs:token\">\n");
        out.append("      <xs:pattern value=\"").append(PLACEHOLDER_PATTERN).append("\"/>\n");
        out.append("    </xs:restriction>\n");
        out.append("  </xs:simpleType>\n\n");
        element(out, schema.root(), "  ", false);
        out.append("\n</xs:schema>\n");
        return out.toString();
    }

    private static void element(
            final StringBuilder out, final ConfigElement element, final String indent, final boolean inAll) {
        out.append(indent).append("<xs:element name=\"").append(element.name()).append('"');
        if (inAll && !element.isRequired()) {
            out.append(" minOccurs=\"0\"");
        }
        out.append(">\n");
        documentation(out, element, indent + "  ");
        final String inner = indent + "  ";
        switch (element.kind()) {
            case BOOLEAN:
            case CHOICE:
                restriction(
                        out,
                        inner,
                        "xs:token",
                        element.choices().stream()
                                .map(c -> "<xs:enumeration value=\"" + escape(c) + "\"/>")
                                .collect(Collectors.toList()));
                break;
            case NUMBER:
                restriction(
                        out,
                        inner,
                        "xs:long",
                        List.of(
                                "<xs:minInclusive value=\"" + element.min() + "\"/>",
                                "<xs:maxInclusive value=\"" + element.max() + "\"/>"));
                break;
            case TEXT:
                out.append(inner)
                        .append(
                                element.isRequired()
                                        ? "<xs:simpleType><xs:restriction base=\"xs:string\"><xs:minLength value=\"1\"/>"
                                                + "</xs:restriction></xs:simpleType>\n"
                                        : "<xs:simpleType><xs:restriction base=\"xs:string\"/></xs:simpleType>\n");
                break;
            case REPEATED:
                out.append(inner)
                        .append("<xs:simpleType><xs:restriction base=\"xs:string\"><xs:minLength value=\"1\"/>"
                                + "</xs:restriction></xs:simpleType>\n");
                break;
            case LIST:
                out.append(inner).append("<xs:complexType>\n");
                out.append(inner).append("  <xs:sequence>\n");
                out.append(inner)
                        .append("    <xs:element name=\"")
                        .append(element.itemName())
                        .append("\" minOccurs=\"0\" maxOccurs=\"unbounded\">\n");
                out.append(inner)
                        .append("      <xs:simpleType><xs:restriction base=\"xs:string\"><xs:minLength value=\"1\"/>"
                                + "</xs:restriction></xs:simpleType>\n");
                out.append(inner).append("    </xs:element>\n");
                out.append(inner).append("  </xs:sequence>\n");
                out.append(inner).append("</xs:complexType>\n");
                break;
            case ITEMS:
                out.append(inner).append("<xs:complexType>\n");
                out.append(inner).append("  <xs:sequence>\n");
                out.append(inner)
                        .append("    <xs:element name=\"")
                        .append(element.itemName())
                        .append("\" minOccurs=\"0\" maxOccurs=\"unbounded\">\n");
                children(out, element.children(), inner + "      ");
                out.append(inner).append("    </xs:element>\n");
                out.append(inner).append("  </xs:sequence>\n");
                out.append(inner).append("</xs:complexType>\n");
                break;
            case BLOCK:
            default:
                children(out, element.children(), inner);
                break;
        }
        out.append(indent).append("</xs:element>\n");
    }

    private static void children(final StringBuilder out, final List<ConfigElement> children, final String indent) {
        final boolean repeats = children.stream().anyMatch(c -> c.kind() == Kind.REPEATED);
        out.append(indent).append("<xs:complexType>\n");
        if (repeats) {
            // xs:all cannot hold a repeatable element in XSD 1.0: the parser enforces "at most once" and
            // the required elements of such a block.
            out.append(indent).append("  <xs:choice minOccurs=\"0\" maxOccurs=\"unbounded\">\n");
            for (final ConfigElement child : children) {
                element(out, child, indent + "    ", false);
            }
            out.append(indent).append("  </xs:choice>\n");
        } else {
            out.append(indent).append("  <xs:all>\n");
            for (final ConfigElement child : children) {
                element(out, child, indent + "    ", true);
            }
            out.append(indent).append("  </xs:all>\n");
        }
        out.append(indent).append("</xs:complexType>\n");
    }

    private static void restriction(
            final StringBuilder out, final String indent, final String base, final List<String> facets) {
        out.append(indent).append("<xs:simpleType>\n");
        out.append(indent).append("  <xs:union memberTypes=\"placeholder\">\n");
        out.append(indent).append("    <xs:simpleType>\n");
        out.append(indent).append("      <xs:restriction base=\"").append(base).append("\">\n");
        for (final String facet : facets) {
            out.append(indent).append("        ").append(facet).append('\n');
        }
        out.append(indent).append("      </xs:restriction>\n");
        out.append(indent).append("    </xs:simpleType>\n");
        out.append(indent).append("  </xs:union>\n");
        out.append(indent).append("</xs:simpleType>\n");
    }

    private static void documentation(final StringBuilder out, final ConfigElement element, final String indent) {
        String text = element.meaning();
        if (element.defaultText() != null) {
            text += " Default: " + element.defaultText() + ".";
        } else if (element.isRequired()) {
            text += " Required.";
        }
        out.append(indent)
                .append("<xs:annotation><xs:documentation>")
                .append(escape(text))
                .append("</xs:documentation></xs:annotation>\n");
    }

    /**
     * A document holding every element of the schema once (lists with one item): the value from
     * {@code samples} where given, else the default, else {@code sample}.
     */
    public static String exampleDocument(final ConfigSchema schema, final Map<ConfigElement, String> samples) {
        final StringBuilder out = new StringBuilder();
        out.append('<').append(schema.root().name()).append(">\n");
        for (final ConfigElement child : schema.root().children()) {
            example(out, child, samples, "  ");
        }
        out.append("</").append(schema.root().name()).append(">\n");
        return out.toString();
    }

    private static void example(
            final StringBuilder out,
            final ConfigElement element,
            final Map<ConfigElement, String> samples,
            final String indent) {
        final String value =
                samples.getOrDefault(element, element.defaultText() == null ? "sample" : element.defaultText());
        switch (element.kind()) {
            case LIST:
                out.append(indent).append('<').append(element.name()).append(">\n");
                out.append(indent)
                        .append("  ")
                        .append(tag(element.itemName(), value))
                        .append('\n');
                out.append(indent).append("</").append(element.name()).append(">\n");
                break;
            case ITEMS:
                out.append(indent).append('<').append(element.name()).append(">\n");
                out.append(indent).append("  <").append(element.itemName()).append(">\n");
                for (final ConfigElement child : element.children()) {
                    example(out, child, samples, indent + "    ");
                }
                out.append(indent).append("  </").append(element.itemName()).append(">\n");
                out.append(indent).append("</").append(element.name()).append(">\n");
                break;
            case BLOCK:
                out.append(indent).append('<').append(element.name()).append(">\n");
                for (final ConfigElement child : element.children()) {
                    example(out, child, samples, indent + "  ");
                }
                out.append(indent).append("</").append(element.name()).append(">\n");
                break;
            default:
                out.append(indent).append(tag(element.name(), value)).append('\n');
                break;
        }
    }

    private static String tag(final String name, final String value) {
        return "<" + name + ">" + escape(value) + "</" + name + ">";
    }

    private static String escape(final String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
