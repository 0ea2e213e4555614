package dev.certguard.pki;

import dev.certguard.identity.DeviceIdentity;
import dev.certguard.identity.IdentityCharacters;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.text.UntrustedText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A development PKI kept in one directory, laid out for the launcher and for mosquitto:
 * <pre>
 * ca.crt ca.key                 the CA (PEM)
 * crl.pem crl.der crl-number    the CA's CRL and its number
 * revoked.txt                   one line per revocation: serial (hex), time, reason code
 * broker.crt broker.key broker-keystore.p12 truststore.p12   the broker's TLS material
 * devices/TENANT/DEVICE.crt|key device certificates (CN=tenant:device_id)
 * services/NAME.crt|key         service certificates (CN=name)
 * </pre>
 * Not thread-safe: one command at a time per directory.
 */
public final class DevPki {

    /** Password of the dev keystore and truststore. Development only; never use the dev PKI in production. */
    public static final String KEYSTORE_PASSWORD = "certguard-dev";

    public static final String SEED_DEVICE = "admin:a1998e";
    public static final List<String> LOCAL_HOSTS = List.of("localhost", "127.0.0.1", "::1");
    private static final Duration DEFAULT_CRL_VALIDITY = Duration.ofDays(7);

    /** Where an issued certificate and its key were written. */
    public record Issued(Path certificate, Path key, X509Certificate x509) {}

    private final Path dir;

    public DevPki(final Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    public Path caKey() {
        return dir.resolve("ca.key");
    }

    public Path crlPem() {
        return dir.resolve("crl.pem");
    }

    public Path crlDer() {
        return dir.resolve("crl.der");
    }

    public Path brokerKeystore() {
        return dir.resolve("broker-keystore.p12");
    }

    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    private Path revocations() {
        return dir.resolve("revoked.txt");
    }

    private Path crlNumber() {
        return dir.resolve("crl-number");
    }

    /**
     * Creates the CA, an empty CRL and the broker's keystore and truststore for {@code hosts}.
     *
     * @throws PkiException if a CA exists there already and {@code force} is false
     */
    public void init(final String caName, final Duration caValidity, final List<String> hosts, final boolean force)
            throws PkiException, IOException {
        if (!force && Files.exists(caCertificate())) {
            throw new PkiException(
                    caCertificate() + " exists already; not overwritten (use --force to replace the whole PKI)");
        }
        final CertificateAuthority ca =
                CertificateAuthority.createRoot(caName, Instant.now().plus(caValidity));
        PemFiles.writeCertificates(caCertificate(), true, ca.certificate());
        PemFiles.writePrivateKey(caKey(), true, ca.privateKey());
        Files.deleteIfExists(revocations());
        Files.deleteIfExists(crlNumber());
        writeCrl(ca, DEFAULT_CRL_VALIDITY);
        writeBrokerStores(ca, hosts, caValidity);
    }

    /** Issues a device certificate for {@code identity} ({@code tenant:device_id}, validated). */
    public Issued issueDevice(final String identity, final Duration validity, final boolean force)
            throws PkiException, IOException {
        final DeviceIdentity device;
        try {
            device = DeviceIdentity.parse(identity);
        } catch (final InvalidIdentityException e) {
            throw new PkiException("invalid device identity '" + UntrustedText.escape(identity) + "': " + e.reason());
        }
        requireFileNameSafe(device.tenant());
        requireFileNameSafe(device.deviceId());
        final Path base = dir.resolve("devices").resolve(device.tenant()).resolve(device.deviceId());
        return issueClient(device.toString(), base, validity, force);
    }

    /** Issues a service (bridge) certificate whose CN is the plain name. */
    public Issued issueService(final String name, final Duration validity, final boolean force)
            throws PkiException, IOException {
        try {
            IdentityCharacters.checkLength(name);
            IdentityCharacters.checkPart("service name", name);
        } catch (final InvalidIdentityException e) {
            throw new PkiException("invalid service name '" + UntrustedText.escape(name) + "': " + e.reason());
        }
        requireFileNameSafe(name);
        return issueClient(name, dir.resolve("services").resolve(name), validity, force);
    }

    /** The certificate path of a service issued by {@link #issueService}. */
    public Path serviceCertificate(final String name) {
        return dir.resolve("services").resolve(name + ".crt");
    }

    /** The key path of a service issued by {@link #issueService}. */
    public Path serviceKey(final String name) {
        return dir.resolve("services").resolve(name + ".key");
    }

    /** The certificate path of a device identity issued by {@link #issueDevice}. */
    public Path deviceCertificate(final String identity) {
        final int colon = identity.indexOf(':');
        return dir.resolve("devices")
                .resolve(identity.substring(0, colon))
                .resolve(identity.substring(colon + 1) + ".crt");
    }

    /** The key path of a device identity issued by {@link #issueDevice}. */
    public Path deviceKey(final String identity) {
        final Path certificate = deviceCertificate(identity);
        return certificate.resolveSibling(certificate.getFileName().toString().replaceFirst("\\.crt$", ".key"));
    }

    /**
     * Adds the certificate in {@code certificateFile} to the revocations and re-signs the CRL.
     *
     * @return the revoked serial number
     */
    public BigInteger revoke(final Path certificateFile, final int reason) throws PkiException, IOException {
        final CertificateAuthority ca = authority();
        final X509Certificate certificate;
        try {
            certificate = PemFiles.readCertificate(certificateFile);
        } catch (final NoSuchFileException e) {
            throw new PkiException("no certificate at " + certificateFile);
        }
        if (!certificate.getIssuerX500Principal().equals(ca.certificate().getSubjectX500Principal())) {
            throw new PkiException(certificateFile + " was not issued by the CA in " + dir);
        }
        final BigInteger serial = certificate.getSerialNumber();
        final List<CertificateAuthority.Revocation> revoked = readRevocations();
        if (revoked.stream().noneMatch(r -> r.serial().equals(serial))) {
            Files.writeString(
                    revocations(),
                    serial.toString(16) + " " + Instant.now() + " " + reason + "\n",
                    StandardCharsets.US_ASCII,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        writeCrl(ca, DEFAULT_CRL_VALIDITY);
        return serial;
    }

    /** Re-signs the CRL with a fresh thisUpdate and the given validity. */
    public X509CRL writeCrl(final Duration validity) throws PkiException, IOException {
        return writeCrl(authority(), validity);
    }

    /** Loads the CA. */
    public CertificateAuthority authority() throws PkiException, IOException {
        if (!Files.exists(caCertificate()) || !Files.exists(caKey())) {
            throw new PkiException("no CA in " + dir + " (" + caCertificate().getFileName() + " and "
                    + caKey().getFileName() + " expected); run 'pki init' first");
        }
        final X509Certificate certificate = PemFiles.readCertificate(caCertificate());
        final KeyPair keys = new KeyPair(certificate.getPublicKey(), PemFiles.readPrivateKey(caKey()));
        return new CertificateAuthority(keys, certificate);
    }

    private Issued issueClient(final String commonName, final Path base, final Duration validity, final boolean force)
            throws PkiException, IOException {
        final CertificateAuthority ca = authority();
        final Path certificateFile = base.resolveSibling(base.getFileName() + ".crt");
        final Path keyFile = base.resolveSibling(base.getFileName() + ".key");
        if (!force) {
            for (final Path file : List.of(certificateFile, keyFile)) {
                if (Files.exists(file)) {
                    throw new PkiException(file + " exists already; not overwritten (use --force to replace it)");
                }
            }
        }
        final KeyPair keys = CertificateAuthority.newKeyPair();
        final Instant now = Instant.now();
        final X509Certificate certificate = ca.issue(
                commonName,
                keys.getPublic(),
                now.minusSeconds(60),
                now.plus(validity),
                CertificateAuthority.Purpose.CLIENT,
                List.of());
        PemFiles.writePrivateKey(keyFile, true, keys.getPrivate());
        PemFiles.writeCertificates(certificateFile, true, certificate);
        return new Issued(certificateFile, keyFile, certificate);
    }

    private void writeBrokerStores(final CertificateAuthority ca, final List<String> hosts, final Duration validity)
            throws IOException {
        final KeyPair keys = CertificateAuthority.newKeyPair();
        final Instant now = Instant.now();
        final X509Certificate broker = ca.issue(
                hosts.get(0),
                keys.getPublic(),
                now.minusSeconds(60),
                now.plus(validity),
                CertificateAuthority.Purpose.SERVER,
                hosts);
        PemFiles.writeCertificates(dir.resolve("broker.crt"), true, broker, ca.certificate());
        PemFiles.writePrivateKey(dir.resolve("broker.key"), true, keys.getPrivate());
        try {
            final KeyStore keystore = KeyStore.getInstance("PKCS12");
            keystore.load(null, null);
            keystore.setKeyEntry("broker", keys.getPrivate(), KEYSTORE_PASSWORD.toCharArray(), new Certificate[] {
                broker, ca.certificate()
            });
            PemFiles.writeBytes(brokerKeystore(), store(keystore), true);
            final KeyStore truststore = KeyStore.getInstance("PKCS12");
            truststore.load(null, null);
            truststore.setCertificateEntry("certguard-ca", ca.certificate());
            PemFiles.writeBytes(truststore(), store(truststore), true);
        } catch (final GeneralSecurityException e) {
            throw new IOException("cannot write PKCS#12 stores", e);
        }
    }

    private static byte[] store(final KeyStore store) throws IOException, GeneralSecurityException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, KEYSTORE_PASSWORD.toCharArray());
        return out.toByteArray();
    }

    private X509CRL writeCrl(final CertificateAuthority ca, final Duration validity) throws IOException {
        final BigInteger number = Files.exists(crlNumber())
                ? new BigInteger(Files.readString(crlNumber()).trim()).add(BigInteger.ONE)
                : BigInteger.ONE;
        final Instant now = Instant.now();
        final X509CRL crl = ca.crl(readRevocations(), number, now.minusSeconds(1), now.plus(validity));
        PemFiles.writeCrl(crlPem(), crlDer(), crl);
        Files.writeString(crlNumber(), number + "\n");
        return crl;
    }

    private List<CertificateAuthority.Revocation> readRevocations() throws IOException {
        final List<CertificateAuthority.Revocation> out = new ArrayList<>();
        if (!Files.exists(revocations())) {
            return out;
        }
        for (final String line : Files.readAllLines(revocations(), StandardCharsets.US_ASCII)) {
            if (line.isBlank()) {
                continue;
            }
            final String[] fields = line.trim().split(" ");
            out.add(new CertificateAuthority.Revocation(
                    new BigInteger(fields[0], 16), Instant.parse(fields[1]), Integer.parseInt(fields[2])));
        }
        return out;
    }

    private static void requireFileNameSafe(final String part) throws PkiException {
        if (part.equals(".") || part.equals("..")) {
            throw new PkiException("'" + part + "' cannot name a file; choose another identity");
        }
    }
}
