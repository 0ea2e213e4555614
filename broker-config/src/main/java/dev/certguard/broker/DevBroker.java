package dev.certguard.broker;

import dev.certguard.pki.DevPki;
import dev.certguard.pki.PkiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * The zero-argument development setup: a dev PKI in {@code ./dev-pki} (created once), and a broker
 * home in {@code ./dev-broker} rebuilt on each start from the packaged template, with a mutual-TLS
 * listener on 127.0.0.1 and the CRL extension wired to the dev PKI's CRL.
 * Not thread-safe (used once at start-up).
 */
public final class DevBroker {

    private final Path workDir;
    private final int port;
    private final DevPki pki;
    private final BrokerHome home;

    public DevBroker(final Path workDir, final int port) {
        this.workDir = workDir;
        this.port = port;
        this.pki = new DevPki(workDir.resolve("dev-pki"));
        this.home = new BrokerHome(workDir.resolve("dev-broker"));
    }

    public DevPki pki() {
        return pki;
    }

    /**
     * Creates the dev PKI if absent, then writes the dev home.
     *
     * @return whether a new PKI was created
     */
    public boolean prepare(final BrokerHome template) throws IOException, PkiException {
        final boolean created = !Files.exists(pki.dir());
        if (created) {
            pki.init("certguard dev CA", Duration.ofDays(3650), DevPki.LOCAL_HOSTS, false);
        } else {
            for (final Path required :
                    List.of(pki.caCertificate(), pki.caKey(), pki.brokerKeystore(), pki.truststore(), pki.crlPem())) {
                if (!Files.isRegularFile(required)) {
                    throw new PkiException(pki.dir() + " exists but lacks " + required.getFileName() + "; delete "
                            + pki.dir() + " to have a new dev PKI created");
                }
            }
        }
        if (!Files.exists(pki.deviceCertificate(DevPki.SEED_DEVICE))) {
            pki.issueDevice(DevPki.SEED_DEVICE, Duration.ofDays(365), false);
        }
        new HiveMqConfigXml()
                .tlsListener(
                        "tls",
                        "127.0.0.1",
                        port,
                        pki.brokerKeystore(),
                        DevPki.KEYSTORE_PASSWORD,
                        pki.truststore(),
                        DevPki.KEYSTORE_PASSWORD)
                .write(home.configFile());
        Files.copy(
                template.conf().resolve("logback.xml"),
                home.conf().resolve("logback.xml"),
                StandardCopyOption.REPLACE_EXISTING);
        home.installExtensionsFrom(template);
        Files.writeString(home.extension("crl-extension").resolve("conf").resolve("config.xml"), crlConfig());
        if (!Files.exists(denyList())) {
            Files.writeString(
                    denyList(),
                    "# certguard deny list: one entry per line, applied within seconds, no restart needed\n"
                            + "#   sha256:<certificate fingerprint>\n"
                            + "#   identity:<tenant:device_id>\n");
        }
        return created;
    }

    public BrokerHome home() {
        return home;
    }

    /** The exact commands that work against the running dev broker, with paths relative to {@code cwd}. */
    public String instructions(final Path cwd) {
        final String ca = relative(cwd, pki.caCertificate());
        final String cert = relative(cwd, pki.deviceCertificate(DevPki.SEED_DEVICE));
        final String key = relative(cwd, pki.deviceKey(DevPki.SEED_DEVICE));
        final String tls = " --cafile " + ca + " --cert " + cert + " --key " + key;
        return String.join(
                "\n",
                "certguard secure broker: mutual TLS on 127.0.0.1:" + port + " (Ctrl-C stops it)",
                "",
                "Subscribe as device " + DevPki.SEED_DEVICE + ":",
                "  mosquitto_sub -h localhost -p " + port + " -t " + DevPki.SEED_DEVICE + "/config" + tls,
                "Publish as device " + DevPki.SEED_DEVICE + ":",
                "  mosquitto_pub -h localhost -p " + port + " -t " + DevPki.SEED_DEVICE
                        + "/attrs -m '{\"attr_example\": 10 }'" + tls,
                "",
                "More devices:  java -jar " + launcherJar(cwd) + " pki issue TENANT:DEVICE_ID",
                "Revoke one:    java -jar " + launcherJar(cwd) + " pki revoke " + cert,
                "Deny one now:  echo 'identity:" + DevPki.SEED_DEVICE + "' >> " + relative(cwd, denyList()),
                "");
    }

    /** The operator's deny list of the dev broker. */
    public Path denyList() {
        return home.extension("crl-extension").resolve("conf").resolve("deny-list.txt");
    }

    private String crlConfig() {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- Written by the dev launcher: the dev PKI's CA and CRL. -->
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources>
                        <crl-source>%s</crl-source>
                    </crl-sources>
                    <refresh-interval-seconds>5</refresh-interval-seconds>
                    <when-unavailable>reject</when-unavailable>
                    <disconnect-revoked-clients>true</disconnect-revoked-clients>
                    <deny-list>conf/deny-list.txt</deny-list>
                </crl-extension>
                """
                .formatted(pki.caCertificate().toAbsolutePath(), pki.crlPem().toAbsolutePath());
    }

    private static String relative(final Path cwd, final Path file) {
        final Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(cwd) ? cwd.relativize(absolute).toString() : absolute.toString();
    }

    private static String launcherJar(final Path cwd) {
        try {
            final Path jar = Path.of(DevBroker.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return jar.toString().endsWith(".jar") ? relative(cwd, jar) : "secure-broker.jar";
        } catch (final java.net.URISyntaxException e) {
            return "secure-broker.jar";
        }
    }
}
