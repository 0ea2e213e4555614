package dev.certguard.bench.micro;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The public-key work a broker does in one full TLS 1.3 mutual-TLS handshake with an ECDSA P-256
 * device, per primitive and implementation, to choose where the handshake's CPU goes: the server's
 * key share (an ephemeral key pair and one agreement) for X25519 and P-256, on the JDK's SunEC, on
 * BouncyCastle's X25519 and on the Amazon Corretto Crypto Provider (native AWS-LC); and the three
 * ECDSA P-256 operations (verify the device's certificate, verify its CertificateVerify, sign the
 * server's CertificateVerify).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeCryptoBenchmark {

    @Param({"x25519-sunec", "x25519-bouncycastle", "p256-sunec", "p256-native"})
    public String keyShare;

    @Param({"sunec", "native"})
    public String ecdsa;

    private KeyPairGenerator generator;
    private KeyAgreement agreement;
    private PublicKey peer;
    private final byte[] bcPeer = new byte[X25519.POINT_SIZE];
    private final SecureRandom random = new SecureRandom();

    private Signature signer;
    private Signature verifier;
    private KeyPair device;
    private final byte[] transcript = new byte[64];
    private byte[] signature;

    @Setup
    public void setUp() throws Exception {
        final Provider sunEc = Security.getProvider("SunEC");
        final Provider accp = AmazonCorrettoCryptoProvider.INSTANCE;
        AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
        switch (keyShare) {
            case "x25519-sunec" -> {
                generator = KeyPairGenerator.getInstance("XDH", sunEc);
                generator.initialize(NamedParameterSpec.X25519);
                agreement = KeyAgreement.getInstance("XDH", sunEc);
            }
            case "p256-sunec", "p256-native" -> {
                final Provider provider = keyShare.equals("p256-native") ? accp : sunEc;
                generator = KeyPairGenerator.getInstance("EC", provider);
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                agreement = KeyAgreement.getInstance("ECDH", provider);
            }
            case "x25519-bouncycastle" -> {
                final byte[] key = new byte[X25519.SCALAR_SIZE];
                X25519.generatePrivateKey(random, key);
                X25519.generatePublicKey(key, 0, bcPeer, 0);
            }
            default -> throw new IllegalArgumentException(keyShare);
        }
        if (generator != null) {
            peer = generator.generateKeyPair().getPublic();
        }
        final Provider signatures = ecdsa.equals("native") ? accp : sunEc;
        final KeyPairGenerator ec = KeyPairGenerator.getInstance("EC", signatures);
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        device = ec.generateKeyPair();
        signer = Signature.getInstance("SHA256withECDSA", signatures);
        verifier = Signature.getInstance("SHA256withECDSA", signatures);
        random.nextBytes(transcript);
        signer.initSign(device.getPrivate());
        signer.update(transcript);
        signature = signer.sign();
    }

    /** The server's half of one key exchange: its ephemeral key pair and the shared secret. */
    @Benchmark
    public byte[] keyShare() throws Exception {
        if (generator == null) {
            final byte[] key = new byte[X25519.SCALAR_SIZE];
            final byte[] pub = new byte[X25519.POINT_SIZE];
            final byte[] secret = new byte[X25519.POINT_SIZE];
            X25519.generatePrivateKey(random, key);
            X25519.generatePublicKey(key, 0, pub, 0);
            X25519.calculateAgreement(key, 0, bcPeer, 0, secret, 0);
            return secret;
        }
        final KeyPair mine = generator.generateKeyPair();
        agreement.init(mine.getPrivate());
        agreement.doPhase(peer, true);
        return agreement.generateSecret();
    }

    /** Two ECDSA P-256 verifications (certificate, CertificateVerify) and one signature. */
    @Benchmark
    public boolean ecdsaPerHandshake() throws Exception {
        verifier.initVerify(device.getPublic());
        verifier.update(transcript);
        final boolean first = verifier.verify(signature);
        verifier.initVerify(device.getPublic());
        verifier.update(transcript);
        final boolean second = verifier.verify(signature);
        signer.initSign(device.getPrivate());
        signer.update(transcript);
        return first & second & signer.sign().length > 0;
    }
}
