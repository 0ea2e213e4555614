package dev.certguard.bench.micro;

import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.RevocationIndex;
import dev.certguard.crl.verify.VerifiedCrl;
import dev.certguard.pki.CertificateAuthority;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** A 1,000,000-entry CRL: lookup time per certificate, and parse-plus-verify time. */
@State(Scope.Benchmark)
public class CrlBenchmark {

    static final int ENTRIES = 1_000_000;

    private CertificateAuthority ca;
    private byte[] der;
    private RevocationIndex index;
    private byte[][] hits;
    private byte[][] misses;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ca = CertificateAuthority.createRoot("bench CA", Instant.now().plusSeconds(86400));
        final LargeCrl.Generated generated = LargeCrl.generate(ca, ENTRIES, 1, 1);
        der = generated.der();
        index = load().revoked();
        hits = new byte[4096][];
        misses = new byte[4096][];
        final Random random = new Random(2);
        for (int i = 0; i < hits.length; i++) {
            hits[i] = generated.serials()[random.nextInt(ENTRIES)];
            misses[i] = new BigInteger(127, random).add(BigInteger.TWO.pow(127)).toByteArray();
        }
    }

    private VerifiedCrl load() throws Exception {
        return new CrlVerifier(List.of(ca.certificate()), Duration.ZERO)
                .verify(ParsedCrl.parse(der), "bench", Instant.now());
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public boolean lookupRevokedSerial() {
        return index.contains(hits[next++ & 4095]);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public boolean lookupGoodSerial() {
        return index.contains(misses[next++ & 4095]);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public VerifiedCrl parseAndVerifyMillionEntryCrl() throws Exception {
        return load();
    }
}
