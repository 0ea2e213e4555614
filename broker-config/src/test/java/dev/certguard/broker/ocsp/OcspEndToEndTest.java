package dev.certguard.broker.ocsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.sun.net.httpserver.HttpServer;
import dev.certguard.broker.disconnect.Disconnects;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.pki.CertificateAuthority;
import dev.certguard.pki.PemFiles;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * crl-extension as packaged with OCSP only (no CRL source), against Debian's {@code openssl ocsp}
 * responder on 127.0.0.1, with real TLS clients: good, revoked and unknown certificates, a responder
 * that is down (reject and allow), one signing with a key the CA never delegated to, a stale
 * response, a revoked intermediate, a connected client revoked at the responder, and 200 CONNECTs
 * of one certificate sharing one request.
 */
class OcspEndToEndTest {

    private static final String PREFIX = "dev.certguard.crl-extension.";

    @TempDir
    static Path dir;

    static TestPki pki;
    static CertificateAuthority revokedIntermediate;
    static Path bundle;

    @AutoClose
    static TestBroker broker;

    static OpensslResponder responder;
    static OpensslResponder undelegated;
    static HttpServer stale;

    static String config(final String responderUrl, final String whenUnavailable) {
        return """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <ocsp>
                        <enabled>true</enabled>
                        <responder-url>%s</responder-url>
                        <timeout-seconds>2</timeout-seconds>
                        <cache-seconds>60</cache-seconds>
                        <refresh-before-expiry-seconds>58</refresh-before-expiry-seconds>
                        <when-unavailable>%s</when-unavailable>
                    </ocsp>
                </crl-extension>
                """
                .formatted(bundle, responderUrl, whenUnavailable);
    }

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        revokedIntermediate = pki.authority()
                .issueIntermediate("certguard ocsp intermediate", Instant.now().plus(Duration.ofDays(1)));
        bundle = dir.resolve("bundle.pem");
        PemFiles.writeCertificates(bundle, true, pki.authority().certificate(), revokedIntermediate.certificate());
        responder = new OpensslResponder(
                dir.resolve("ocsp"),
                pki.devPki().caCertificate(),
                pki.devPki().caCertificate(),
                pki.devPki().caKey());
        // Revoked before the broker ever asks, so the status it gets never depends on when openssl
        // notices a change of its index (revoking it inside the test failed once in CI that way).
        responder.revoke(revokedIntermediate.certificate());
        final Credentials notDelegated = pki.client("admin:not-a-responder");
        undelegated = new OpensslResponder(
                dir.resolve("ocsp-undelegated"),
                pki.devPki().caCertificate(),
                notDelegated.certificateFile(),
                notDelegated.keyFile());
        stale = staleResponder(pki.authority());
        broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig("crl-extension", config(responder.url(), "reject"))
                .start();
    }

    @AfterAll
    static void stopResponders() throws Exception {
        System.out.println(
                "INDEX\n" + java.nio.file.Files.readString(dir.resolve("ocsp").resolve("index.txt")));
        System.out.println("RESPONDER OUTPUT\n" + responder.output() + "\nUNDELEGATED\n" + undelegated.output());
        responder.close();
        undelegated.close();
        stale.stop(0);
    }

    @BeforeEach
    void rejectByDefault() throws Exception {
        dev.certguard.broker.live.LiveFilesAccess.reconfigure(
                broker, "crl-extension", config(responder.url(), "reject"));
    }

    /** A responder that answers every request with a validly signed response whose nextUpdate has passed. */
    static HttpServer staleResponder(final CertificateAuthority ca) throws Exception {
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try {
                final OCSPReq request = new OCSPReq(exchange.getRequestBody().readAllBytes());
                final BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(
                        new RespID(new JcaX509CertificateHolder(ca.certificate()).getSubject()));
                final Instant now = Instant.now();
                builder.addResponse(
                        request.getRequestList()[0].getCertID(),
                        CertificateStatus.GOOD,
                        Date.from(now.minus(Duration.ofHours(2))),
                        Date.from(now.minus(Duration.ofHours(1))));
                final byte[] body = new OCSPRespBuilder()
                        .build(
                                OCSPRespBuilder.SUCCESSFUL,
                                builder.build(
                                        new JcaContentSignerBuilder(
                                                        ca.privateKey()
                                                                        .getAlgorithm()
                                                                        .equals("EC")
                                                                ? "SHA256withECDSA"
                                                                : "SHA256withRSA")
                                                .build(ca.privateKey()),
                                        null,
                                        Date.from(now)))
                        .getEncoded();
                exchange.getResponseHeaders().add("Content-Type", "application/ocsp-response");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (final Exception e) {
                exchange.sendResponseHeaders(500, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        new JcaDigestCalculatorProviderBuilder().build();
        return server;
    }

    private static Mqtt5ConnAckException refusal(final Credentials credentials, final String clientId) {
        return catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(credentials, clientId)
                .connect());
    }

    private static void connects(final Credentials credentials, final String clientId) {
        final var client = broker.mqtt5(credentials, clientId);
        client.connect();
        client.disconnect();
    }

    @Test
    void a_good_certificate_connects_and_its_next_connect_is_answered_from_the_cache() throws Exception {
        final Credentials device = pki.client("admin:good");
        responder.good(device.certificate());
        final long requests = broker.counter(PREFIX + "ocsp.requests");

        connects(device, "first");
        connects(device, "second");

        assertThat(broker.counter(PREFIX + "ocsp.requests") - requests).isEqualTo(1);
        assertThat(broker.counter(PREFIX + "ocsp.cache-hits")).isGreaterThanOrEqualTo(1);
        assertThat(broker.counter(PREFIX + "ocsp.responses.good")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void a_revoked_certificate_is_refused_with_0x87_and_an_unknown_one_with_0x88() throws Exception {
        final Credentials revoked = pki.client("admin:revoked");
        responder.revoke(revoked.certificate());

        final Mqtt5ConnAckException refused = refusal(revoked, "r");
        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refused.getMqttMessage().getReasonString()).get().asString().isEqualTo("certificate revoked (OCSP)");

        final Mqtt5ConnAckException unknown = refusal(pki.client("admin:unknown-to-the-responder"), "u");
        assertThat(unknown.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
        assertThat(unknown.getMqttMessage().getReasonString())
                .get()
                .asString()
                .isEqualTo("certificate revocation status unavailable");
        assertThat(broker.counter(PREFIX + "connect.rejected.ocsp-revoked")).isGreaterThanOrEqualTo(1);
        assertThat(broker.counter(PREFIX + "ocsp.responses.unknown")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void a_responder_that_is_down_refuses_by_default_and_admits_with_allow() throws Exception {
        final Credentials device = pki.client("admin:responder-down");
        final String down = "http://127.0.0.1:" + TestBroker.freePort() + "/";
        dev.certguard.broker.live.LiveFilesAccess.reconfigure(broker, "crl-extension", config(down, "reject"));

        assertThat(refusal(device, "d").getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);

        dev.certguard.broker.live.LiveFilesAccess.reconfigure(broker, "crl-extension", config(down, "allow"));
        connects(device, "d");
        assertThat(broker.counter(PREFIX + "connect.allowed.ocsp-unavailable")).isGreaterThanOrEqualTo(1);
        assertThat(broker.counter(PREFIX + "ocsp.failures.http")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void a_response_signed_with_a_key_the_ca_never_delegated_to_is_not_believed() throws Exception {
        final Credentials device = pki.client("admin:undelegated");
        undelegated.good(device.certificate());
        dev.certguard.broker.live.LiveFilesAccess.reconfigure(
                broker, "crl-extension", config(undelegated.url(), "reject"));

        assertThat(refusal(device, "x").getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
        assertThat(broker.counter(PREFIX + "ocsp.failures.signature")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void a_stale_response_is_not_believed() throws Exception {
        dev.certguard.broker.live.LiveFilesAccess.reconfigure(
                broker,
                "crl-extension",
                config("http://127.0.0.1:" + stale.getAddress().getPort() + "/", "reject"));

        assertThat(refusal(pki.client("admin:stale"), "s").getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
        assertThat(broker.counter(PREFIX + "ocsp.failures.stale")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void a_revoked_intermediate_refuses_the_devices_below_it() throws Exception {
        // openssl's responder serves one connection at a time: a failed answer (never cached) is asked
        // again by the next CONNECT, and the intermediate's revocation must show within a few.
        String reason = null;
        for (int attempt = 0; attempt < 3 && !"certificate revoked (OCSP)".equals(reason); attempt++) {
            final Mqtt5ConnAckException refused =
                    refusal(pki.clientUnder(revokedIntermediate, "admin:below" + attempt), "b");
            reason = refused.getMqttMessage()
                    .getReasonString()
                    .map(Object::toString)
                    .orElse(null);
        }
        assertThat(reason).isEqualTo("certificate revoked (OCSP)");
    }

    @Test
    void a_connected_client_revoked_at_the_responder_is_cut() throws Exception {
        final Credentials device = pki.client("admin:live");
        responder.good(device.certificate());
        final var connected = Disconnects.mqtt5(broker, device, "live");

        final Instant revokedAt = Instant.now();
        responder.revoke(device.certificate());

        final Disconnects.Ended ended = connected.awaitEnd(Duration.ofSeconds(10));
        assertThat(ended.reasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        assertThat(ended.reasonString()).isEqualTo("certificate revoked (OCSP)");
        assertThat(Duration.between(revokedAt, Instant.now())).isLessThan(Duration.ofSeconds(6));
        final long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (broker.counter(PREFIX + "ocsp.live-disconnects") < 1 && System.nanoTime() < deadline) {
            Thread.sleep(20); // counted once HiveMQ confirms the disconnect
        }
        assertThat(broker.counter(PREFIX + "ocsp.live-disconnects")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void two_hundred_connects_of_one_certificate_share_one_request() throws Exception {
        final Credentials device = pki.client("admin:crowd");
        responder.good(device.certificate());
        final long requests = broker.counter(PREFIX + "ocsp.requests");
        final List<Mqtt5AsyncClient> clients = new ArrayList<>();
        final List<CompletableFuture<Mqtt5ConnAck>> connects = new ArrayList<>();
        final AtomicInteger n = new AtomicInteger();
        final long started = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            final Mqtt5AsyncClient client = Mqtt5Client.builder()
                    .identifier("crowd-" + n.incrementAndGet())
                    .serverHost("localhost")
                    .serverPort(broker.tlsPort())
                    .sslConfig(device.sslConfig())
                    .buildAsync();
            clients.add(client);
            connects.add(client.connect());
        }
        CompletableFuture.allOf(connects.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
        final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        final long asked = broker.counter(PREFIX + "ocsp.requests") - requests;
        for (final Mqtt5AsyncClient client : clients) {
            client.disconnect();
        }

        // One request for the CONNECTs; besides it, this broker's refresh of connected clients (answers
        // kept 60 s, refreshed 58 s before they expire) may ask once per 2 s once the first answer is
        // 2 s old, which only a burst slower than that (the JDK's own crypto) lives to see.
        assertThat(asked)
                .as("requests for 200 CONNECTs of one certificate in %d s", seconds)
                .isBetween(1L, 1 + seconds / 2);
    }
}
