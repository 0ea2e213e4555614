package dev.certguard.crl.verify;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A CA for tests that signs CRLs of any shape, including hostile ones. */
public final class TestCa {

    public final KeyPair keys;
    public final X509Certificate certificate;
    final String signature;

    private TestCa(final KeyPair keys, final X509Certificate certificate, final String signature) {
        this.keys = keys;
        this.certificate = certificate;
        this.signature = signature;
    }

    /** An EC CA made elsewhere (an intermediate issued with {@link #issue}), to sign CRLs with. */
    public static TestCa of(final KeyPair keys, final X509Certificate certificate) {
        return new TestCa(keys, certificate, "SHA256withECDSA");
    }

    public static TestCa ec(final String name) {
        return create(name, "EC", 256, "SHA256withECDSA");
    }

    public static TestCa rsa(final String name) {
        return create(name, "RSA", 2048, "SHA256withRSA");
    }

    /**
     * A CA whose key is an RSASSA-PSS key (OID id-RSASSA-PSS, as {@code openssl genpkey -algorithm
     * RSA-PSS} and GnuTLS {@code certtool --key-type=rsa-pss} make), signing with PSS.
     */
    static TestCa rsaPss(final String name) {
        return create(name, "RSASSA-PSS", 2048, "SHA256withRSAandMGF1");
    }

    /**
     * A CA with a {@code keyAlgorithm} key of {@code size} bits (ignored for Ed25519) that signs its
     * certificate and CRLs with {@code signature}, e.g. {@code SHA384withRSAandMGF1}.
     */
    public static TestCa signingWith(
            final String name, final String keyAlgorithm, final int size, final String signature) {
        return create(name, keyAlgorithm, size, signature);
    }

    /** A signer for {@code signature}: BouncyCastle's own for PSS (the JDK's providers sign it differently). */
    public static JcaContentSignerBuilder signer(final String signature) {
        final JcaContentSignerBuilder builder = new JcaContentSignerBuilder(signature);
        return signature.contains("MGF1")
                ? builder.setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                : builder;
    }

    private static TestCa create(final String name, final String algorithm, final int size, final String signature) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (!algorithm.startsWith("Ed")) {
                generator.initialize(size);
            }
            final KeyPair keys = generator.generateKeyPair();
            final Instant now = Instant.now();
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    new X500Name(name),
                    BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minusSeconds(3600)),
                    Date.from(now.plusSeconds(86400)),
                    new X500Name(name),
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestCa(
                    keys,
                    new JcaX509CertificateConverter()
                            .getCertificate(builder.build(signer(signature).build(keys.getPrivate()))),
                    signature);
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate issued by {@code issuer}: a CA (CA:TRUE) or an end entity (CA:FALSE). */
    public static X509Certificate issue(
            final X509Certificate issuer,
            final KeyPair issuerKeys,
            final String subject,
            final PublicKey key,
            final long serial,
            final boolean ca) {
        return issue(issuer, issuerKeys, subject, key, serial, ca, null);
    }

    /**
     * A certificate issued by {@code issuer} that names {@code points} (or none, when {@code null}) in
     * its CRL Distribution Points extension.
     */
    public static X509Certificate issue(
            final X509Certificate issuer,
            final KeyPair issuerKeys,
            final String subject,
            final PublicKey key,
            final long serial,
            final boolean ca,
            final org.bouncycastle.asn1.x509.DistributionPoint[] points) {
        try {
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                    BigInteger.valueOf(serial),
                    Date.from(Instant.now().minusSeconds(60)),
                    Date.from(Instant.now().plusSeconds(3600)),
                    new X500Name(subject),
                    key);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (points != null) {
                builder.addExtension(
                        Extension.cRLDistributionPoints, false, new org.bouncycastle.asn1.x509.CRLDistPoint(points));
            }
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(
                            new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CRL builder with sensible defaults: now, valid an hour, number 1, no entries. */
    public final class Crl {
        public Instant thisUpdate = Instant.now().minusSeconds(10);
        public Instant nextUpdate = Instant.now().plusSeconds(3600);
        public BigInteger number = BigInteger.ONE;
        public BigInteger[] revoked = new BigInteger[0];
        boolean partitioned;
        /** An Issuing Distribution Point to carry (critical), or {@code null}. */
        public IssuingDistributionPoint idp;
        /** An Issuing Distribution Point's raw DER (critical), for encodings BouncyCastle will not build. */
        public byte[] idpDer;
        /** Makes it a delta CRL on this BaseCRLNumber (deltaCRLIndicator, critical unless told otherwise). */
        public BigInteger deltaBase;

        public boolean deltaCritical = true;
        /** The CRLReason of the {@link #revoked} entries (0: none given). */
        public int revokedReason;
        /** Serials listed on hold (certificateHold). */
        public BigInteger[] held = new BigInteger[0];
        /** Serials listed with removeFromCRL (a delta lifting a hold). */
        public BigInteger[] removed = new BigInteger[0];
        /** A Freshest CRL extension naming this URL (where the deltas are), or {@code null}. */
        public String freshest;

        X500Name issuer =
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        KeyPair signer = keys;

        /** The CRL signed with another key (a CRL-signing key of the same CA name). */
        public byte[] signedWith(final KeyPair key) {
            signer = key;
            return der();
        }

        public byte[] der() {
            try {
                final X509v2CRLBuilder builder = new X509v2CRLBuilder(issuer, Date.from(thisUpdate));
                if (nextUpdate != null) {
                    builder.setNextUpdate(Date.from(nextUpdate));
                }
                for (final BigInteger serial : revoked) {
                    builder.addCRLEntry(serial, Date.from(thisUpdate), revokedReason);
                }
                for (final BigInteger serial : held) {
                    builder.addCRLEntry(
                            serial, Date.from(thisUpdate), org.bouncycastle.asn1.x509.CRLReason.certificateHold);
                }
                for (final BigInteger serial : removed) {
                    builder.addCRLEntry(
                            serial, Date.from(thisUpdate), org.bouncycastle.asn1.x509.CRLReason.removeFromCRL);
                }
                if (deltaBase != null) {
                    builder.addExtension(Extension.deltaCRLIndicator, deltaCritical, new CRLNumber(deltaBase));
                }
                if (freshest != null) {
                    builder.addExtension(
                            Extension.freshestCRL,
                            false,
                            new org.bouncycastle.asn1.x509.CRLDistPoint(
                                    new org.bouncycastle.asn1.x509.DistributionPoint[] {point(freshest, 0)}));
                }
                if (number != null) {
                    builder.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
                }
                if (idp != null) {
                    builder.addExtension(Extension.issuingDistributionPoint, true, idp);
                }
                if (idpDer != null) {
                    builder.addExtension(Extension.issuingDistributionPoint, true, idpDer);
                }
                if (partitioned) {
                    builder.addExtension(
                            Extension.issuingDistributionPoint,
                            true,
                            new IssuingDistributionPoint(null, true, false, null, false, false));
                }
                return builder.build(signer(signature).build(signer.getPrivate()))
                        .getEncoded();
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public Crl crl() {
        return new Crl();
    }

    /** A distribution point with the full name {@code uri}, for {@code reasons} (ReasonFlags bits; 0: all). */
    public static org.bouncycastle.asn1.x509.DistributionPoint point(final String uri, final int reasons) {
        return new org.bouncycastle.asn1.x509.DistributionPoint(
                new org.bouncycastle.asn1.x509.DistributionPointName(
                        new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                                org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, uri))),
                reasons == 0 ? null : new org.bouncycastle.asn1.x509.ReasonFlags(reasons),
                null);
    }

    /**
     * An Issuing Distribution Point naming {@code uri} ({@code null}: no name), for end entities only
     * or CAs only when asked, and for {@code reasons} (ReasonFlags bits; 0: all).
     */
    public static IssuingDistributionPoint idp(
            final String uri, final boolean userOnly, final boolean caOnly, final int reasons) {
        return new IssuingDistributionPoint(
                uri == null
                        ? null
                        : new org.bouncycastle.asn1.x509.DistributionPointName(
                                new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                                        org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, uri))),
                userOnly,
                caOnly,
                reasons == 0 ? null : new org.bouncycastle.asn1.x509.ReasonFlags(reasons),
                false,
                false);
    }
}
