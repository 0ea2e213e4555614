package dev.certguard.bench.load;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import dev.certguard.pki.CertificateAuthority;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/** A client identity with its own certificate, ready for the HiveMQ MQTT client. Immutable. */
record Device(String identity, MqttClientSslConfig ssl) {

    static Device issue(final CertificateAuthority ca, final String identity) {
        return issue(ca, identity, certificate -> {});
    }

    /** Issues the device's certificate, handing it to {@code issued} as well. */
    static Device issue(
            final CertificateAuthority ca,
            final String identity,
            final java.util.function.Consumer<X509Certificate> issued) {
        try {
            final KeyPair keys = CertificateAuthority.newKeyPair();
            final X509Certificate certificate = ca.issue(
                    identity,
                    keys.getPublic(),
                    Instant.now().minusSeconds(60),
                    Instant.now().plusSeconds(86400),
                    CertificateAuthority.Purpose.CLIENT,
                    List.of());
            issued.accept(certificate);
            final char[] password = "bench".toCharArray();
            final KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("device", keys.getPrivate(), password, new Certificate[] {certificate});
            final KeyManagerFactory keyManagers =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password);
            final KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("ca", ca.certificate());
            final TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);
            return new Device(
                    identity,
                    MqttClientSslConfig.builder()
                            .keyManagerFactory(keyManagers)
                            .trustManagerFactory(trustManagers)
                            .protocols(List.of("TLSv1.3"))
                            .build());
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
