package dev.certguard.pki;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.certguard.identity.DeviceIdentity;
import dev.certguard.identity.InvalidIdentityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAKey;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * {@code pki sign}'s checks of a signing request anyone can send: any bytes are a request that
 * passed every check or a {@link PkiException} with the reason, never another exception; and a
 * request that passes has a valid identity (device or service) and an RSA key of at least 2048 bits
 * when it is RSA. Seeds: the seed flow's own {@code openssl req} requests; the second target signs
 * requests whose subject and extensions hold any bytes, so the checks after the signature are reached.
 */
class SigningRequestFuzzTest {

    private static final KeyPair KEYS = keys();

    private static KeyPair keys() {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30m")
    void any_bytes_are_a_checked_request_or_a_reason(final byte[] bytes) {
        check(bytes, false);
        check(bytes, true);
    }

    @FuzzTest(maxDuration = "30m")
    void a_signed_request_with_any_subject_and_extensions_is_checked(final FuzzedDataProvider data) throws Exception {
        X500Name subject;
        try {
            subject = X500Name.getInstance(data.consumeBytes(200));
        } catch (final RuntimeException notAName) {
            // Built as a value, not parsed from text: "CN=#..." would be read as a hex-encoded value.
            subject = new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(data.consumeString(80)))});
        }
        final JcaPKCS10CertificationRequestBuilder builder =
                new JcaPKCS10CertificationRequestBuilder(subject, KEYS.getPublic());
        final int extensions = data.consumeInt(0, 3);
        if (extensions > 0) {
            final ExtensionsGenerator generator = new ExtensionsGenerator();
            for (int i = 0; i < extensions; i++) {
                final ASN1ObjectIdentifier oid = data.pickValue(new ASN1ObjectIdentifier[] {
                    Extension.subjectAlternativeName,
                    Extension.basicConstraints,
                    Extension.keyUsage,
                    Extension.extendedKeyUsage,
                    new ASN1ObjectIdentifier("1.2.3.4")
                });
                try {
                    generator.addExtension(new Extension(oid, data.consumeBoolean(), data.consumeBytes(64)));
                } catch (final IllegalArgumentException twice) {
                    // BouncyCastle refuses one extension twice
                }
            }
            if (!generator.isEmpty()) {
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, generator.generate());
            }
        }
        final byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(KEYS.getPrivate()))
                .getEncoded();
        check(der, data.consumeBoolean());
    }

    private static void check(final byte[] bytes, final boolean service) {
        final SigningRequest request;
        try {
            request = SigningRequest.parse(bytes, service);
        } catch (final PkiException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        if (request.publicKey() instanceof RSAKey rsa) {
            assertThat(rsa.getModulus().bitLength()).isGreaterThanOrEqualTo(SigningRequest.MIN_RSA_BITS);
        }
        if (!service) {
            try {
                assertThat(DeviceIdentity.parse(request.commonName()).toString())
                        .isEqualTo(request.commonName());
            } catch (final InvalidIdentityException e) {
                throw new AssertionError("a device request passed with an invalid identity: " + e.getMessage(), e);
            }
        }
        request.subjectAltNamesForDisplay();
        assertThat(request.ignored()).doesNotContainNull();
    }
}
