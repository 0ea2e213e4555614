package dev.certguard.broker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.LogLineGuard;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.pki.CertificateAuthority;
import dev.certguard.testing.HostileCrls;
import dev.certguard.text.UntrustedText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every source of untrusted text an attacker can reach the packaged broker through, each fed the same
 * hostile texts (a newline followed by a forged log line, a carriage return, an ANSI escape, NUL, a
 * right-to-left override, a huge text): a CRL file's time field and issuer name, an HTTP CRL server's
 * status line, headers and body, a device certificate's CN, an intermediate CA's name, a client id,
 * a topic and a username. The broker's log guard ({@link LogLineGuard}) must record no line of
 * certguard's, audit trail included, with a raw control or format character or longer than its bound,
 * and each hostile input must have been logged (escaped), so the test cannot pass by logging nothing.
 */
class HostileTextEndToEndTest {

    private static final String FORGED = "\n2026-12-06 12:00:00.000 INFO  CrlRefresher - crl-extension: CRL in use";

    /** The hostile texts; the huge one is sized for each carrier's own limit. */
    private record Hostile(String name, String text) {}

    private static List<Hostile> hostile(final int huge) {
        return List.of(
                new Hostile("newline", FORGED),
                new Hostile("cr", "\rWARN forged"),
                new Hostile("ansi", "\u001b[2J\u001b[31mred"),
                new Hostile("nul", "a\u0000b"),
                new Hostile("rlo", "\u202egpj.exe"),
                new Hostile("huge", "x".repeat(huge)));
    }

    @TempDir
    static Path dir;

    static TestPki pki;
    static TestBroker broker;
    static Path hostileFile;
    static ServerSocket http;
    static final AtomicReference<byte[]> httpAnswer = new AtomicReference<>(new byte[0]);
    static final java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        http = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread server = new Thread(HostileTextEndToEndTest::serve, "hostile-http");
        server.setDaemon(true);
        server.start();
        pki = TestPki.create(dir.resolve("pki"));
        hostileFile = dir.resolve("hostile.crl");
        Files.copy(pki.devPki().crlPem(), hostileFile);
        broker = TestBroker.builder(dir)
                .pki(pki)
                .plainListener("plain-testing")
                .extensionConfig(
                        "crl-extension",
                        """
                        <crl-extension>
                            <ca-certificates>%s</ca-certificates>
                            <crl-sources>
                                <crl-source>%s</crl-source>
                                <crl-source>%s</crl-source>
                                <crl-source>http://127.0.0.1:%d/crl/hostile.crl</crl-source>
                            </crl-sources>
                            <refresh-interval-seconds>1</refresh-interval-seconds>
                            <http-timeout-seconds>1</http-timeout-seconds>
                        </crl-extension>"""
                                .formatted(
                                        pki.devPki().caCertificate(),
                                        pki.devPki().crlPem(),
                                        hostileFile,
                                        http.getLocalPort()))
                .extensionConfig(
                        "acl-extension",
                        """
                        <acl-extension>
                            <username-identity-listeners><listener>plain-testing</listener></username-identity-listeners>
                        </acl-extension>""")
                .start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (broker != null) {
            broker.close();
        }
        http.close();
    }

    @AfterEach
    void no_line_was_unsafe() {
        assertThat(LogLineGuard.drain()).as("unsafe log lines").isEmpty();
    }

    @Test
    void hostile_crl_time_fields_and_issuer_names_are_logged_escaped() throws Exception {
        for (final Hostile hostile : hostile(1 << 20)) {
            final byte[] time = timeField(hostile.text());
            Files.write(hostileFile, crlWithThisUpdate(hostile.text()));
            awaitLine(
                    time.length == 13
                            ? "malformed time '" + UntrustedText.escape(new String(time, StandardCharsets.ISO_8859_1))
                                    + "'"
                            : "malformed time: " + time.length + " bytes",
                    hostile.name() + " in thisUpdate");

            Files.write(hostileFile, crlFromIssuer("evil " + hostile.name() + hostile.text()));
            awaitLine("'CN=evil " + hostile.name(), hostile.name() + " in the issuer name");
        }
        assertThat(LogLineGuard.linesContaining("thisUpdate: malformed time")).isNotEmpty();
        assertThat(LogLineGuard.linesContaining("'CN=evil newline\\u000a2026-12-06"))
                .isNotEmpty();
        assertThat(LogLineGuard.linesContaining("CN=evil huge" + "x".repeat(100)))
                .allSatisfy(line -> assertThat(line).contains("chars)").hasSizeLessThan(1_000));
    }

    @Test
    void hostile_http_status_lines_headers_and_bodies_are_logged_escaped() throws Exception {
        for (final Hostile hostile : hostile(1 << 20)) {
            final String text = hostile.text();
            for (final String answer : List.of(
                    "HTTP/1.1 " + text + "\r\nContent-Length: 0\r\n\r\n",
                    "HTTP/1.1 200 OK\r\nETag: \"" + text + "\"\r\nContent-Length: 0\r\n\r\n",
                    "HTTP/1.1 503 " + text + "\r\nContent-Length: 0\r\n\r\n",
                    "HTTP/1.1 200 OK\r\nContent-Length: " + text.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n"
                            + text)) {
                httpAnswer.set(answer.getBytes(StandardCharsets.UTF_8));
                // Only a failure counted after the server gave this very answer is this answer's.
                final int served = answered.get();
                final long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (answered.get() <= served + 1 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                final long before = failures("http");
                awaitFailuresAbove(before, hostile.name() + " in " + answer.substring(0, 12));
            }
        }
        assertThat(LogLineGuard.linesContaining("http://127.0.0.1:" + http.getLocalPort()))
                .isNotEmpty();
    }

    @Test
    void hostile_certificate_names_client_ids_topics_and_usernames_are_logged_escaped() throws Exception {
        // A TLS handshake message is at most 32 KiB on the JDK's server: the huge name fits below it.
        int count = 0;
        for (final Hostile hostile : hostile(8_000)) {
            final int n = ++count;
            final Credentials device = pki.client("evil " + hostile.name() + hostile.text());
            refused(() -> broker.mqtt5(device, "hostile-cn-" + n).connect());

            final CertificateAuthority intermediate = pki.authority()
                    .issueIntermediate(
                            "evil CA " + hostile.name() + hostile.text(),
                            Instant.now().plusSeconds(3600));
            refused(() -> broker.mqtt5(pki.clientUnder(intermediate, "admin:under" + n), "hostile-issuer-" + n)
                    .connect());

            final Credentials named = pki.client("admin:named" + n);
            refused(() -> {
                final Mqtt5BlockingClient client = broker.mqtt5(named, "id " + hostile.text());
                client.connect();
                try {
                    client.publish(Mqtt5Publish.builder()
                            .topic("admin:other/attrs " + hostile.text())
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .build());
                } finally {
                    client.disconnect();
                }
            });

            refused(() -> Mqtt5Client.builder()
                    .identifier("plain-" + n)
                    .serverHost("127.0.0.1")
                    .serverPort(broker.plainPort())
                    .simpleAuth()
                    .username("evil " + hostile.name() + hostile.text())
                    .applySimpleAuth()
                    .buildBlocking()
                    .connect());
        }
        assertThat(LogLineGuard.linesContaining("evil newline\\u000a2026-12-06"))
                .as("the hostile CN was logged, escaped")
                .isNotEmpty();
        assertThat(LogLineGuard.linesContaining("evil CA rlo\\u202egpj.exe"))
                .as("the hostile issuer was logged, escaped")
                .isNotEmpty();
        assertThat(LogLineGuard.linesContaining("evil huge" + "x".repeat(100)))
                .allSatisfy(line -> assertThat(line).hasSizeLessThan(LogLineGuard.MAX_LINE));
        assertThat(LogLineGuard.linesContaining("/id \\u202egpj.exe\""))
                .as("the audit trail wrote the hostile client id, escaped")
                .isNotEmpty();
        assertThat(LogLineGuard.linesContaining("\"topic\":\"admin:other/attrs \\u202egpj.exe\""))
                .as("the audit trail wrote the denied hostile topic, escaped")
                .isNotEmpty();
        assertThat(LogLineGuard.linesContaining("\"identity\":\"evil newline\\n2026-12-06"))
                .as("the audit trail wrote the hostile CN, escaped")
                .isNotEmpty();
        assertThat(LogLineGuard.linesContaining("/id xxxxxxxxxx"))
                .as("the huge client id was cut")
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("...(8016 chars)"));
        assertThat(LogLineGuard.linesContaining("listener plain-testing"))
                .as("the hostile usernames were logged")
                .anySatisfy(line -> assertThat(line).contains("evil rlo\\u202egpj.exe"));
    }

    /** Runs a client step that the broker (or the client library, for what MQTT forbids) refuses. */
    private static void refused(final ThrowingRunnable step) {
        try {
            step.run();
        } catch (final Exception expected) {
            // refused: what matters is what the broker logged about it
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Failures counted for the sources whose name contains {@code source}. */
    private static long failures(final String source) {
        return broker.embedded().metrics().getCounters().entrySet().stream()
                .filter(e -> e.getKey().startsWith("dev.certguard.crl-extension.source.")
                        && e.getKey().contains(source)
                        && e.getKey().endsWith(".failures"))
                .mapToLong(e -> e.getValue().getCount())
                .sum();
    }

    private static void awaitFailuresAbove(final long before, final String what) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (failures("http") <= before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(failures("http")).as("a counted failure for " + what).isGreaterThan(before);
    }

    /** Waits until certguard logged a line containing {@code expected}: the hostile input was read and reported. */
    private static void awaitLine(final String expected, final String what) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (LogLineGuard.linesContaining(expected).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(LogLineGuard.linesContaining(expected))
                .as("a line reporting " + what + ", containing " + expected)
                .isNotEmpty();
    }

    /** The bytes a hostile text puts in the CRL's thisUpdate: 13 (a UTCTime's length) unless huge. */
    private static byte[] timeField(final String text) {
        final byte[] content = text.getBytes(StandardCharsets.UTF_8);
        return content.length > 100 ? content : java.util.Arrays.copyOf(content, 13);
    }

    /** A CRL whose thisUpdate is a UTCTime holding {@code text}: refused before any signature is checked. */
    private static byte[] crlWithThisUpdate(final String text) {
        return HostileCrls.withThisUpdate(pki.authority().certificate().getSubjectX500Principal(), timeField(text));
    }

    /** A well-formed, signed CRL from an issuer nobody configured, named {@code commonName}. */
    private static byte[] crlFromIssuer(final String commonName) throws Exception {
        final KeyPair keys = CertificateAuthority.newKeyPair();
        final Instant now = Instant.now();
        final X509v2CRLBuilder builder = new X509v2CRLBuilder(
                new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(commonName))}),
                Date.from(now.minusSeconds(5)));
        builder.setNextUpdate(Date.from(now.plusSeconds(3600)));
        builder.addExtension(Extension.cRLNumber, false, new CRLNumber(java.math.BigInteger.ONE));
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
                .getEncoded();
    }

    /** Answers every request with the raw bytes a test set, whatever they are. */
    private static void serve() {
        while (!http.isClosed()) {
            try (Socket socket = http.accept()) {
                socket.setSoTimeout(2000);
                final InputStream in = socket.getInputStream();
                int matched = 0;
                final byte[] end = {'\r', '\n', '\r', '\n'};
                while (matched < 4) {
                    final int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                final OutputStream out = socket.getOutputStream();
                out.write(httpAnswer.get());
                out.flush();
                answered.incrementAndGet();
            } catch (final IOException e) {
                // a client that went away, or the server closing
            }
        }
    }
}
