package dev.certguard.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.junit.jupiter.api.Test;

class PssSignaturesTest {

    private static final PublicKey RSA_2048 = generate("RSA", 2048);

    private static PublicKey generate(final String algorithm, final int size) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(size);
            return generator.generateKeyPair().getPublic();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] parameters(final AlgorithmIdentifier hash, final long salt) throws Exception {
        return new RSASSAPSSparams(
                        hash,
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, hash),
                        new ASN1Integer(BigInteger.valueOf(salt)),
                        new ASN1Integer(1))
                .getEncoded();
    }

    private static AlgorithmIdentifier sha(final int bits) {
        return new AlgorithmIdentifier(
                bits == 256
                        ? NISTObjectIdentifiers.id_sha256
                        : bits == 384 ? NISTObjectIdentifiers.id_sha384 : NISTObjectIdentifiers.id_sha512,
                DERNull.INSTANCE);
    }

    @Test
    void the_usual_parameters_give_a_verifier() throws Exception {
        assertThat(PssSignatures.verifier(RSA_2048, parameters(sha(256), 32))).isNotNull();
        assertThat(PssSignatures.verifier(RSA_2048, parameters(sha(512), 64))).isNotNull();
        assertThat(PssSignatures.verifier(RSA_2048, parameters(sha(256), 256 - 32 - 2)))
                .as("the largest salt a 2048-bit key leaves room for")
                .isNotNull();
    }

    @Test
    void a_salt_the_key_has_no_room_for_is_refused_before_any_provider_allocates_it() {
        for (final long salt : new long[] {256 - 32 - 1, 1_000_000, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> PssSignatures.verifier(RSA_2048, parameters(sha(256), salt)))
                    .as("salt %d", salt)
                    .isInstanceOf(GeneralSecurityException.class);
        }
        assertThatThrownBy(() -> PssSignatures.verifier(RSA_2048, parameters(sha(256), -1)))
                .isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void sha1_garbage_and_a_key_that_is_not_rsa_are_refused() throws Exception {
        final AlgorithmIdentifier sha1 = new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE);
        assertThatThrownBy(() -> PssSignatures.verifier(RSA_2048, parameters(sha1, 20)))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("not accepted");
        assertThatThrownBy(() -> PssSignatures.verifier(RSA_2048, new byte[] {0x30, 0x03, 0x02, 0x01}))
                .isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> PssSignatures.verifier(generate("EC", 256), parameters(sha(256), 32)))
                .isInstanceOf(GeneralSecurityException.class);
    }
}
