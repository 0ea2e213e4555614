package dev.certguard.broker.testing;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.certguard.broker.BrokerHome;
import dev.certguard.broker.BrokerStartException;
import dev.certguard.broker.EmbeddedBroker;
import dev.certguard.broker.HiveMqConfigXml;
import dev.certguard.crypto.NativeCrypto;
import dev.certguard.pki.DevPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real HiveMQ, embedded, running the packaged certguard extension folders from a fresh home in a
 * test's temporary directory, with a mutual-TLS listener named {@code tls} (and optionally a plain
 * listener) on 127.0.0.1, and clients that connect to it. Not thread-safe to build; its clients are.
 */
public final class TestBroker implements AutoCloseable {

    public static final String TLS_LISTENER = "tls";

    private final EmbeddedBroker broker;
    private final BrokerHome home;
    private final TestPki pki;
    private final int tlsPort;
    private final int plainPort;

    private TestBroker(
            final EmbeddedBroker broker,
            final BrokerHome home,
            final TestPki pki,
            final int tlsPort,
            final int plainPort) {
        this.broker = broker;
        this.home = home;
        this.pki = pki;
        this.tlsPort = tlsPort;
        this.plainPort = plainPort;
        LogLineGuard.ensureAttached();
    }

    public static Builder builder(final Path dir) {
        return new Builder(dir);
    }

    /** Builds a home in a directory; {@link #start()} runs it, {@link #startExpectingFailure()} expects refusal. */
    public static final class Builder {
        private final Path dir;
        private final Map<String, String> extensionConfigs = new LinkedHashMap<>();
        private String plainListener;
        private TestPki pki;
        private final List<X509Certificate> alsoTrusted = new ArrayList<>();
        private final List<Path> extraCrls = new ArrayList<>();

        private Builder(final Path dir) {
            this.dir = dir;
        }

        /** Replaces {@code extensions/<id>/conf/config.xml} with {@code xml}. */
        public Builder extensionConfig(final String id, final String xml) {
            extensionConfigs.put(id, xml);
            return this;
        }

        /** Adds a plain TCP listener with this name (for username-identity tests). */
        public Builder plainListener(final String name) {
            plainListener = name;
            return this;
        }

        /** The PKI of this broker (created by {@link #prepare()} unless one was given). */
        public TestPki pki() {
            return pki;
        }

        /** Trusts client certificates from these CAs too (the TLS listener's truststore holds them beside the PKI's CA). */
        public Builder trust(final List<X509Certificate> cas) {
            alsoTrusted.addAll(cas);
            return this;
        }

        /**
         * Trusts client certificates from {@code cas} too, and has the crl-extension check them
         * against {@code crls} beside the PKI's own CRL, refreshed every second.
         */
        public Builder trustWithCrls(final List<X509Certificate> cas, final List<Path> crls) {
            trust(cas);
            extraCrls.addAll(crls);
            return this;
        }

        /** Uses an existing PKI instead of a new one. */
        public Builder pki(final TestPki existing) {
            pki = existing;
            return this;
        }

        /** Writes the home without starting HiveMQ. */
        public BrokerHome prepare() {
            try {
                if (pki == null) {
                    pki = TestPki.create(dir.resolve("pki"));
                }
                final BrokerHome home = new BrokerHome(dir.resolve("home-" + UUID.randomUUID()));
                final int tlsPort = freePort();
                final HiveMqConfigXml config = new HiveMqConfigXml()
                        .tlsListener(
                                TLS_LISTENER,
                                "127.0.0.1",
                                tlsPort,
                                pki.devPki().brokerKeystore(),
                                DevPki.KEYSTORE_PASSWORD,
                                truststore(home),
                                DevPki.KEYSTORE_PASSWORD)
                        .inMemoryPersistence();
                final int plainPort = plainListener == null ? -1 : freePort();
                if (plainListener != null) {
                    config.tcpListener(plainListener, "127.0.0.1", plainPort);
                }
                config.write(home.configFile());
                Files.writeString(home.conf().resolve("logback.xml"), QUIET_LOGBACK);
                home.installExtensionsFrom(BrokerHome.template());
                Files.writeString(
                        home.extension("crl-extension").resolve("conf").resolve("config.xml"),
                        extraCrls.isEmpty() ? crlConfig(pki.devPki()) : crlConfigWithExtras(home));
                for (final Map.Entry<String, String> entry : extensionConfigs.entrySet()) {
                    Files.writeString(
                            home.extension(entry.getKey()).resolve("conf").resolve("config.xml"), entry.getValue());
                }
                this.tlsPort = tlsPort;
                this.plainPort = plainPort;
                return home;
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private int tlsPort;
        private int plainPort;

        private String crlConfigWithExtras(final BrokerHome home) throws IOException {
            final List<X509Certificate> all = new ArrayList<>();
            all.add(pki.authority().certificate());
            all.addAll(alsoTrusted);
            final Path bundle = dir.resolve("ca-bundle-" + UUID.randomUUID() + ".pem");
            dev.certguard.pki.PemFiles.writeCertificates(bundle, true, all.toArray(new X509Certificate[0]));
            final StringBuilder sources =
                    new StringBuilder("<crl-source>" + pki.devPki().crlPem() + "</crl-source>");
            for (final Path crl : extraCrls) {
                sources.append("<crl-source>").append(crl).append("</crl-source>");
            }
            return """
                    <crl-extension>
                        <ca-certificates>%s</ca-certificates>
                        <crl-sources>%s</crl-sources>
                        <refresh-interval-seconds>1</refresh-interval-seconds>
                    </crl-extension>"""
                    .formatted(bundle, sources);
        }

        /** The PKI's truststore, or a copy of it that also holds {@link #trust}'s CAs. */
        private Path truststore(final BrokerHome home) throws IOException {
            if (alsoTrusted.isEmpty()) {
                return pki.devPki().truststore();
            }
            try {
                final KeyStore store = KeyStore.getInstance("PKCS12");
                try (var in = Files.newInputStream(pki.devPki().truststore())) {
                    store.load(in, DevPki.KEYSTORE_PASSWORD.toCharArray());
                }
                for (int i = 0; i < alsoTrusted.size(); i++) {
                    store.setCertificateEntry("also-trusted-" + i, alsoTrusted.get(i));
                }
                final Path file = dir.resolve("truststore-" + UUID.randomUUID() + ".p12");
                try (var out = Files.newOutputStream(file)) {
                    store.store(out, DevPki.KEYSTORE_PASSWORD.toCharArray());
                }
                return file;
            } catch (final java.security.GeneralSecurityException e) {
                throw new IOException("cannot write the test truststore", e);
            }
        }

        public TestBroker start() throws BrokerStartException {
            // The providers the launcher installs, so every end-to-end test runs the broker's handshakes on them.
            NativeCrypto.install(NativeCrypto.wantedHere());
            final BrokerHome home = prepare();
            return new TestBroker(EmbeddedBroker.start(home, Duration.ofSeconds(60)), home, pki, tlsPort, plainPort);
        }

        /** Starts a home already written by {@link #prepare()} (and perhaps altered by the test). */
        public TestBroker start(final BrokerHome home) throws BrokerStartException {
            NativeCrypto.install(NativeCrypto.wantedHere());
            return new TestBroker(EmbeddedBroker.start(home, Duration.ofSeconds(60)), home, pki, tlsPort, plainPort);
        }
    }

    /** The crl-extension configuration for a dev-layout PKI: its CA and CRL file, refreshed every second. */
    public static String crlConfig(final DevPki pki) {
        return """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources><crl-source>%s</crl-source></crl-sources>
                    <refresh-interval-seconds>1</refresh-interval-seconds>
                </crl-extension>
                """
                .formatted(pki.caCertificate().toAbsolutePath(), pki.crlPem().toAbsolutePath());
    }

    /** The crl-extension configuration for one HTTP source on this host at {@code port}, path {@code /crl/IOTmidCA.crl}, refreshed every second with a 1 s timeout. */
    public static String httpCrlConfig(final DevPki pki, final int port) {
        return """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources><crl-source>http://127.0.0.1:%d/crl/IOTmidCA.crl</crl-source></crl-sources>
                    <refresh-interval-seconds>1</refresh-interval-seconds>
                    <http-timeout-seconds>1</http-timeout-seconds>
                </crl-extension>"""
                .formatted(pki.caCertificate(), port);
    }

    private static final String QUIET_LOGBACK =
            """
            <configuration>
                <statusListener class="ch.qos.logback.core.status.NopStatusListener"/>
                <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n%ex</pattern></encoder>
                </appender>
                <appender name="CERTGUARD_LOG_GUARD" class="dev.certguard.broker.testing.LogLineGuard"/>
                <logger name="dev.certguard" level="INFO"/>
                <logger name="certguard.audit" level="INFO" additivity="false">
                    <appender-ref ref="CERTGUARD_LOG_GUARD"/>
                </logger>
                <root level="WARN">
                    <appender-ref ref="CONSOLE"/>
                    <appender-ref ref="CERTGUARD_LOG_GUARD"/>
                </root>
            </configuration>
            """;

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TestPki pki() {
        return pki;
    }

    public BrokerHome home() {
        return home;
    }

    public int tlsPort() {
        return tlsPort;
    }

    public int plainPort() {
        return plainPort;
    }

    public EmbeddedBroker embedded() {
        return broker;
    }

    /** The value of a certguard counter, 0 when it does not exist. */
    public long counter(final String name) {
        final var counter = broker.metrics().getCounters().get(name);
        return counter == null ? 0 : counter.getCount();
    }

    /** The value of a gauge, or null when it does not exist. */
    public Object gauge(final String name) {
        final var gauge = broker.metrics().getGauges().get(name);
        return gauge == null ? null : gauge.getValue();
    }

    /** The CONNACK code refusing {@code device}; fails when the device is admitted. */
    public com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode refusal(
            final Credentials device) {
        try {
            mqtt5(device, "refused").connect();
        } catch (final com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
        throw new AssertionError(device.certificate().getSubjectX500Principal() + " was admitted");
    }

    public Mqtt5BlockingClient mqtt5(final Credentials credentials, final String clientId) {
        return mqtt5(credentials.sslConfig(), clientId);
    }

    public Mqtt5BlockingClient mqtt5(final MqttClientSslConfig ssl, final String clientId) {
        return Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost("localhost")
                .serverPort(tlsPort)
                .sslConfig(ssl)
                .buildBlocking();
    }

    public Mqtt3BlockingClient mqtt3(final Credentials credentials, final String clientId) {
        return Mqtt3Client.builder()
                .identifier(clientId)
                .serverHost("localhost")
                .serverPort(tlsPort)
                .sslConfig(credentials.sslConfig())
                .buildBlocking();
    }

    /** An MQTT 5 client on the plain listener. */
    public Mqtt5BlockingClient plainMqtt5(final String clientId) {
        return Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(plainPort)
                .buildBlocking();
    }

    /**
     * Stops the broker, then fails when any line certguard logged while it ran held a raw control
     * character or was unbounded ({@link LogLineGuard}).
     */
    @Override
    public void close() {
        broker.close();
        final List<String> violations = LogLineGuard.drain();
        if (!violations.isEmpty()) {
            throw new AssertionError(
                    "certguard logged " + violations.size() + " unsafe line(s):\n  " + String.join("\n  ", violations));
        }
    }
}
