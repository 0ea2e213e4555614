package dev.certguard.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.broker.testing.Tools;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.pki.PemFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CAs, device certificates and CRLs made by CA tools nobody here wrote, each by that tool alone
 * (the scripts in {@code src/test/resources/interop/}), given to the packaged broker unmodified:
 * the tool's CA in the truststore and the crl-extension's {@code <ca-certificates>}, its CRL file
 * as a {@code <crl-source>}. The good device is admitted (HiveMQ client and mosquitto), the revoked
 * one refused {@code 0x87} "certificate revoked".
 */
class CaToolsInteropTest {

    /** A CA tool: its script, how to tell it is installed, its Debian package, the CRL file it writes. */
    enum Tool {
        OPENSSL("openssl.sh", "command -v openssl", "openssl", "crl.pem"),
        GNUTLS("gnutls.sh", "command -v certtool", "gnutls-bin", "crl.pem"),
        STRONGSWAN("strongswan.sh", "command -v pki", "strongswan-pki", "crl.pem"),
        CFSSL("cfssl.sh", "command -v cfssl && command -v cfssljson", "golang-cfssl", "crl.b64"),
        NSS("nss.sh", "command -v certutil && command -v crlutil && command -v pk12util", "libnss3-tools", "crl.der"),
        EASYRSA("easyrsa.sh", "test -x /usr/share/easy-rsa/easyrsa", "easy-rsa", "crl.pem"),
        PYTHON_CRYPTOGRAPHY(
                "python-cryptography.sh",
                "/usr/bin/python3 -c 'import cryptography'",
                "python3-cryptography",
                "crl.pem");

        final String script;
        final String check;
        final String debianPackage;
        final String crl;

        Tool(final String script, final String check, final String debianPackage, final String crl) {
            this.script = script;
            this.check = check;
            this.debianPackage = debianPackage;
            this.crl = crl;
        }
    }

    @TempDir
    static Path dir;

    static TestPki pki;

    @AutoClose
    static TestBroker broker;

    /** What each installed tool's script printed, when it failed. */
    static final Map<Tool, String> FAILED = new LinkedHashMap<>();

    static Path work(final Tool tool) {
        return dir.resolve("tools").resolve(tool.name().toLowerCase(java.util.Locale.ROOT));
    }

    @BeforeAll
    static void makeEveryToolsPkiThenStartTheBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        final List<X509Certificate> cas = new ArrayList<>();
        final List<Path> crls = new ArrayList<>();
        for (final Tool tool : Tool.values()) {
            if (!Tools.installed(tool.check)) {
                continue;
            }
            final Path work = work(tool);
            Files.createDirectories(work);
            final Path script = work.resolve(tool.script);
            try (InputStream in = CaToolsInteropTest.class.getResourceAsStream("/interop/" + tool.script)) {
                Files.copy(in, script);
            }
            final Mosquitto.Result made = Mosquitto.run(
                    List.of("bash", "-c", "cd '" + work + "' && bash " + tool.script), Duration.ofMinutes(2));
            if (made.exitCode() != 0) {
                FAILED.put(tool, made.output());
                continue;
            }
            cas.addAll(PemFiles.readCertificates(work.resolve("ca.crt")));
            crls.add(work.resolve(tool.crl));
        }
        broker = TestBroker.builder(dir).pki(pki).trustWithCrls(cas, crls).start();
    }

    /** The tool's certificate and key for a device, the broker's CA to verify the broker with. */
    private static Credentials device(final Tool tool, final String name) throws Exception {
        final Path work = work(tool);
        final X509Certificate certificate = PemFiles.readCertificate(work.resolve(name + ".crt"));
        return new Credentials(
                certificate,
                PemFiles.readPrivateKey(work.resolve(name + ".key")),
                work.resolve(name + ".crt"),
                work.resolve(name + ".key"),
                pki.devPki().caCertificate(),
                pki.authority().certificate(),
                List.of());
    }

    @ParameterizedTest
    @EnumSource(Tool.class)
    void good_device_of_the_tool_is_admitted_and_its_revoked_device_refused_0x87(final Tool tool) throws Exception {
        Tools.require(tool.check, tool.debianPackage);
        Mosquitto.require();
        assertThat(FAILED.get(tool)).as("the %s script failed", tool).isNull();
        final Credentials good = device(tool, "good");
        final Credentials revoked = device(tool, "revoked");
        final String identity = CertificateIdentity.commonName(good.certificate());
        assertThat(identity).startsWith("admin:");

        final var client = broker.mqtt5(good, "good-" + tool);
        assertThat(client.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(client.publishWith()
                        .topic(identity + "/attrs")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload("{}".getBytes())
                        .send()
                        .getError())
                .isEmpty();
        client.disconnect();
        final List<String> publish =
                new ArrayList<>(List.of("-V", "mqttv5", "-q", "1", "-t", identity + "/attrs", "-m", "{}"));
        publish.addAll(Mosquitto.tls(good));
        final Mosquitto.Result admitted = Mosquitto.pub(broker.tlsPort(), publish);
        assertThat(admitted.exitCode()).as(admitted.output()).isZero();

        final Mqtt5ConnAckException refused =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(revoked, "revoked-" + tool)
                        .connect());
        assertThat(refused).as("the %s CRL revokes the device", tool).isNotNull();
        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refused.getMqttMessage().getReasonString()).get().asString().isEqualTo("certificate revoked");
    }
}
