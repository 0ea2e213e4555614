package dev.certguard.pki;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority held in memory: issues device, service, server and intermediate CA
 * certificates and signs CRLs. Keys are of any {@link KeyType} (ECDSA P-256 unless asked otherwise);
 * each signature uses the algorithm that fits the signing key. Used by the dev PKI, the tests and
 * the benchmarks. Immutable; thread-safe.
 */
public final class CertificateAuthority {

    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Signs PSS with an unregistered instance: BouncyCastle names PSS signatures
     * ({@code SHA256WITHRSAANDMGF1}) in a way the JDK's providers do not know.
     */
    private static final BouncyCastleProvider PSS_PROVIDER = new BouncyCastleProvider();

    private final KeyPair keys;
    private final X509Certificate certificate;

    public CertificateAuthority(final KeyPair keys, final X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new self-signed root CA valid from now until {@code notAfter}. */
    public static CertificateAuthority createRoot(final String commonName, final Instant notAfter) {
        return createRoot(commonName, notAfter, KeyType.P256);
    }

    /** A new self-signed root CA with a key of {@code keyType}, valid from now until {@code notAfter}. */
    public static CertificateAuthority createRoot(
            final String commonName, final Instant notAfter, final KeyType keyType) {
        final KeyPair keys = keyType.generate();
        final X500Name name = new X500Name(new org.bouncycastle.asn1.x500.RDN[] {
            new org.bouncycastle.asn1.x500.RDN(
                    org.bouncycastle.asn1.x500.style.BCStyle.CN, new org.bouncycastle.asn1.DERUTF8String(commonName))
        });
        final X509Certificate certificate = build(
                name,
                keys.getPublic(),
                name,
                keys,
                null,
                Instant.now().minusSeconds(60),
                notAfter,
                Purpose.CA,
                null,
                List.of());
        return new CertificateAuthority(keys, certificate);
    }

    /** A new ECDSA P-256 key pair. */
    public static KeyPair newKeyPair() {
        return KeyType.P256.generate();
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return keys.getPrivate();
    }

    /** What a certificate is for; decides its key usage and extended key usage. */
    public enum Purpose {
        CLIENT,
        SERVER,
        CA
    }

    /** Issues a certificate for {@code publicKey} whose subject is a single CN. */
    public X509Certificate issue(
            final String commonName,
            final PublicKey publicKey,
            final Instant notBefore,
            final Instant notAfter,
            final Purpose purpose,
            final List<String> hostNames) {
        return issue(cn(commonName), publicKey, notBefore, notAfter, purpose, hostNames);
    }

    /** Issues a certificate with an arbitrary subject (tests use odd subjects on purpose). */
    public X509Certificate issue(
            final X500Name subject,
            final PublicKey publicKey,
            final Instant notBefore,
            final Instant notAfter,
            final Purpose purpose,
            final List<String> hostNames) {
        return issue(subject, publicKey, notBefore, notAfter, purpose, hostNames(hostNames), (URI) null);
    }

    /**
     * Issues a certificate with an arbitrary subject, the given subject alternative names (none when
     * null) and, when {@code crlDistributionPoint} is not null, a CRL Distribution Point naming it.
     * {@code notAfter} is capped at this CA's own.
     */
    public X509Certificate issue(
            final X500Name subject,
            final PublicKey publicKey,
            final Instant notBefore,
            final Instant notAfter,
            final Purpose purpose,
            final GeneralNames subjectAltNames,
            final URI crlDistributionPoint) {
        return issueWithDistributionPointNames(
                subject,
                publicKey,
                notBefore,
                notAfter,
                purpose,
                subjectAltNames,
                crlDistributionPoint == null ? List.<URI>of() : List.of(crlDistributionPoint));
    }

    /**
     * As {@link #issue(X500Name, PublicKey, Instant, Instant, Purpose, GeneralNames, URI)}, with one CRL
     * Distribution Point whose full name holds every URI of {@code crlDistributionPointNames} (none
     * when empty): a certificate a CA lists under several URLs.
     */
    public X509Certificate issueWithDistributionPointNames(
            final X500Name subject,
            final PublicKey publicKey,
            final Instant notBefore,
            final Instant notAfter,
            final Purpose purpose,
            final GeneralNames subjectAltNames,
            final List<URI> crlDistributionPointNames) {
        final Instant cappedNotAfter =
                notAfter.isAfter(certificate.getNotAfter().toInstant())
                        ? certificate.getNotAfter().toInstant()
                        : notAfter;
        return build(
                subject,
                publicKey,
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                keys,
                certificate,
                notBefore,
                cappedNotAfter,
                purpose,
                subjectAltNames,
                crlDistributionPointNames);
    }

    /** An intermediate CA signed by this one. */
    public CertificateAuthority issueIntermediate(final String commonName, final Instant notAfter) {
        return issueIntermediate(commonName, notAfter, KeyType.P256);
    }

    /** An intermediate CA with a key of {@code keyType}, signed by this one. */
    public CertificateAuthority issueIntermediate(
            final String commonName, final Instant notAfter, final KeyType keyType) {
        final KeyPair intermediateKeys = keyType.generate();
        final X509Certificate intermediate = issue(
                commonName,
                intermediateKeys.getPublic(),
                Instant.now().minusSeconds(60),
                notAfter,
                Purpose.CA,
                List.of());
        return new CertificateAuthority(intermediateKeys, intermediate);
    }

    /** One revoked certificate on a CRL. */
    public record Revocation(BigInteger serial, Instant revokedAt, int reason) {}

    /** A CRL signed by this CA. */
    public X509CRL crl(
            final List<Revocation> revocations,
            final BigInteger crlNumber,
            final Instant thisUpdate,
            final Instant nextUpdate) {
        try {
            final X509v2CRLBuilder builder = new X509v2CRLBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), Date.from(thisUpdate));
            builder.setNextUpdate(Date.from(nextUpdate));
            for (final Revocation revocation : revocations) {
                builder.addCRLEntry(revocation.serial(), Date.from(revocation.revokedAt()), revocation.reason());
            }
            builder.addExtension(Extension.cRLNumber, false, new CRLNumber(crlNumber));
            builder.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            final X509CRLHolder holder = builder.build(signer(keys.getPrivate()));
            return new JcaX509CRLConverter().getCRL(holder);
        } catch (final GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot sign CRL", e);
        }
    }

    /** CRL reason code {@code unspecified}. */
    public static final int UNSPECIFIED = CRLReason.unspecified;

    /** A subject made of one CN (a UTF8String). */
    public static X500Name cn(final String commonName) {
        return new X500Name(new org.bouncycastle.asn1.x500.RDN[] {
            new org.bouncycastle.asn1.x500.RDN(
                    org.bouncycastle.asn1.x500.style.BCStyle.CN, new org.bouncycastle.asn1.DERUTF8String(commonName))
        });
    }

    private static GeneralNames hostNames(final List<String> hostNames) {
        if (hostNames.isEmpty()) {
            return null;
        }
        final List<GeneralName> names = new ArrayList<>();
        for (final String host : hostNames) {
            names.add(
                    isIpAddress(host)
                            ? new GeneralName(GeneralName.iPAddress, host)
                            : new GeneralName(GeneralName.dNSName, host));
        }
        return new GeneralNames(names.toArray(new GeneralName[0]));
    }

    /**
     * Key usage of an end-entity certificate by its key: an RSA key may also encipher (TLS 1.2 RSA key
     * transport, what the seed's CSRs ask for); RSASSA-PSS, EC and Ed25519 keys only sign (RFC 4055,
     * RFC 8410).
     */
    private static KeyUsage endEntityKeyUsage(final PublicKey publicKey) {
        return publicKey.getAlgorithm().equals("RSA")
                ? new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)
                : new KeyUsage(KeyUsage.digitalSignature);
    }

    private static X509Certificate build(
            final X500Name subject,
            final PublicKey publicKey,
            final X500Name issuer,
            final KeyPair issuerKeys,
            final X509Certificate issuerCertificate,
            final Instant notBefore,
            final Instant notAfter,
            final Purpose purpose,
            final GeneralNames subjectAltNames,
            final List<URI> crlDistributionPointNames) {
        try {
            final BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
            final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuer, serial, Date.from(notBefore), Date.from(notAfter), subject, publicKey);
            final JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            if (issuerCertificate != null) {
                builder.addExtension(
                        Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerCertificate));
            }
            switch (purpose) {
                case CA -> {
                    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                    builder.addExtension(
                            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                }
                case CLIENT -> {
                    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    builder.addExtension(Extension.keyUsage, true, endEntityKeyUsage(publicKey));
                    builder.addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
                }
                case SERVER -> {
                    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    builder.addExtension(Extension.keyUsage, true, endEntityKeyUsage(publicKey));
                    builder.addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                }
                default -> throw new IllegalArgumentException("unknown purpose " + purpose);
            }
            if (subjectAltNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames);
            }
            if (!crlDistributionPointNames.isEmpty()) {
                final DistributionPointName name =
                        new DistributionPointName(new GeneralNames(crlDistributionPointNames.stream()
                                .map(uri -> new GeneralName(GeneralName.uniformResourceIdentifier, uri.toString()))
                                .toArray(GeneralName[]::new)));
                builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                    new DistributionPoint(name, null, null)
                }));
            }
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer(issuerKeys.getPrivate())));
        } catch (final GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue certificate", e);
        }
    }

    private static boolean isIpAddress(final String host) {
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+") || !(host.contains(".") || host.contains(":"))) {
            return false;
        }
        try {
            InetAddress.getByName(host);
            return true;
        } catch (final UnknownHostException e) {
            return false;
        }
    }

    private static ContentSigner signer(final PrivateKey key) {
        try {
            final String algorithm = KeyType.signatureAlgorithmFor(key);
            final JcaContentSignerBuilder builder = new JcaContentSignerBuilder(algorithm);
            if (algorithm.equals(KeyType.RSAPSS.signatureAlgorithm())) {
                builder.setProvider(PSS_PROVIDER);
            }
            return builder.build(key);
        } catch (final OperatorCreationException e) {
            throw new IllegalStateException("cannot create signer", e);
        }
    }
}
