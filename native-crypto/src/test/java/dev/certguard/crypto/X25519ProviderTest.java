package dev.certguard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Security;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.HexFormat;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.Test;

class X25519ProviderTest {

    private static final X25519Provider PROVIDER = new X25519Provider();

    private static byte[] hex(final String text) {
        return HexFormat.of().parseHex(text);
    }

    /** The little-endian u of RFC 7748 as the JDK's spec holds it (a big-endian BigInteger). */
    private static BigInteger u(final String littleEndianHex) {
        final byte[] bytes = hex(littleEndianHex);
        final byte[] big = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            big[i] = bytes[bytes.length - 1 - i];
        }
        return new BigInteger(1, big);
    }

    @Test
    void rfc_7748_section_6_1_alice_and_bob_agree_on_the_published_secret() throws Exception {
        final KeyFactory factory = KeyFactory.getInstance("XDH", PROVIDER);
        final PrivateKey alice = factory.generatePrivate(new XECPrivateKeySpec(
                NamedParameterSpec.X25519, hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")));
        final PublicKey bob = factory.generatePublic(new XECPublicKeySpec(
                NamedParameterSpec.X25519, u("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")));
        final KeyAgreement agreement = KeyAgreement.getInstance("XDH", PROVIDER);

        agreement.init(alice);
        agreement.doPhase(bob, true);

        assertThat(HexFormat.of().formatHex(agreement.generateSecret()))
                .isEqualTo("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    }

    @Test
    void keys_interoperate_with_the_jdks_own_x25519_both_ways() throws Exception {
        final KeyPairGenerator ours = KeyPairGenerator.getInstance("XDH", PROVIDER);
        ours.initialize(NamedParameterSpec.X25519);
        final KeyPairGenerator jdk = KeyPairGenerator.getInstance("XDH", Security.getProvider("SunEC"));
        jdk.initialize(NamedParameterSpec.X25519);
        final KeyPair mine = ours.generateKeyPair();
        final KeyPair theirs = jdk.generateKeyPair();

        final KeyAgreement here = KeyAgreement.getInstance("XDH", PROVIDER);
        here.init(mine.getPrivate());
        here.doPhase(theirs.getPublic(), true);
        final KeyAgreement there = KeyAgreement.getInstance("XDH", Security.getProvider("SunEC"));
        there.init(theirs.getPrivate());
        there.doPhase(
                KeyFactory.getInstance("XDH", Security.getProvider("SunEC"))
                        .generatePublic(new XECPublicKeySpec(
                                NamedParameterSpec.X25519, ((XECPublicKey) mine.getPublic()).getU())),
                true);

        assertThat(here.generateSecret()).isEqualTo(there.generateSecret());
        assertThat(mine.getPublic().getAlgorithm()).isEqualTo("XDH");
        assertThat(mine.getPublic().getEncoded()).hasSize(44);
    }

    @Test
    void a_small_order_peer_point_is_refused_instead_of_an_all_zero_secret() throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("XDH", PROVIDER);
        generator.initialize(NamedParameterSpec.X25519);
        final KeyAgreement agreement = KeyAgreement.getInstance("XDH", PROVIDER);
        agreement.init(generator.generateKeyPair().getPrivate());
        final PublicKey zero = KeyFactory.getInstance("XDH", PROVIDER)
                .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.ZERO));

        assertThatThrownBy(() -> agreement.doPhase(zero, true))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("all zeros");
    }

    @Test
    void x448_and_out_of_range_points_are_left_to_the_jdk() throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("XDH", PROVIDER);
        assertThatThrownBy(() -> generator.initialize(NamedParameterSpec.X448))
                .isInstanceOf(java.security.InvalidAlgorithmParameterException.class);
        assertThatThrownBy(() -> KeyFactory.getInstance("XDH", PROVIDER)
                        .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BigInteger.ONE.shiftLeft(256))))
                .isInstanceOf(java.security.spec.InvalidKeySpecException.class);
    }
}
