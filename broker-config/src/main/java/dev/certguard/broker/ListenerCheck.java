package dev.certguard.broker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Makes sure HiveMQ serves the listeners the operator configured. HiveMQ expands {@code ${ENV:NAME}}
 * and {@code ${NAME}} anywhere in {@code config.xml}; if one is unset, or the file is otherwise
 * unreadable, it logs an error and silently starts with its default configuration (a plain listener
 * on port 1883) instead. Before start this check demands every placeholder be set; after start it
 * demands every configured listener accept connections. Stateless; thread-safe.
 */
public final class ListenerCheck {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(ENV:)*(.*?)}");
    private static final Set<String> LISTENER_ELEMENTS =
            Set.of("tcp-listener", "tls-tcp-listener", "websocket-listener", "tls-websocket-listener");

    /** A configured listener; {@code tls} for the TLS kinds (TCP and WebSocket). */
    public record Listener(String name, String bindAddress, int port, boolean tls) {

        /** The address a local client reaches it on (the loopback address for a wildcard bind). */
        public String localHost() {
            return bindAddress.equals("0.0.0.0") || bindAddress.equals("::") ? "127.0.0.1" : bindAddress;
        }
    }

    private ListenerCheck() {}

    /** Unset placeholders, and listeners that cannot be read from the file. */
    public static List<String> beforeStart(final BrokerHome home, final Map<String, String> environment) {
        final List<String> problems = new ArrayList<>();
        final String text;
        try {
            text = Files.readString(home.configFile(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            problems.add("cannot read " + home.configFile() + ": " + e.getMessage());
            return problems;
        }
        final Matcher matcher = PLACEHOLDER.matcher(text);
        while (matcher.find()) {
            if (!environment.containsKey(matcher.group(2))) {
                problems.add(home.configFile() + " uses " + matcher.group() + " but the environment variable "
                        + matcher.group(2) + " is not set (HiveMQ would ignore the whole file and use its defaults)");
            }
        }
        if (problems.isEmpty() && listeners(home, environment).isEmpty()) {
            problems.add(home.configFile() + " declares no listener");
        }
        return problems;
    }

    /** Configured listeners that do not accept a TCP connection now. */
    public static List<String> afterStart(final BrokerHome home, final Map<String, String> environment) {
        final List<String> problems = new ArrayList<>();
        for (final Listener listener : listeners(home, environment)) {
            final String host = listener.localHost();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, listener.port()), 2000);
            } catch (final IOException e) {
                problems.add("listener '" + listener.name() + "' on " + listener.bindAddress() + ":" + listener.port()
                        + " is not serving (" + e.getMessage() + "); see HiveMQ's log above for why");
            }
        }
        return problems;
    }

    /** The listeners {@code config.xml} declares, after placeholder expansion. */
    public static List<Listener> listeners(final BrokerHome home, final Map<String, String> environment) {
        final List<Listener> out = new ArrayList<>();
        try {
            final Matcher matcher = PLACEHOLDER.matcher(Files.readString(home.configFile(), StandardCharsets.UTF_8));
            final StringBuilder expanded = new StringBuilder();
            while (matcher.find()) {
                matcher.appendReplacement(
                        expanded, Matcher.quoteReplacement(environment.getOrDefault(matcher.group(2), "")));
            }
            matcher.appendTail(expanded);
            final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            final var builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            final Element root = builder.parse(
                            new ByteArrayInputStream(expanded.toString().getBytes(StandardCharsets.UTF_8)))
                    .getDocumentElement();
            for (final Element listeners : children(root, "listeners")) {
                for (Node node = listeners.getFirstChild(); node != null; node = node.getNextSibling()) {
                    if (node instanceof Element listener && LISTENER_ELEMENTS.contains(listener.getTagName())) {
                        out.add(new Listener(
                                text(listener, "name", listener.getTagName()),
                                text(listener, "bind-address", "0.0.0.0"),
                                Integer.parseInt(text(listener, "port", "-1")),
                                listener.getTagName().startsWith("tls-")));
                    }
                }
            }
        } catch (final Exception e) {
            // Unreadable or malformed: reported as "declares no listener" by beforeStart.
            return List.of();
        }
        return out;
    }

    private static List<Element> children(final Element parent, final String name) {
        final List<Element> out = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                out.add(element);
            }
        }
        return out;
    }

    private static String text(final Element parent, final String name, final String defaultValue) {
        final List<Element> found = children(parent, name);
        return found.isEmpty() ? defaultValue : found.get(0).getTextContent().trim();
    }
}
