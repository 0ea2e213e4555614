package dev.certguard.crl.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.certguard.crl.verify.TestCa;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * OCSP answer handling against whatever comes back from a responder (or whoever sits on its
 * plain-HTTP path): any bytes give an answer, never an exception, and bytes the CA (or a responder it
 * delegated to) did not sign never give a status, good or revoked. Seeds: answers from
 * {@code openssl ocsp} (good with a nonce, revoked without certificates) and bare error statuses.
 */
class OcspAnswerFuzzTest {

    private static final TestCa CA = TestCa.ec("CN=ocsp fuzz ca");
    private static final X509Certificate DEVICE = TestCa.issue(
            CA.certificate, CA.keys, "CN=admin:a1998e", TestCa.ec("CN=k").keys.getPublic(), 77, false);
    private static final OcspClient CLIENT = new OcspClient(
            HttpClient.newHttpClient(),
            URI.create("http://127.0.0.1:9/"),
            Duration.ofSeconds(1),
            Duration.ofHours(1),
            false,
            Clock.systemUTC());
    private static final CertificateID ID = id();

    private static CertificateID id() {
        try {
            return new CertificateID(
                    new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(CA.certificate),
                    DEVICE.getSerialNumber());
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30m")
    void any_bytes_are_a_failed_answer_never_a_status(final byte[] der) {
        final OcspAnswer answer = CLIENT.verify(der, ID, CA.certificate, null);
        final OcspAnswer withNonce = CLIENT.verify(der, ID, CA.certificate, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});

        assertThat(answer.status()).as("unsigned bytes never give a status").isNull();
        assertThat(answer.failure()).isNotBlank();
        assertThat(withNonce.status()).isNull();
        assertThat(withNonce.failure()).isNotBlank();
    }
}
