package dev.certguard.pki;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
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
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority held in memory: issues device, service, server and intermediate CA
 * certificates and signs CRLs. Keys are ECDSA P-256. Used by the dev PKI, the tests and the
 * benchmarks. Immutable; thread-safe.
 */
public final class CertificateAuthority {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIGNATURE = "SHA256withECDSA";

    private final KeyPair keys;
    private final X509Certificate certificate;

    public CertificateAuthority(final KeyPair keys, final X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new self-signed root CA valid from now until {@code notAfter}. */
    public static CertificateAuthority createRoot(final String commonName, final Instant notAfter) {
        final KeyPair keys = newKeyPair();
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
                List.of());
        return new CertificateAuthority(keys, certificate);
    }

    public static KeyPair newKeyPair() {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("the JRE cannot generate P-256 keys", e);
        }
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
                hostNames);
    }

    /** An intermediate CA signed by this one. */
    public CertificateAuthority issueIntermediate(final String commonName, final Instant notAfter) {
        final KeyPair intermediateKeys = newKeyPair();
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

    private static X500Name cn(final String commonName) {
        return new X500Name(new org.bouncycastle.asn1.x500.RDN[] {
            new org.bouncycastle.asn1.x500.RDN(
                    org.bouncycastle.asn1.x500.style.BCStyle.CN, new org.bouncycastle.asn1.DERUTF8String(commonName))
        });
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
            final List<String> hostNames) {
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
                    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                    builder.addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
                }
                case SERVER -> {
                    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                    builder.addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                }
                default -> throw new IllegalArgumentException("unknown purpose " + purpose);
            }
            if (!hostNames.isEmpty()) {
                final List<ASN1Encodable> names = new ArrayList<>();
                for (final String host : hostNames) {
                    names.add(
                            isIpAddress(host)
                                    ? new GeneralName(GeneralName.iPAddress, host)
                                    : new GeneralName(GeneralName.dNSName, host));
                }
                builder.addExtension(
                        Extension.subjectAlternativeName, false, new DERSequence(names.toArray(new ASN1Encodable[0])));
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
            return new JcaContentSignerBuilder(SIGNATURE).build(key);
        } catch (final OperatorCreationException e) {
            throw new IllegalStateException("cannot create signer", e);
        }
    }
}
