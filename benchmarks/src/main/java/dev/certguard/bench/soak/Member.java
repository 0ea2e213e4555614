package dev.certguard.bench.soak;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.pki.CertificateAuthority;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;

/**
 * One client identity of the soak (a device or a bridge): its certificate, TLS settings and what
 * the soak saw of it. Thread-safe: flags are volatile; the delivery records are guarded by this.
 */
final class Member {

    /** Why the member was taken out of the fleet. */
    enum Removal {
        NONE,
        REVOKED,
        DENIED
    }

    final String identity;
    final X509Certificate certificate;
    final String sha256;
    final MqttClientSslConfig ssl;

    volatile boolean connected;
    volatile int failures;
    volatile Removal removal = Removal.NONE;
    /** When the removal was made (CRL issued or deny list written), as a wall instant. */
    volatile Instant removedAt;
    /** The CRL version that first carries the revocation. */
    volatile int crlVersion = -1;
    /** When the removal was first seen to take effect (cut or refused), or null. */
    volatile Instant effectAt;

    volatile String effectHow;
    volatile boolean connectedAtRemoval;
    /** When the broker's audit trail shows the removal in force (a cut or a refused CONNECT), or null. */
    volatile Instant brokerEffectAt;

    volatile String brokerEffectHow;
    /** How long HiveMQ took to close the connection of a live cut (its slow-cut log line; 0 when under 1 s). */
    volatile long hivemqCloseMillis;

    private final BitSet attrsAcked = new BitSet();
    private final BitSet attrsReceived = new BitSet();
    private final BitSet configAcked = new BitSet();
    private final BitSet configReceived = new BitSet();
    private int attrsSeq;
    private int configSeq;

    /** One trust store per CA: building it per device costs more than the certificate. */
    private static final java.util.Map<X509Certificate, KeyStore> TRUST =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static KeyStore trustStore(final X509Certificate ca) {
        try {
            final KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("ca", ca);
            return trustStore;
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Member(final String identity, final X509Certificate certificate, final MqttClientSslConfig ssl) {
        this.identity = identity;
        this.certificate = certificate;
        this.sha256 = CertificateIdentity.sha256Fingerprint(certificate);
        this.ssl = ssl;
    }

    static Member issue(final CertificateAuthority ca, final String identity) {
        try {
            final KeyPair keys = CertificateAuthority.newKeyPair();
            final X509Certificate certificate = ca.issue(
                    identity,
                    keys.getPublic(),
                    Instant.now().minusSeconds(300),
                    Instant.now().plusSeconds(7 * 86400),
                    CertificateAuthority.Purpose.CLIENT,
                    List.of());
            final TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(TRUST.computeIfAbsent(ca.certificate(), Member::trustStore));
            return new Member(
                    identity,
                    certificate,
                    MqttClientSslConfig.builder()
                            .keyManagerFactory(new OneKeyManagerFactory(keys.getPrivate(), certificate))
                            .trustManagerFactory(trustManagers)
                            .protocols(List.of("TLSv1.3"))
                            .build());
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes the member out of the fleet, once: false when another removal got it first. */
    synchronized boolean claim(final Removal kind, final int version) {
        if (removal != Removal.NONE) {
            return false;
        }
        connectedAtRemoval = connected;
        crlVersion = version;
        removedAt = Instant.now();
        removal = kind;
        return true;
    }

    boolean removed() {
        return removal != Removal.NONE;
    }

    synchronized int nextAttrs() {
        return ++attrsSeq;
    }

    synchronized int nextConfig() {
        return ++configSeq;
    }

    synchronized void attrsAcked(final int seq) {
        attrsAcked.set(seq);
    }

    synchronized void attrsReceived(final int seq) {
        attrsReceived.set(seq);
    }

    synchronized void configAcked(final int seq) {
        configAcked.set(seq);
    }

    synchronized void configReceived(final int seq) {
        configReceived.set(seq);
    }

    synchronized int attrsAckedCount() {
        return attrsAcked.cardinality();
    }

    /** Messages the broker acknowledged from this device that the subscribed bridge never received. */
    synchronized int attrsMissed() {
        final BitSet missed = (BitSet) attrsAcked.clone();
        missed.andNot(attrsReceived);
        return missed.cardinality();
    }

    synchronized int configAckedCount() {
        return configAcked.cardinality();
    }

    /** Configuration messages the broker acknowledged to the bridge that this device never received. */
    synchronized int configMissed() {
        final BitSet missed = (BitSet) configAcked.clone();
        missed.andNot(configReceived);
        return missed.cardinality();
    }
}
