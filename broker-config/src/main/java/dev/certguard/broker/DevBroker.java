package dev.certguard.broker;

import dev.certguard.pki.DevPki;
import dev.certguard.pki.PkiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The zero-argument development setup: a dev PKI in {@code ./dev-pki} (created once), and a broker
 * home in {@code ./dev-broker} rebuilt on each start from the packaged template, with a mutual-TLS
 * listener on 127.0.0.1 and the CRL extension wired to the dev PKI's CRL.
 * Not thread-safe (used once at start-up).
 */
public final class DevBroker {

    static final String V2K_BRIDGE = "v2k-bridge";
    static final String K2V_BRIDGE = "k2v-bridge";

    /** The two bridges of the flow certguard replaces, with the rights of the documented example. */
    private static final String ACL_CONFIG =
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- Written by the dev launcher: the two bridges of the device data flow. -->
            <acl-extension>
                <services>
                    <service>
                        <identity>v2k-bridge</identity>
                        <subscribe>+/attrs</subscribe>
                    </service>
                    <service>
                        <identity>k2v-bridge</identity>
                        <publish>+/config</publish>
                    </service>
                </services>
            </acl-extension>
            """;

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
            final List<Path> requiredFiles = new java.util.ArrayList<>(
                    List.of(pki.caCertificate(), pki.caKey(), pki.brokerKeystore(), pki.truststore(), pki.crlPem()));
            if (pki.isTwoTier()) {
                requiredFiles.addAll(List.of(pki.rootCrlPem(), pki.caBundle()));
            }
            for (final Path required : requiredFiles) {
                if (!Files.isRegularFile(required)) {
                    throw new PkiException(pki.dir() + " exists but lacks " + required.getFileName() + "; delete "
                            + pki.dir() + " to have a new dev PKI created");
                }
            }
        }
        if (!Files.exists(pki.deviceCertificate(DevPki.SEED_DEVICE))) {
            pki.issueDevice(DevPki.SEED_DEVICE, Duration.ofDays(365), false);
        }
        for (final String bridge : List.of(V2K_BRIDGE, K2V_BRIDGE)) {
            if (!Files.exists(pki.serviceCertificate(bridge))) {
                pki.issueService(bridge, Duration.ofDays(365), false);
            }
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
        // The dev broker shows its audit trail on the console, beside the rest of the log.
        Files.writeString(
                home.conf().resolve("logback.xml"),
                Files.readString(template.conf().resolve("logback.xml"))
                        .replaceAll(
                                "(?s)<appender name=\"AUDIT_FILE\".*?</appender>",
                                "<appender name=\"AUDIT_CONSOLE\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                                        + "<encoder><pattern>%d{HH:mm:ss.SSS} AUDIT %msg%n</pattern></encoder>"
                                        + "</appender>")
                        .replace("<appender-ref ref=\"AUDIT_FILE\"/>", "<appender-ref ref=\"AUDIT_CONSOLE\"/>"));
        home.installExtensionsFrom(template);
        Files.writeString(home.extension("crl-extension").resolve("conf").resolve("config.xml"), crlConfig());
        Files.writeString(home.extension("acl-extension").resolve("conf").resolve("config.xml"), ACL_CONFIG);
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
        final String ca = relative(cwd, pki.trustAnchor());
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
                "See every device's data as the bridge v2k-bridge (subscribe +/attrs):",
                "  mosquitto_sub -h localhost -p " + port + " -t '+/attrs' -v" + service(cwd, ca, V2K_BRIDGE),
                "Send configuration to the device as the bridge k2v-bridge (publish +/config):",
                "  mosquitto_pub -h localhost -p " + port + " -t " + DevPki.SEED_DEVICE
                        + "/config -m '{\"config_example\": 1 }'" + service(cwd, ca, K2V_BRIDGE),
                "",
                "More devices:  java -jar " + launcherJar(cwd) + " pki issue TENANT:DEVICE_ID",
                "Sign a CSR:    java -jar " + launcherJar(cwd) + " pki sign client.csr",
                "Revoke one:    java -jar " + launcherJar(cwd) + " pki revoke " + cert,
                "Deny one now:  echo 'identity:" + DevPki.SEED_DEVICE + "' >> " + relative(cwd, denyList()),
                "");
    }

    private String service(final Path cwd, final String ca, final String name) {
        return " --cafile " + ca + " --cert " + relative(cwd, pki.serviceCertificate(name)) + " --key "
                + relative(cwd, pki.serviceKey(name));
    }

    /** The operator's deny list of the dev broker. */
    public Path denyList() {
        return home.extension("crl-extension").resolve("conf").resolve("deny-list.txt");
    }

    private String crlConfig() {
        final StringBuilder sources = new StringBuilder();
        for (final Path crl : pki.crlFiles()) {
            sources.append("        <crl-source>").append(crl.toAbsolutePath()).append("</crl-source>\n");
        }
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- Written by the dev launcher: the dev PKI's CAs and CRLs. -->
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources>
                %s    </crl-sources>
                    <refresh-interval-seconds>5</refresh-interval-seconds>
                    <when-unavailable>reject</when-unavailable>
                    <disconnect-revoked-clients>true</disconnect-revoked-clients>
                    <deny-list>conf/deny-list.txt</deny-list>
                </crl-extension>
                """
                .formatted(pki.caCertificatesForCrls().toAbsolutePath(), sources);
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
