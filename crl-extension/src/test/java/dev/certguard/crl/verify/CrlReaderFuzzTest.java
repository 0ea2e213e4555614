package dev.certguard.crl.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The CRL reader against bytes anyone who controls a CRL source can shape: DER, PEM, NSS's and bare
 * base64 forms, every extension it reads. Whatever the bytes, the reader returns a CRL or throws its
 * own {@link CrlFormatException} with a message, never another exception; what it returns is bounded
 * by what it read (no entry without the bytes for it); and verification against a CA then ends in a
 * verified CRL or the verifier's own exceptions. In {@code mvn test} this runs over the committed
 * inputs (CRLs from openssl, GnuTLS, strongSwan, cfssl, NSS, easy-rsa and python3-cryptography,
 * partitions, deltas, and every crash found); {@code JAZZER_FUZZ=1} fuzzes it (docs/testing.md).
 */
class CrlReaderFuzzTest {

    private static final TestCa CA = TestCa.ec("CN=fuzz CA");
    private static final CrlVerifier VERIFIER = new CrlVerifier(List.of(CA.certificate), Duration.ZERO);
    /** The fewest bytes a revoked entry takes: SEQUENCE, a one-byte serial, a UTCTime. */
    private static final int ENTRY_BYTES = 2 + 3 + 15;

    @FuzzTest(maxDuration = "30m")
    void any_bytes_give_a_crl_or_a_format_error(final byte[] input) {
        final ParsedCrl crl;
        try {
            crl = ParsedCrl.parse(input);
        } catch (final CrlFormatException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat((long) crl.revoked().size() * ENTRY_BYTES).isLessThanOrEqualTo(input.length);
        assertThat(crl.issuer()).isNotNull();
        try {
            final VerifiedCrl verified = VERIFIER.verify(crl, "fuzz", Instant.now());
            assertThat(verified.revoked().size()).isEqualTo(crl.revoked().size());
        } catch (final CrlVerificationException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    /** The extensions a fuzzed signed CRL may carry: every one certguard reads, and a few it does not. */
    private static final String[] CRL_EXTENSIONS = {
        "2.5.29.20", // cRLNumber
        "2.5.29.27", // deltaCRLIndicator
        "2.5.29.28", // issuingDistributionPoint
        "2.5.29.46", // freshestCRL
        "2.5.29.35", // authorityKeyIdentifier
        "2.5.29.18", // issuerAltName
        "1.3.6.1.4.1.311.21.4", // Microsoft's next CRL publish
        "1.2.3.4"
    };

    private static final String[] ENTRY_EXTENSIONS = {
        "2.5.29.21", // reasonCode
        "2.5.29.24", // invalidityDate
        "2.5.29.29", // certificateIssuer
        "1.2.3.4"
    };

    /**
     * CRLs signed by the configured CA whose extensions and entry extensions hold any bytes: what the
     * verifier decodes only after the signature (the Issuing Distribution Point, delta indicator,
     * Freshest CRL and entry reasons, with BouncyCastle and the reader's own DER) must verify or be
     * refused with the verifier's own exceptions, and what it verifies must be consistent.
     */
    @FuzzTest(maxDuration = "30m")
    void a_signed_crl_with_any_extension_bytes_verifies_or_is_refused(
            final com.code_intelligence.jazzer.api.FuzzedDataProvider data) throws Exception {
        final Instant now = Instant.now();
        // Assembled and signed here, not by BouncyCastle's CRL builder, which re-reads what it built
        // and throws on malformed extension values (found by fuzzing): those must reach the reader.
        final org.bouncycastle.operator.ContentSigner signer =
                TestCa.signer("SHA256withECDSA").build(CA.keys.getPrivate());
        final org.bouncycastle.asn1.x509.V2TBSCertListGenerator tbs =
                new org.bouncycastle.asn1.x509.V2TBSCertListGenerator();
        tbs.setSignature(signer.getAlgorithmIdentifier());
        tbs.setIssuer(org.bouncycastle.asn1.x500.X500Name.getInstance(
                CA.certificate.getSubjectX500Principal().getEncoded()));
        tbs.setThisUpdate(new org.bouncycastle.asn1.x509.Time(java.util.Date.from(now.minusSeconds(60))));
        tbs.setNextUpdate(new org.bouncycastle.asn1.x509.Time(
                java.util.Date.from(now.plusSeconds(data.consumeInt(-3600, 86_400)))));
        final org.bouncycastle.asn1.x509.ExtensionsGenerator crlExtensions =
                new org.bouncycastle.asn1.x509.ExtensionsGenerator();
        final int extensions = data.consumeInt(0, 4);
        for (int i = 0; i < extensions; i++) {
            final String oid = data.pickValue(CRL_EXTENSIONS);
            try {
                crlExtensions.addExtension(new org.bouncycastle.asn1.x509.Extension(
                        new org.bouncycastle.asn1.ASN1ObjectIdentifier(oid),
                        data.consumeBoolean(),
                        data.consumeBytes(64)));
            } catch (final IllegalArgumentException twice) {
                // BouncyCastle refuses to add one extension twice; the reader's own check is tested elsewhere.
            }
        }
        final int entries = data.consumeInt(0, 8);
        for (int i = 0; i < entries; i++) {
            final byte[] serial = data.consumeBytes(20);
            final org.bouncycastle.asn1.x509.ExtensionsGenerator entryExtensions =
                    new org.bouncycastle.asn1.x509.ExtensionsGenerator();
            if (data.consumeBoolean()) {
                entryExtensions.addExtension(new org.bouncycastle.asn1.x509.Extension(
                        new org.bouncycastle.asn1.ASN1ObjectIdentifier(data.pickValue(ENTRY_EXTENSIONS)),
                        data.consumeBoolean(),
                        data.consumeBytes(16)));
            }
            tbs.addCRLEntry(
                    new org.bouncycastle.asn1.ASN1Integer(
                            serial.length == 0 ? java.math.BigInteger.ONE : new java.math.BigInteger(serial)),
                    new org.bouncycastle.asn1.x509.Time(java.util.Date.from(now.minusSeconds(30))),
                    entryExtensions.isEmpty() ? null : entryExtensions.generate());
        }
        if (!crlExtensions.isEmpty()) {
            tbs.setExtensions(crlExtensions.generate());
        }
        final org.bouncycastle.asn1.x509.TBSCertList list = tbs.generateTBSCertList();
        try (java.io.OutputStream out = signer.getOutputStream()) {
            out.write(list.getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER));
        }
        final byte[] der = new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                    list, signer.getAlgorithmIdentifier(), new org.bouncycastle.asn1.DERBitString(signer.getSignature())
                })
                .getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER);

        final ParsedCrl parsed;
        try {
            parsed = ParsedCrl.parse(der);
        } catch (final CrlFormatException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        final VerifiedCrl crl;
        try {
            crl = VERIFIER.verify(parsed, "fuzz", now);
        } catch (final CrlVerificationException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(crl.revoked().size()).isLessThanOrEqualTo(entries);
        if (crl.isDelta()) {
            assertThat(crl.number()).as("a delta without a number is refused").isNotNull();
            assertThat(crl.deltaBase()).isLessThan(crl.number());
            assertThat(crl.namesDeltas()).as("a delta naming deltas is refused").isFalse();
        }
        assertThat(crl.scope()).isNotNull();
        assertThat(crl.key()).startsWith(crl.issuerKey());
    }
}
