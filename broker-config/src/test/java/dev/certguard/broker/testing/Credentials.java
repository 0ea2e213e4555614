package dev.certguard.broker.testing;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import dev.certguard.identity.CertificateIdentity;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client's certificate and key, in memory and as PEM files (for mosquitto). Immutable.
 */
public record Credentials(
        X509Certificate certificate,
        PrivateKey key,
        Path certificateFile,
        Path keyFile,
        Path caFile,
        X509Certificate caCertificate,
        List<X509Certificate> intermediates) {

    public String sha256() {
        return CertificateIdentity.sha256Fingerprint(certificate);
    }

    /** TLS settings for the HiveMQ MQTT client presenting this certificate. */
    public MqttClientSslConfig sslConfig() {
        try {
            final char[] password = "test".toCharArray();
            final KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            final List<Certificate> chain = new java.util.ArrayList<>();
            chain.add(certificate);
            chain.addAll(intermediates);
            keyStore.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
            final KeyManagerFactory keyManagers =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password);
            return MqttClientSslConfig.builder()
                    .keyManagerFactory(keyManagers)
                    .trustManagerFactory(trustManagers(caCertificate))
                    .protocols(List.of("TLSv1.3", "TLSv1.2"))
                    .build();
        } catch (final Exception e) {
            throw new IllegalStateException("cannot build TLS settings", e);
        }
    }

    /** TLS settings that trust the broker but present no client certificate. */
    public static MqttClientSslConfig withoutClientCertificate(final X509Certificate caCertificate) {
        return MqttClientSslConfig.builder()
                .trustManagerFactory(trustManagers(caCertificate))
                .build();
    }

    private static TrustManagerFactory trustManagers(final X509Certificate caCertificate) {
        try {
            final KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("ca", caCertificate);
            final TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);
            return trustManagers;
        } catch (final Exception e) {
            throw new IllegalStateException("cannot build trust settings", e);
        }
    }
}
