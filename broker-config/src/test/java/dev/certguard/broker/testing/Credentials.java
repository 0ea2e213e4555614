package dev.certguard.broker.testing;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import dev.certguard.identity.CertificateIdentity;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

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

    /** The same certificate and key, sending {@code chain} after the certificate in the TLS handshake. */
    public Credentials presenting(final List<X509Certificate> chain) {
        return new Credentials(certificate, key, certificateFile, keyFile, caFile, caCertificate, List.copyOf(chain));
    }

    public String sha256() {
        return CertificateIdentity.sha256Fingerprint(certificate);
    }

    /**
     * TLS settings for the HiveMQ MQTT client presenting this certificate followed by exactly
     * {@link #intermediates()}, in that order, whether or not they form a valid chain (a key store
     * would refuse to hold a chain that an attacker sends on purpose).
     */
    public MqttClientSslConfig sslConfig() {
        return sslConfig("TLSv1.3", "TLSv1.2");
    }

    /** The same as {@link #sslConfig()}, offering only the given TLS versions (e.g. {@code TLSv1.2}). */
    public MqttClientSslConfig sslConfig(final String... protocols) {
        try {
            final X509Certificate[] chain = new X509Certificate[1 + intermediates.size()];
            chain[0] = certificate;
            for (int i = 0; i < intermediates.size(); i++) {
                chain[i + 1] = intermediates.get(i);
            }
            return MqttClientSslConfig.builder()
                    .keyManagerFactory(new FixedKeyManagerFactory(new FixedKeyManager(key, chain)))
                    .trustManagerFactory(trustManagers(caCertificate))
                    .protocols(List.of(protocols))
                    .build();
        } catch (final Exception e) {
            throw new IllegalStateException("cannot build TLS settings", e);
        }
    }

    /** Always offers the one key and chain it was made with. */
    private static final class FixedKeyManager extends X509ExtendedKeyManager {
        private final PrivateKey key;
        private final X509Certificate[] chain;

        FixedKeyManager(final PrivateKey key, final X509Certificate[] chain) {
            this.key = key;
            this.chain = chain;
        }

        @Override
        public String[] getClientAliases(final String keyType, final Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String chooseClientAlias(final String[] keyType, final Principal[] issuers, final Socket socket) {
            return "client";
        }

        @Override
        public String chooseEngineClientAlias(
                final String[] keyType, final Principal[] issuers, final SSLEngine engine) {
            return "client";
        }

        @Override
        public String[] getServerAliases(final String keyType, final Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseServerAlias(final String keyType, final Principal[] issuers, final Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(final String alias) {
            return chain.clone();
        }

        @Override
        public PrivateKey getPrivateKey(final String alias) {
            return key;
        }
    }

    private static final class FixedKeyManagerFactory extends KeyManagerFactory {
        FixedKeyManagerFactory(final KeyManager manager) {
            super(
                    new KeyManagerFactorySpi() {
                        @Override
                        protected void engineInit(final KeyStore keyStore, final char[] password) {}

                        @Override
                        protected void engineInit(final ManagerFactoryParameters parameters) {}

                        @Override
                        protected KeyManager[] engineGetKeyManagers() {
                            return new KeyManager[] {manager};
                        }
                    },
                    null,
                    "fixed");
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
