package dev.certguard.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.testing.RocaKeys;
import dev.certguard.testing.TestCertificates;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyQualityTest {

    private static final KeyQuality JUDGE = new KeyQuality(2048);

    private static KeyPair rsa(final int bits) throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    private static KeyPair ec(final String curve) throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    private static X509Certificate signedBy(final KeyPair keys, final String algorithm) {
        return TestCertificates.certificate("CN=admin:a1998e", keys.getPublic(), keys.getPrivate(), algorithm);
    }

    @Test
    void rsa_1024_is_too_short_and_2048_is_not() throws Exception {
        final KeyQuality.Weakness weak = JUDGE.judge(signedBy(rsa(1024), "SHA256withRSA"));

        assertThat(weak).isNotNull();
        assertThat(weak.rule()).isEqualTo(KeyQuality.Rule.RSA_TOO_SHORT);
        assertThat(weak.detail()).isEqualTo("RSA 1024 bits, minimum 2048");
        assertThat(JUDGE.judge(signedBy(rsa(2048), "SHA256withRSA"))).isNull();
        assertThat(new KeyQuality(3072).judge(signedBy(rsa(2048), "SHA256withRSA")))
                .as("the minimum is the configured one")
                .isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"secp256r1", "secp384r1", "secp521r1"})
    void nist_curves_are_sound(final String curve) throws Exception {
        assertThat(JUDGE.judge(signedBy(ec(curve), "SHA256withECDSA")))
                .as(curve)
                .isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"secp256r1", "secp384r1", "secp521r1", "secp256k1", "brainpoolP256r1", "secp224r1"})
    void a_certificate_names_an_allowed_curve_exactly_when_its_key_is_on_one(final String curve) throws Exception {
        final X509Certificate certificate = signedBy(ec(curve), "SHA256withECDSA");
        assertThat(NamedCurve.isAllowed(certificate))
                .as(curve)
                .isEqualTo(JUDGE.judge(certificate.getPublicKey()) == null);
        assertThat(NamedCurve.isAllowed(signedBy(rsa(2048), "SHA256withRSA"))).isFalse();
    }

    @Test
    void a_truncated_or_garbled_certificate_names_no_curve() throws Exception {
        final byte[] der = signedBy(ec("secp256r1"), "SHA256withECDSA").getEncoded();
        assertThat(NamedCurve.isAllowed(der)).isTrue();
        for (int length = 0; length < der.length; length += 7) {
            assertThat(NamedCurve.isAllowed(java.util.Arrays.copyOf(der, length)))
                    .isFalse();
        }
        final java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < 2000; i++) {
            final byte[] garbled = der.clone();
            garbled[random.nextInt(garbled.length)] = (byte) random.nextInt(256);
            NamedCurve.isAllowed(garbled); // never throws
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"secp256k1", "brainpoolP256r1", "secp224r1"})
    void other_curves_are_weak(final String curve) throws Exception {
        final KeyQuality.Weakness weak = JUDGE.judge(signedBy(ec(curve), "SHA256withECDSA"));

        assertThat(weak).as(curve).isNotNull();
        assertThat(weak.rule()).isEqualTo(KeyQuality.Rule.EC_CURVE);
    }

    @Test
    void ed25519_is_sound() throws Exception {
        final KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();

        assertThat(JUDGE.judge(signedBy(keys, "Ed25519"))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SHA1withRSA", "MD5withRSA"})
    void md5_and_sha1_signatures_are_weak(final String algorithm) throws Exception {
        final KeyQuality.Weakness weak = JUDGE.judge(signedBy(rsa(2048), algorithm));

        assertThat(weak).as(algorithm).isNotNull();
        assertThat(weak.rule()).isEqualTo(KeyQuality.Rule.WEAK_SIGNATURE);
    }

    @Test
    void sha1_ecdsa_is_weak_and_pss_over_sha256_is_not() throws Exception {
        assertThat(JUDGE.judge(signedBy(ec("secp256r1"), "SHA1withECDSA"))).isNotNull();
        assertThat(JUDGE.judge(signedBy(rsa(2048), "SHA256withRSAandMGF1"))).isNull();
        final KeyQuality.Weakness pssSha1 = JUDGE.judge(signedBy(rsa(2048), "SHA1withRSAandMGF1"));
        assertThat(pssSha1).isNotNull();
        assertThat(pssSha1.detail()).isEqualTo("signed with RSASSA-PSS over SHA-1");
    }

    @Test
    void a_modulus_built_like_rsalib_carries_the_roca_fingerprint() {
        final KeyPair roca = RocaKeys.generate(2048, new SecureRandom());

        final KeyQuality.Weakness weak = JUDGE.judge(roca.getPublic());

        assertThat(weak).isNotNull();
        assertThat(weak.rule()).isEqualTo(KeyQuality.Rule.ROCA);
    }

    @Test
    void ordinary_rsa_keys_never_carry_the_fingerprint() throws Exception {
        for (int i = 0; i < 20; i++) {
            final KeyPair keys = rsa(i % 2 == 0 ? 2048 : 3072);
            assertThat(JUDGE.judge(keys.getPublic())).as("key %d", i).isNull();
        }
    }
}
