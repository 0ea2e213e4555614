package dev.certguard.crl.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.source.FileSource;
import dev.certguard.crl.verify.CrlVerificationException;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.crl.verify.VerifiedCrl;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.CRLReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta CRLs (RFC 5280 5.2.4) as AD CS and EJBCA publish them: a delta is applied on top of a
 * complete CRL of its issuer and scope numbered from its BaseCRLNumber up, its entries revoke, its
 * removeFromCRL lifts only a hold, and once applied a stale delta leaves the scope unavailable.
 */
class DeltaCrlTest {

    private static final TestCa CA = TestCa.ec("CN=delta CA");
    private static final KeyPair KEYS = TestCa.ec("CN=unused").keys;
    private static final Authorities AUTHORITIES = new Authorities(List.of(CA.certificate), 100);
    private static final CrlVerifier VERIFIER = new CrlVerifier(List.of(CA.certificate), Duration.ZERO);

    @TempDir
    Path dir;

    private static X509Certificate device(final long serial) {
        return TestCa.issue(CA.certificate, CA.keys, "CN=acme:d" + serial, KEYS.getPublic(), serial, false);
    }

    private static BigInteger[] serials(final long... values) {
        final BigInteger[] out = new BigInteger[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = BigInteger.valueOf(values[i]);
        }
        return out;
    }

    private static TestCa.Crl base(final long number, final long... revoked) {
        final TestCa.Crl crl = CA.crl();
        crl.number = BigInteger.valueOf(number);
        crl.revoked = serials(revoked);
        return crl;
    }

    private static TestCa.Crl delta(final long number, final long base, final long... revoked) {
        final TestCa.Crl crl = base(number, revoked);
        crl.deltaBase = BigInteger.valueOf(base);
        return crl;
    }

    private static VerifiedCrl verified(final TestCa.Crl crl) throws Exception {
        return VERIFIER.verify(ParsedCrl.parse(crl.der()), "test", Instant.now());
    }

    private static RevocationSnapshot.Status check(final RevocationState state, final long serial) {
        return state.snapshot().check(AUTHORITIES.path(device(serial)), Instant.now(), Duration.ZERO);
    }

    @Test
    void a_delta_revokes_on_top_of_its_base() throws Exception {
        final RevocationState state = new RevocationState();
        state.install(verified(base(10, 1)));
        state.install(verified(delta(11, 10, 2)));

        assertThat(check(state, 1).revoked()).isNotNull();
        assertThat(check(state, 2).revoked()).isNotNull();
        assertThat(check(state, 3).good()).isTrue();
        assertThat(state.snapshot().crls()).hasSize(2);
    }

    @Test
    void a_delta_lifts_a_hold_but_never_a_revocation() throws Exception {
        final TestCa.Crl baseWithBoth = base(10, 5);
        baseWithBoth.revokedReason = CRLReason.keyCompromise;
        baseWithBoth.held = serials(4);
        final TestCa.Crl lift = delta(11, 10);
        lift.removed = serials(4, 5);
        final RevocationState state = new RevocationState();
        state.install(verified(baseWithBoth));

        assertThat(check(state, 4).revoked()).as("on hold").isNotNull();
        state.install(verified(lift));
        assertThat(check(state, 4).good()).as("the hold is lifted").isTrue();
        assertThat(check(state, 5).revoked()).as("a revocation is never lifted").isNotNull();
    }

    @Test
    void a_complete_crl_listing_remove_from_crl_still_revokes_that_serial() throws Exception {
        final TestCa.Crl complete = base(10);
        complete.removed = serials(6);
        final RevocationState state = new RevocationState();
        state.install(verified(complete));

        assertThat(check(state, 6).revoked())
                .as("removeFromCRL belongs in deltas only; fail closed")
                .isNotNull();
    }

    @Test
    void a_delta_without_a_usable_base_is_refused_and_one_its_base_already_includes_is_not_needed() throws Exception {
        final RevocationState state = new RevocationState();
        assertThatThrownBy(() -> state.install(verified(delta(11, 10, 2))))
                .isInstanceOf(RevocationState.NoBaseException.class)
                .hasMessageContaining("none is in use");
        state.install(verified(base(9)));
        assertThatThrownBy(() -> state.install(verified(delta(11, 10, 2))))
                .isInstanceOf(RevocationState.NoBaseException.class)
                .hasMessageContaining("number 9");
        state.install(verified(base(12)));
        assertThatThrownBy(() -> state.install(verified(delta(12, 10, 2))))
                .isInstanceOf(RevocationState.SupersededException.class);
        assertThat(check(state, 2).good()).isTrue();
    }

    @Test
    void an_applied_delta_past_its_next_update_leaves_the_scope_unavailable_until_a_newer_base() throws Exception {
        final TestCa.Crl stale = delta(11, 10, 2);
        stale.thisUpdate = Instant.now().minusSeconds(7200);
        stale.nextUpdate = Instant.now().minusSeconds(60);
        final RevocationState state = new RevocationState();
        state.install(verified(base(10)));
        state.install(new CrlVerifier(List.of(CA.certificate), Duration.ofHours(1))
                .verify(ParsedCrl.parse(stale.der()), "test", Instant.now()));

        assertThat(check(state, 3).unavailableIssuer()).isNotNull();
        state.install(verified(base(11, 2)));
        assertThat(check(state, 3).good()).as("a newer base includes the delta").isTrue();
        assertThat(check(state, 2).revoked()).isNotNull();
    }

    @Test
    void a_delta_applies_only_to_the_base_of_its_own_scope() throws Exception {
        final TestCa.Crl partitionDelta = delta(11, 10, 2);
        partitionDelta.idp = TestCa.idp(null, true, false, 0);
        final RevocationState state = new RevocationState();
        state.install(verified(base(10)));

        assertThatThrownBy(() -> state.install(verified(partitionDelta)))
                .isInstanceOf(RevocationState.NoBaseException.class);
        assertThat(check(state, 2).good()).isTrue();
    }

    @Test
    void deltas_that_break_rfc_5280_are_refused_by_name() {
        final TestCa.Crl notCritical = delta(11, 10);
        notCritical.deltaCritical = false;
        final TestCa.Crl unnumbered = delta(11, 10);
        unnumbered.number = null;
        final TestCa.Crl namesDeltas = delta(11, 10);
        namesDeltas.freshest = "http://crl.example.com/delta.crl";
        final TestCa.Crl notAbove = delta(10, 10);

        assertThatThrownBy(() -> verified(notCritical))
                .isInstanceOf(CrlVerificationException.class)
                .hasMessageContaining("not marked critical");
        assertThatThrownBy(() -> verified(unnumbered)).hasMessageContaining("without a CRL number");
        assertThatThrownBy(() -> verified(namesDeltas)).hasMessageContaining("Freshest CRL");
        assertThatThrownBy(() -> verified(notAbove)).hasMessageContaining("not above its BaseCRLNumber");
    }

    @Test
    void a_delta_read_before_its_base_is_applied_as_soon_as_the_base_is_in_use() throws Exception {
        final Path baseFile = dir.resolve("base.crl");
        final Path deltaFile = dir.resolve("delta.crl");
        Files.write(baseFile, base(10).der());
        Files.write(deltaFile, delta(11, 10, 2).der());
        final RevocationState state = new RevocationState();
        final MetricRegistry registry = new MetricRegistry();
        final CrlRefresher refresher = new CrlRefresher(
                List.of(new FileSource(deltaFile, 1 << 20), new FileSource(baseFile, 1 << 20)),
                VERIFIER,
                state,
                new CrlMetrics(registry, Clock.systemUTC()),
                Clock.systemUTC(),
                snapshot -> {},
                CrlCopies.none(),
                0);

        refresher.refresh().get(10, TimeUnit.SECONDS);

        assertThat(check(state, 2).revoked())
                .as("the delta, read first, is in use with its base")
                .isNotNull();
    }

    @Test
    void what_a_base_revokes_stays_revoked_when_its_applied_delta_goes_stale() throws Exception {
        final TestCa.Crl stale = delta(11, 10, 2);
        stale.thisUpdate = Instant.now().minusSeconds(7200);
        stale.nextUpdate = Instant.now().minusSeconds(60);
        final RevocationState state = new RevocationState();
        state.install(verified(base(10, 1)));
        state.install(new CrlVerifier(List.of(CA.certificate), Duration.ofHours(1))
                .verify(ParsedCrl.parse(stale.der()), "test", Instant.now()));

        assertThat(check(state, 1).revoked()).as("listed by the current base").isNotNull();
        assertThat(check(state, 2).revoked()).as("listed by the stale delta").isNotNull();
        assertThat(check(state, 3).unavailableIssuer()).isNotNull();
    }

    @Test
    void a_new_base_that_names_its_deltas_waits_for_one_once_deltas_were_in_use() throws Exception {
        final RevocationState state = new RevocationState();
        state.install(verified(base(10)));
        state.install(verified(delta(11, 10, 2)));
        final TestCa.Crl newBase = base(12, 2);
        newBase.freshest = "http://pki.example.com/CertEnroll/IOTmidCA+.crl";
        state.install(verified(newBase));

        assertThat(check(state, 3).unavailableIssuer())
                .as("the delta in use no longer applies; revocations since the new base may be missing")
                .isNotNull();
        assertThat(check(state, 2).revoked()).isNotNull();
        state.install(verified(delta(13, 12)));
        assertThat(check(state, 3).good()).isTrue();
    }

    @Test
    void a_serial_both_held_and_revoked_for_another_reason_is_not_lifted() throws Exception {
        final TestCa.Crl base = base(10, 7);
        base.revokedReason = CRLReason.keyCompromise;
        base.held = serials(7, 8);
        final TestCa.Crl lift = delta(11, 10);
        lift.removed = serials(7, 8);
        final RevocationState state = new RevocationState();
        state.install(verified(base));
        state.install(verified(lift));

        assertThat(check(state, 7).revoked())
                .as("also listed for keyCompromise")
                .isNotNull();
        assertThat(check(state, 8).good()).as("only held").isTrue();
    }
}
