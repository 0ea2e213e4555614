package dev.certguard.bench.soak;

import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager factory that always presents one certificate and key, held in memory: thousands of
 * soak devices would otherwise each need a password-protected key store, whose key derivation costs
 * far more than issuing the certificate. Immutable.
 */
final class OneKeyManagerFactory extends KeyManagerFactory {

    OneKeyManagerFactory(final PrivateKey key, final X509Certificate certificate) {
        super(new Spi(new OneKeyManager(key, certificate)), new Provider("soak", "1", "one key") {}, "soak");
    }

    private static final class Spi extends KeyManagerFactorySpi {
        private final KeyManager manager;

        Spi(final KeyManager manager) {
            this.manager = manager;
        }

        @Override
        protected void engineInit(final KeyStore store, final char[] password) {}

        @Override
        protected void engineInit(final ManagerFactoryParameters parameters) {}

        @Override
        protected KeyManager[] engineGetKeyManagers() {
            return new KeyManager[] {manager};
        }
    }

    private static final class OneKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "device";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        OneKeyManager(final PrivateKey key, final X509Certificate certificate) {
            this.key = key;
            this.chain = new X509Certificate[] {certificate};
        }

        @Override
        public String[] getClientAliases(final String keyType, final Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(final String[] keyType, final Principal[] issuers, final Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(
                final String[] keyType, final Principal[] issuers, final SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(final String keyType, final Principal[] issuers) {
            return null;
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
}
