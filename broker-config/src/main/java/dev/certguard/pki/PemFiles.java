package dev.certguard.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Reads and writes PEM files the way OpenSSL and mosquitto expect them: certificates, PKCS#8
 * private keys (owner-readable only) and CRLs. Writing never overwrites unless asked to.
 * Stateless; thread-safe.
 */
public final class PemFiles {

    private PemFiles() {}

    public static void writeCertificates(
            final Path file, final boolean overwrite, final X509Certificate... certificates) throws IOException {
        write(file, pem((Object[]) certificates), overwrite, false);
    }

    public static void writePrivateKey(final Path file, final boolean overwrite, final PrivateKey key)
            throws IOException {
        write(file, pem(new JcaPKCS8Generator(key, null)), overwrite, true);
    }

    public static void writeCrl(final Path pemFile, final Path derFile, final X509CRL crl) throws IOException {
        try {
            write(pemFile, pem(crl), true, false);
            writeBytes(derFile, crl.getEncoded(), true);
        } catch (final CRLException e) {
            throw new IOException("cannot encode CRL", e);
        }
    }

    public static X509Certificate readCertificate(final Path file) throws IOException {
        final List<X509Certificate> certificates = readCertificates(file);
        if (certificates.isEmpty()) {
            throw new IOException(file + " holds no PEM certificate");
        }
        return certificates.get(0);
    }

    public static List<X509Certificate> readCertificates(final Path file) throws IOException {
        final List<X509Certificate> out = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof X509CertificateHolder holder) {
                    out.add(new JcaX509CertificateConverter().getCertificate(holder));
                }
            }
        } catch (final GeneralSecurityException e) {
            throw new IOException(file + " holds a certificate that cannot be decoded", e);
        }
        return out;
    }

    public static PrivateKey readPrivateKey(final Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            final Object object = parser.readObject();
            final JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new IOException(file + " holds no unencrypted PEM private key");
        }
    }

    private static String pem(final Object... objects) throws IOException {
        final StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (final Object object : objects) {
                writer.writeObject(object);
            }
        }
        return out.toString();
    }

    private static void write(final Path file, final String text, final boolean overwrite, final boolean secret)
            throws IOException {
        writeBytes(file, text.getBytes(StandardCharsets.US_ASCII), overwrite, secret);
    }

    static void writeBytes(final Path file, final byte[] bytes, final boolean overwrite) throws IOException {
        writeBytes(file, bytes, overwrite, false);
    }

    private static void writeBytes(final Path file, final byte[] bytes, final boolean overwrite, final boolean secret)
            throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        if (!overwrite && Files.exists(file)) {
            throw new FileAlreadyExistsException(
                    file.toString(), null, "exists already; not overwritten (use --force to replace it)");
        }
        // Write beside the target and move, so readers (a CRL refresher) never see a half-written file.
        // The temporary file is new and randomly named: a link planted beside the target is never followed.
        final Path temporary =
                Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        Files.write(temporary, bytes, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        if (secret) {
            try {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            } catch (final UnsupportedOperationException ignored) {
                // Not a POSIX file system: the platform's default permissions apply.
            }
        }
        Files.move(
                temporary,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
