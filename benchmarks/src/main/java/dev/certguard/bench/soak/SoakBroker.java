package dev.certguard.bench.soak;

import dev.certguard.broker.BrokerHome;
import dev.certguard.broker.HiveMqConfigXml;
import dev.certguard.pki.DevPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker under soak: the packaged secure broker ({@code secure-broker.jar --home}) in its own
 * process, pinned to core 0 when there are two or more, with file persistence so that a SIGKILL
 * and restart keeps sessions and the CRL high-water marks. Reads the broker's Prometheus endpoint,
 * its retained heap (after a forced GC), threads, file descriptors and ERROR log lines.
 * Not thread-safe: one driver thread starts, kills and samples it.
 */
final class SoakBroker implements AutoCloseable {

    private static final Pattern METRIC = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? ([^ ]+)");

    private final Path repo;
    private final Path home;
    private final int port;
    private final int metricsPort;
    private final boolean pin;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private Process process;
    private int starts;
    private final Map<Path, Long> logOffsets = new HashMap<>();
    private final List<String> errors = new ArrayList<>();

    private SoakBroker(final Path repo, final Path home, final int port, final int metricsPort, final boolean pin) {
        this.repo = repo;
        this.home = home;
        this.port = port;
        this.metricsPort = metricsPort;
        this.pin = pin;
    }

    /** Writes the broker home: TLS listener, file persistence, the three extensions configured for the soak. */
    static SoakBroker prepare(
            final Path repo,
            final Path out,
            final DevPki pki,
            final String crlUrl,
            final Path denyList,
            final SoakOptions options)
            throws IOException {
        final Path template = repo.resolve("broker-config/target/secure-broker-home");
        if (!Files.isDirectory(template)
                || !Files.isRegularFile(repo.resolve("broker-config/target/secure-broker.jar"))) {
            throw new IllegalStateException("build first: mvn -B -q package -DskipTests (looked in " + template + ")");
        }
        final Path home = out.resolve("broker-home");
        BrokerHome.copyRecursively(template, home);
        final int port = freePort();
        new HiveMqConfigXml()
                .tlsListener(
                        "tls",
                        "127.0.0.1",
                        port,
                        pki.brokerKeystore().toAbsolutePath(),
                        DevPki.KEYSTORE_PASSWORD,
                        pki.truststore().toAbsolutePath(),
                        DevPki.KEYSTORE_PASSWORD)
                .write(home.resolve("conf/config.xml"));
        Files.writeString(
                home.resolve("extensions/acl-extension/conf/config.xml"),
                """
                <acl-extension><services>
                    <service><identity>v2k-bridge</identity><subscribe>+/attrs</subscribe></service>
                    <service><identity>k2v-bridge</identity><publish>+/config</publish></service>
                </services></acl-extension>
                """);
        Files.writeString(
                home.resolve("extensions/disconnect-extension/conf/config.xml"),
                """
                <disconnect-extension>
                    <max-connection-lifetime-seconds>%d</max-connection-lifetime-seconds>
                    <jitter-percent>%d</jitter-percent>
                </disconnect-extension>
                """
                        .formatted(options.lifetimeSeconds(), options.jitterPercent()));
        Files.writeString(
                home.resolve("extensions/crl-extension/conf/config.xml"),
                """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources><crl-source>%s</crl-source></crl-sources>
                    <refresh-interval-seconds>%d</refresh-interval-seconds>
                    <http-timeout-seconds>%d</http-timeout-seconds>
                    <when-unavailable>reject</when-unavailable>
                    <deny-list>%s</deny-list>
                </crl-extension>
                """
                        .formatted(
                                pki.caCertificate().toAbsolutePath(),
                                crlUrl,
                                options.refreshSeconds(),
                                options.httpTimeoutSeconds(),
                                denyList.toAbsolutePath()));
        return new SoakBroker(
                repo,
                home,
                port,
                freePort(),
                options.pin() && Runtime.getRuntime().availableProcessors() >= 2);
    }

    int port() {
        return port;
    }

    Path home() {
        return home;
    }

    /** Starts the broker and waits for its TLS and metrics ports. */
    void start() throws Exception {
        final List<String> command = new ArrayList<>();
        if (pin) {
            command.addAll(List.of("taskset", "-c", "0"));
        }
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "-jar",
                repo.resolve("broker-config/target/secure-broker.jar")
                        .toAbsolutePath()
                        .toString(),
                "--home",
                home.toAbsolutePath().toString(),
                "--metrics-port",
                String.valueOf(metricsPort)));
        starts++;
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        home.resolve("broker-stdout.log").toFile()))
                .start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "broker exited with " + process.exitValue() + "; see " + home.resolve("broker-stdout.log"));
            }
            if (isOpen(port) && isOpen(metricsPort)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("broker did not open its metrics port");
    }

    /** SIGKILL: no shutdown hook, no extension stop, nothing flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        for (final int p : List.of(port, metricsPort)) {
            for (int i = 0; i < 100 && !isFree(p); i++) {
                Thread.sleep(100);
            }
        }
    }

    /**
     * The highest CRL number this broker process (and those before it) logged as in use, or 0: what
     * it certainly had installed. A CRL served to a broker that was killed before it logged the CRL in
     * use was never in force there.
     */
    long highestCrlNumberInUse() throws IOException {
        final Path log = home.resolve("broker-stdout.log");
        long highest = 0;
        if (Files.isRegularFile(log)) {
            final java.util.regex.Matcher number = Pattern.compile(
                            " in use(?: until a fetch replaces it)?: \\d+ revoked, number (\\d+),")
                    .matcher(Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1));
            while (number.find()) {
                highest = Math.max(highest, Long.parseLong(number.group(1)));
            }
        }
        return highest;
    }

    long pid() {
        return process.pid();
    }

    int starts() {
        return starts;
    }

    /** One scrape of the Prometheus endpoint: metric name to value, labelled series summed per name. */
    Map<String, Double> scrape() throws IOException, InterruptedException {
        final HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        final Map<String, Double> values = new HashMap<>();
        for (final String line : response.body().split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            final Matcher m = METRIC.matcher(line);
            if (!m.find()) {
                continue;
            }
            final String name = m.group(1);
            final String labels = m.group(2) == null ? "" : m.group(2);
            try {
                final double value = Double.parseDouble(m.group(3));
                values.merge(name, value, Double::sum);
                if (!labels.isEmpty()) {
                    values.merge(name + labels, value, Double::sum);
                }
            } catch (final NumberFormatException ignored) {
                // Info-style series ("running"), not a number.
            }
        }
        return values;
    }

    /** The broker's live heap after a full GC, and how much of it is HiveMQ's persistence page cache. */
    record Heap(double liveBytes, double persistenceCacheBytes) {

        static final Heap NOT_MEASURED = new Heap(Double.NaN, Double.NaN);

        /** The live heap besides the page cache: what a leak would grow. */
        double besidesCache() {
            return liveBytes - persistenceCacheBytes;
        }
    }

    /** Xodus (HiveMQ's file persistence) caches log pages of this size, one cached value each. */
    private static final long XODUS_PAGE_BYTES = 64 * 1024;

    private static final String XODUS_CACHED_PAGE = "jetbrains.exodus.log.SharedLogCache$CachedValue";

    /**
     * A class histogram of the broker's live objects ({@code jcmd GC.class_histogram}, which runs a
     * full GC first): its total is the retained heap, exactly; the cached Xodus log pages in it are a
     * cache HiveMQ fills up to a share of the heap, so they are reported apart from the rest.
     */
    Heap retainedHeap() throws Exception {
        final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        final Process histogram = new ProcessBuilder(jcmd.toString(), String.valueOf(pid()), "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        final String out = new String(histogram.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        histogram.waitFor(30, TimeUnit.SECONDS);
        double total = Double.NaN;
        double pages = 0;
        for (final String line : out.split("\n")) {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length == 3 && fields[0].equals("Total")) {
                total = Double.parseDouble(fields[2]);
            } else if (fields.length >= 4 && fields[3].equals(XODUS_CACHED_PAGE)) {
                pages = Double.parseDouble(fields[1]);
            }
        }
        return Double.isNaN(total) ? Heap.NOT_MEASURED : new Heap(total, pages * XODUS_PAGE_BYTES);
    }

    /** Open file descriptors of the broker process. */
    long fileDescriptors() {
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid()), "fd"))) {
            return fds.count();
        } catch (final IOException gone) {
            return -1;
        }
    }

    /**
     * ERROR lines in the broker's logs so far (HiveMQ's log and the launcher's output). Each call reads
     * only what was appended since the last one, so sampling stays cheap as the logs grow.
     */
    List<String> errorLines() throws IOException {
        for (final Path log : List.of(home.resolve("log/hivemq.log"), home.resolve("broker-stdout.log"))) {
            if (!Files.isRegularFile(log)) {
                continue;
            }
            try (java.nio.channels.SeekableByteChannel channel = Files.newByteChannel(log)) {
                final long from = logOffsets.getOrDefault(log, 0L);
                channel.position(Math.min(from, channel.size()));
                final byte[] appended = Channels.newInputStream(channel).readAllBytes();
                // Only whole lines count; a line still being written is read next time.
                final int end = lastNewline(appended) + 1;
                for (final String line : new String(appended, 0, end, StandardCharsets.UTF_8).split("\n")) {
                    if (line.contains(" ERROR ") || line.startsWith("ERROR")) {
                        errors.add(line);
                    }
                }
                logOffsets.put(log, Math.min(from, channel.size()) + end);
            }
        }
        return List.copyOf(errors);
    }

    private static int lastNewline(final byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Copies the broker's logs next to the soak's results. */
    void keepLogs(final Path out) throws IOException {
        for (final String log : List.of("log/hivemq.log", "log/certguard-audit.log", "broker-stdout.log")) {
            final Path file = home.resolve(log);
            if (Files.isRegularFile(file)) {
                Files.copy(file, out.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static boolean isOpen(final int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (final IOException notYet) {
            return false;
        }
    }

    private static boolean isFree(final int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (final IOException busy) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
