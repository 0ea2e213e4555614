package dev.certguard.crl.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpSourceTest {

    private final AtomicReference<String> etag = new AtomicReference<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private HttpSource source;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ca.crl", exchange -> {
            asked.add(String.valueOf(exchange.getRequestHeaders().getFirst("If-None-Match")));
            exchange.getResponseHeaders().add("ETag", etag.get());
            final byte[] body = "crl bytes".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        source = new HttpSource(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ca.crl"),
                HttpClient.newHttpClient(),
                Duration.ofSeconds(2),
                1 << 16);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void an_etag_outside_printable_ascii_is_never_echoed_back_to_the_server() throws Exception {
        etag.set("\"a\u00e9\u00ffb\"");
        source.accepted(source.fetch().get(5, TimeUnit.SECONDS));

        final Fetch again = source.fetch().get(5, TimeUnit.SECONDS);

        assertThat(again.bytes()).isNotEmpty();
        assertThat(asked).containsExactly("null", "null");
    }

    @Test
    void a_printable_etag_is_sent_back() throws Exception {
        etag.set("\"v1\"");
        source.accepted(source.fetch().get(5, TimeUnit.SECONDS));
        source.fetch().get(5, TimeUnit.SECONDS);

        assertThat(asked).containsExactly("null", "\"v1\"");
    }

    @Test
    void a_compressed_body_is_never_decompressed_so_a_gzip_bomb_stays_its_compressed_size() throws Exception {
        final java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(compressed)) {
            gzip.write(new byte[10 << 20]); // 10 MiB of zeros: about 10 KiB compressed
        }
        final List<String> acceptEncoding = new CopyOnWriteArrayList<>();
        server.createContext("/bomb.crl", exchange -> {
            acceptEncoding.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept-Encoding")));
            exchange.getResponseHeaders().add("Content-Encoding", "gzip");
            exchange.sendResponseHeaders(200, compressed.size());
            exchange.getResponseBody().write(compressed.toByteArray());
            exchange.close();
        });
        final HttpSource bomb = new HttpSource(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bomb.crl"),
                HttpClient.newHttpClient(),
                Duration.ofSeconds(2),
                1 << 16);

        final Fetch fetched = bomb.fetch().get(5, TimeUnit.SECONDS);

        assertThat(fetched.bytes())
                .as("the bytes as sent: not a CRL, refused by the reader; never 10 MiB in memory")
                .isEqualTo(compressed.toByteArray());
        assertThat(acceptEncoding).as("no compression asked for").containsExactly("null");
    }

    @Test
    void validators_are_kept_only_when_they_are_printable_ascii_of_bounded_length() {
        assertThat(HttpSource.validator("\"abc\"")).isEqualTo("\"abc\"");
        assertThat(HttpSource.validator("\"a\u00e9b\"")).isNull();
        assertThat(HttpSource.validator("x".repeat(257))).isNull();
        assertThat(HttpSource.validator("")).isNull();
        assertThat(HttpSource.validator(null)).isNull();
    }
}
