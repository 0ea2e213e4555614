package dev.certguard.pki;

import dev.certguard.identity.DeviceIdentity;
import dev.certguard.identity.IdentityCharacters;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.text.UntrustedText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
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
 * ca.crt ca.key                 the CA that issues devices, services and the broker (PEM)
 * crl.pem crl.der crl-number    that CA's CRL and its number
 * revoked.txt                   one line per revocation: serial (hex), time, reason code
 * broker.crt broker.key broker-keystore.p12 truststore.p12   the broker's TLS material
 * devices/TENANT/DEVICE.crt|key device certificates (CN=tenant:device_id)
 * services/NAME.crt|key         service certificates (CN=name)
 * issued/SERIAL.crt             every certificate the issuing CA issued or signed, by hex serial
 * </pre>
 * A two-tier PKI ({@code init --intermediate NAME}) adds a root above the issuing CA, which then is
 * {@code ca.crt}:
 * <pre>
 * root.crt root.key             the root (what clients give as {@code --cafile})
 * root-crl.pem root-crl.der root-crl-number root-revoked.txt   the root's CRL (it revokes issuing CAs)
 * ca-bundle.crt                 the issuing CA and the root: the CA certificates the broker checks CRLs of
 * </pre>
 * The broker's chain and truststore then hold both CAs: devices that send only their own
 * certificate (as the seed's {@code mosquitto_pub --cert client.crt} does) are verified up to the
 * root. Not thread-safe: one command at a time per directory.
 */
public final class DevPki {

    /** Password of the dev keystore and truststore. Development only; never use the dev PKI in production. */
    public static final String KEYSTORE_PASSWORD = "certguard-dev";

    public static final String SEED_DEVICE = "admin:a1998e";
    public static final List<String> LOCAL_HOSTS = List.of("localhost", "127.0.0.1", "::1");
    private static final Duration DEFAULT_CRL_VALIDITY = Duration.ofDays(7);

    /** Where an issued certificate and its key (null when the key stayed with the requester) were written. */
    public record Issued(Path certificate, Path key, X509Certificate x509) {}

    /**
     * What {@code pki init} makes.
     *
     * @param caName       the CN of the CA (of the root, in a two-tier PKI)
     * @param intermediate the CN of the issuing CA under the root, or null for a one-tier PKI
     * @param keyType      the key type of the CA(s) and the broker
     */
    public record Init(
            String caName,
            String intermediate,
            KeyType keyType,
            Duration validity,
            List<String> hosts,
            boolean force) {}

    /**
     * How a certificate is issued.
     *
     * @param keyType  the key type of a key the PKI makes (ignored when signing a request)
     * @param crlUrl   a CRL Distribution Point URI to put into the certificate, or null for none
     */
    public record Issuance(Duration validity, KeyType keyType, URI crlUrl, boolean force) {

        public static Issuance of(final Duration validity, final boolean force) {
            return new Issuance(validity, KeyType.P256, null, force);
        }
    }

    /** The files of one CA: the issuing CA or, in a two-tier PKI, the root. */
    private record CaFiles(Path certificate, Path key, Path crlPem, Path crlDer, Path crlNumber, Path revocations) {

        static CaFiles in(final Path dir, final String prefix) {
            return new CaFiles(
                    dir.resolve(prefix.isEmpty() ? "ca.crt" : prefix + ".crt"),
                    dir.resolve(prefix.isEmpty() ? "ca.key" : prefix + ".key"),
                    dir.resolve(prefix.isEmpty() ? "crl.pem" : prefix + "-crl.pem"),
                    dir.resolve(prefix.isEmpty() ? "crl.der" : prefix + "-crl.der"),
                    dir.resolve(prefix.isEmpty() ? "crl-number" : prefix + "-crl-number"),
                    dir.resolve(prefix.isEmpty() ? "revoked.txt" : prefix + "-revoked.txt"));
        }
    }

    private final Path dir;
    private final CaFiles issuing;
    private final CaFiles root;

    public DevPki(final Path dir) {
        this.dir = dir;
        this.issuing = CaFiles.in(dir, "");
        this.root = CaFiles.in(dir, "root");
    }

    public Path dir() {
        return dir;
    }

    /** The CA that issues devices, services and the broker (the issuing CA of a two-tier PKI). */
    public Path caCertificate() {
        return issuing.certificate();
    }

    public Path caKey() {
        return issuing.key();
    }

    public Path crlPem() {
        return issuing.crlPem();
    }

    public Path crlDer() {
        return issuing.crlDer();
    }

    /** Whether this PKI has a root above its issuing CA. */
    public boolean isTwoTier() {
        return Files.exists(root.certificate());
    }

    /** The root of a two-tier PKI. */
    public Path rootCertificate() {
        return root.certificate();
    }

    /** The root's CRL of a two-tier PKI. */
    public Path rootCrlPem() {
        return root.crlPem();
    }

    /** The issuing CA and the root of a two-tier PKI, in one PEM file. */
    public Path caBundle() {
        return dir.resolve("ca-bundle.crt");
    }

    /** The certificate clients verify the broker with: the root of a two-tier PKI, else the CA. */
    public Path trustAnchor() {
        return isTwoTier() ? rootCertificate() : caCertificate();
    }

    /** The CA certificates the broker checks CRLs of: the bundle of a two-tier PKI, else the CA. */
    public Path caCertificatesForCrls() {
        return isTwoTier() ? caBundle() : caCertificate();
    }

    /** The CRL files the broker loads: the issuing CA's, and the root's in a two-tier PKI. */
    public List<Path> crlFiles() {
        return isTwoTier() ? List.of(crlPem(), rootCrlPem()) : List.of(crlPem());
    }

    /** Where a certificate issued or signed with {@code serial} is kept. */
    public Path issuedCertificate(final BigInteger serial) {
        return dir.resolve("issued").resolve(serial.toString(16) + ".crt");
    }

    public Path brokerKeystore() {
        return dir.resolve("broker-keystore.p12");
    }

    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** A one-tier P-256 PKI: the CA, an empty CRL and the broker's keystore and truststore for {@code hosts}. */
    public void init(final String caName, final Duration caValidity, final List<String> hosts, final boolean force)
            throws PkiException, IOException {
        init(new Init(caName, null, KeyType.P256, caValidity, hosts, force));
    }

    /**
     * Creates the CA (or the root and the issuing CA), an empty CRL for each, and the broker's
     * keystore and truststore for the hosts.
     *
     * @throws PkiException if a CA exists there already and {@code force} is false
     */
    public void init(final Init init) throws PkiException, IOException {
        if (!init.force() && (Files.exists(caCertificate()) || Files.exists(rootCertificate()))) {
            throw new PkiException(
                    caCertificate() + " exists already; not overwritten (use --force to replace the whole PKI)");
        }
        if (init.intermediate() != null && init.intermediate().equals(init.caName())) {
            throw new PkiException("the root and the issuing CA need different names, both are '"
                    + UntrustedText.escape(init.caName()) + "'");
        }
        final Instant notAfter = Instant.now().plus(init.validity());
        final List<Path> stale = new ArrayList<>();
        for (final CaFiles ca : List.of(issuing, root)) {
            stale.addAll(
                    List.of(ca.certificate(), ca.key(), ca.crlPem(), ca.crlDer(), ca.crlNumber(), ca.revocations()));
        }
        stale.add(caBundle());
        for (final Path file : stale) {
            Files.deleteIfExists(file);
        }
        final CertificateAuthority top = CertificateAuthority.createRoot(init.caName(), notAfter, init.keyType());
        final List<X509Certificate> chain = new ArrayList<>();
        final CertificateAuthority ca;
        if (init.intermediate() == null) {
            ca = top;
        } else {
            ca = top.issueIntermediate(init.intermediate(), notAfter, init.keyType());
            write(root, top);
            writeCrl(top, root, DEFAULT_CRL_VALIDITY);
            chain.add(top.certificate());
            PemFiles.writeCertificates(caBundle(), true, ca.certificate(), top.certificate());
        }
        chain.add(0, ca.certificate());
        write(issuing, ca);
        writeCrl(ca, issuing, DEFAULT_CRL_VALIDITY);
        writeBrokerStores(ca, chain, init.keyType(), init.hosts(), init.validity());
    }

    private static void write(final CaFiles files, final CertificateAuthority ca) throws IOException {
        PemFiles.writeCertificates(files.certificate(), true, ca.certificate());
        PemFiles.writePrivateKey(files.key(), true, ca.privateKey());
    }

    /** Issues a P-256 device certificate for {@code identity} ({@code tenant:device_id}, validated). */
    public Issued issueDevice(final String identity, final Duration validity, final boolean force)
            throws PkiException, IOException {
        return issueDevice(identity, Issuance.of(validity, force));
    }

    /** Issues a device certificate for {@code identity} ({@code tenant:device_id}, validated). */
    public Issued issueDevice(final String identity, final Issuance issuance) throws PkiException, IOException {
        final DeviceIdentity device;
        try {
            device = DeviceIdentity.parse(identity);
        } catch (final InvalidIdentityException e) {
            throw new PkiException("invalid device identity '" + UntrustedText.escape(identity) + "': " + e.reason());
        }
        requireFileNameSafe(device.tenant());
        requireFileNameSafe(device.deviceId());
        final Path base = dir.resolve("devices").resolve(device.tenant()).resolve(device.deviceId());
        return issueClient(device.toString(), base, issuance);
    }

    /** Issues a P-256 service (bridge) certificate whose CN is the plain name. */
    public Issued issueService(final String name, final Duration validity, final boolean force)
            throws PkiException, IOException {
        return issueService(name, Issuance.of(validity, force));
    }

    /** Issues a service (bridge) certificate whose CN is the plain name. */
    public Issued issueService(final String name, final Issuance issuance) throws PkiException, IOException {
        try {
            IdentityCharacters.checkLength(name);
            IdentityCharacters.checkPart("service name", name);
        } catch (final InvalidIdentityException e) {
            throw new PkiException("invalid service name '" + UntrustedText.escape(name) + "': " + e.reason());
        }
        requireFileNameSafe(name);
        return issueClient(name, dir.resolve("services").resolve(name), issuance);
    }

    /**
     * Signs a checked certificate signing request: the subject is its CN alone, the only extension
     * kept from the request is its subjectAltName, and key usage, extended key usage
     * {@code clientAuth} and {@code CA:FALSE} are set here whatever the request asked for. The
     * certificate is written to {@code out} and kept under {@code issued/} so that it can be revoked.
     */
    public Issued sign(final SigningRequest request, final Path out, final Issuance issuance)
            throws PkiException, IOException {
        final CertificateAuthority ca = authority();
        if (out.toAbsolutePath().normalize().startsWith(dir.toAbsolutePath().normalize())) {
            throw new PkiException("--out " + UntrustedText.escape(out.toString()) + " is inside the PKI directory "
                    + dir + "; write the certificate elsewhere");
        }
        if (!issuance.force() && Files.exists(out)) {
            throw new PkiException(UntrustedText.escape(out.toString())
                    + " exists already; not overwritten (use --force to replace it)");
        }
        final Instant now = Instant.now();
        final X509Certificate certificate = ca.issue(
                CertificateAuthority.cn(request.commonName()),
                request.publicKey(),
                now.minusSeconds(60),
                now.plus(issuance.validity()),
                CertificateAuthority.Purpose.CLIENT,
                request.subjectAltNames(),
                issuance.crlUrl());
        PemFiles.writeCertificates(out, true, certificate);
        keep(certificate);
        return new Issued(out, null, certificate);
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
        final X509Certificate certificate;
        try {
            certificate = PemFiles.readCertificate(certificateFile);
        } catch (final NoSuchFileException e) {
            throw new PkiException("no certificate at " + certificateFile);
        }
        return revoke(certificate, certificateFile.toString(), reason);
    }

    /**
     * Revokes the certificate with {@code serial} that this PKI issued or signed (kept under
     * {@code issued/}) and re-signs the CRL.
     */
    public BigInteger revoke(final BigInteger serial, final int reason) throws PkiException, IOException {
        final Path kept = issuedCertificate(serial);
        if (!Files.exists(kept)) {
            throw new PkiException("no certificate with serial " + serial.toString(16) + " was issued by the CA in "
                    + dir + " (looked for " + kept + ")");
        }
        return revoke(PemFiles.readCertificate(kept), kept.toString(), reason);
    }

    private BigInteger revoke(final X509Certificate certificate, final String source, final int reason)
            throws PkiException, IOException {
        if (certificate.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())) {
            throw new PkiException(source + " is a self-signed root: no CRL can revoke it; remove it from the"
                    + " clients' and the broker's trust instead");
        }
        final CertificateAuthority ca = authority();
        final CaFiles files;
        final CertificateAuthority issuer;
        if (issuedBy(certificate, ca)) {
            issuer = ca;
            files = issuing;
        } else if (isTwoTier() && issuedBy(certificate, rootAuthority())) {
            issuer = rootAuthority();
            files = root;
        } else {
            throw new PkiException(source + " was not issued by the CA in " + dir);
        }
        final BigInteger serial = certificate.getSerialNumber();
        final List<CertificateAuthority.Revocation> revoked = readRevocations(files);
        if (revoked.stream().noneMatch(r -> r.serial().equals(serial))) {
            Files.writeString(
                    files.revocations(),
                    serial.toString(16) + " " + Instant.now() + " " + reason + "\n",
                    StandardCharsets.US_ASCII,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        writeCrl(issuer, files, DEFAULT_CRL_VALIDITY);
        return serial;
    }

    private static boolean issuedBy(final X509Certificate certificate, final CertificateAuthority ca) {
        if (!certificate.getIssuerX500Principal().equals(ca.certificate().getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(ca.certificate().getPublicKey());
            return true;
        } catch (final GeneralSecurityException e) {
            return false;
        }
    }

    /** Re-signs the CRL (both CRLs of a two-tier PKI) with a fresh thisUpdate and the given validity. */
    public X509CRL writeCrl(final Duration validity) throws PkiException, IOException {
        if (isTwoTier()) {
            writeCrl(rootAuthority(), root, validity);
        }
        return writeCrl(authority(), issuing, validity);
    }

    /** Loads the CA that issues (the issuing CA of a two-tier PKI). */
    public CertificateAuthority authority() throws PkiException, IOException {
        return load(issuing);
    }

    /** Loads the root of a two-tier PKI. */
    public CertificateAuthority rootAuthority() throws PkiException, IOException {
        return load(root);
    }

    private CertificateAuthority load(final CaFiles files) throws PkiException, IOException {
        if (!Files.exists(files.certificate()) || !Files.exists(files.key())) {
            throw new PkiException(
                    "no CA in " + dir + " (" + files.certificate().getFileName() + " and "
                            + files.key().getFileName() + " expected); run 'pki init' first");
        }
        final X509Certificate certificate = PemFiles.readCertificate(files.certificate());
        final KeyPair keys = new KeyPair(certificate.getPublicKey(), PemFiles.readPrivateKey(files.key()));
        return new CertificateAuthority(keys, certificate);
    }

    private void keep(final X509Certificate certificate) throws IOException {
        PemFiles.writeCertificates(issuedCertificate(certificate.getSerialNumber()), true, certificate);
    }

    private Issued issueClient(final String commonName, final Path base, final Issuance issuance)
            throws PkiException, IOException {
        final CertificateAuthority ca = authority();
        final Path certificateFile = base.resolveSibling(base.getFileName() + ".crt");
        final Path keyFile = base.resolveSibling(base.getFileName() + ".key");
        if (!issuance.force()) {
            for (final Path file : List.of(certificateFile, keyFile)) {
                if (Files.exists(file)) {
                    throw new PkiException(file + " exists already; not overwritten (use --force to replace it)");
                }
            }
        }
        final KeyPair keys = issuance.keyType().generate();
        final Instant now = Instant.now();
        final X509Certificate certificate = ca.issue(
                CertificateAuthority.cn(commonName),
                keys.getPublic(),
                now.minusSeconds(60),
                now.plus(issuance.validity()),
                CertificateAuthority.Purpose.CLIENT,
                null,
                issuance.crlUrl());
        keep(certificate);
        PemFiles.writePrivateKey(keyFile, true, keys.getPrivate());
        PemFiles.writeCertificates(certificateFile, true, certificate);
        return new Issued(certificateFile, keyFile, certificate);
    }

    private void writeBrokerStores(
            final CertificateAuthority ca,
            final List<X509Certificate> caChain,
            final KeyType keyType,
            final List<String> hosts,
            final Duration validity)
            throws IOException {
        final KeyPair keys = keyType.generate();
        final Instant now = Instant.now();
        final X509Certificate broker = ca.issue(
                hosts.get(0),
                keys.getPublic(),
                now.minusSeconds(60),
                now.plus(validity),
                CertificateAuthority.Purpose.SERVER,
                hosts);
        final List<X509Certificate> chain = new ArrayList<>();
        chain.add(broker);
        chain.addAll(caChain);
        PemFiles.writeCertificates(dir.resolve("broker.crt"), true, chain.toArray(new X509Certificate[0]));
        PemFiles.writePrivateKey(dir.resolve("broker.key"), true, keys.getPrivate());
        try {
            final KeyStore keystore = KeyStore.getInstance("PKCS12");
            keystore.load(null, null);
            keystore.setKeyEntry(
                    "broker", keys.getPrivate(), KEYSTORE_PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
            PemFiles.writeBytes(brokerKeystore(), store(keystore), true);
            final KeyStore truststore = KeyStore.getInstance("PKCS12");
            truststore.load(null, null);
            // The issuing CA is trusted beside the root: a device sends only its own certificate, and
            // the broker must find the path to the root without it. The crl-extension still checks
            // the issuing CA against the root's CRL.
            truststore.setCertificateEntry("certguard-ca", ca.certificate());
            for (int i = 1; i < caChain.size(); i++) {
                truststore.setCertificateEntry("certguard-ca-" + i, caChain.get(i));
            }
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

    private static X509CRL writeCrl(final CertificateAuthority ca, final CaFiles files, final Duration validity)
            throws IOException {
        final BigInteger number = Files.exists(files.crlNumber())
                ? new BigInteger(Files.readString(files.crlNumber()).trim()).add(BigInteger.ONE)
                : BigInteger.ONE;
        final Instant now = Instant.now();
        final X509CRL crl = ca.crl(readRevocations(files), number, now.minusSeconds(1), now.plus(validity));
        PemFiles.writeCrl(files.crlPem(), files.crlDer(), crl);
        Files.writeString(files.crlNumber(), number + "\n");
        return crl;
    }

    private static List<CertificateAuthority.Revocation> readRevocations(final CaFiles files) throws IOException {
        final List<CertificateAuthority.Revocation> out = new ArrayList<>();
        if (!Files.exists(files.revocations())) {
            return out;
        }
        for (final String line : Files.readAllLines(files.revocations(), StandardCharsets.US_ASCII)) {
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
