package dev.certguard.connection;

import org.junit.jupiter.api.Test;

import static dev.certguard.connection.ConnectionGenerations.Verdict.DISCONNECT;
import static dev.certguard.connection.ConnectionGenerations.Verdict.SUPERSEDED;
import static dev.certguard.connection.ConnectionGenerations.Verdict.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

class ConnectionGenerationsTest {

    private final ConnectionGenerations generations = new ConnectionGenerations();

    @Test
    void sole_connection_may_be_disconnected() {
        final long a = generations.attempt("x");
        generations.authenticated("x", a);

        assertThat(generations.verdict("x", a)).isEqualTo(DISCONNECT);
    }

    @Test
    void timer_of_a_taken_over_connection_never_hits_the_new_one() {
        final long a = generations.attempt("x");
        generations.authenticated("x", a);
        final long b = generations.attempt("x");

        assertThat(generations.verdict("x", a)).as("B connecting, not yet authenticated").isEqualTo(WAIT);
        generations.authenticated("x", b);
        assertThat(generations.verdict("x", a)).as("B took over").isEqualTo(SUPERSEDED);
        generations.ended("x", a, true);
        assertThat(generations.verdict("x", b)).as("A's late disconnect event leaves B alone").isEqualTo(DISCONNECT);
    }

    @Test
    void connection_that_authenticates_last_is_the_live_one_whatever_the_connect_order() {
        final long a = generations.attempt("x");
        final long b = generations.attempt("x");
        generations.authenticated("x", b);
        generations.authenticated("x", a);
        generations.ended("x", b, true);

        assertThat(generations.verdict("x", a)).as("A took B's session over and must still be disconnectable").isEqualTo(DISCONNECT);
        assertThat(generations.verdict("x", b)).isEqualTo(SUPERSEDED);
    }

    @Test
    void failed_reconnect_attempt_does_not_let_the_old_connection_escape_its_deadline() {
        final long a = generations.attempt("x");
        generations.authenticated("x", a);
        final long b = generations.attempt("x");
        final long c = generations.attempt("x");

        generations.ended("x", c, false);
        assertThat(generations.verdict("x", a)).as("B still pending").isEqualTo(WAIT);
        generations.ended("x", b, false);
        assertThat(generations.verdict("x", a)).isEqualTo(DISCONNECT);
    }

    @Test
    void nothing_is_retained_once_every_connection_has_ended() {
        for (int i = 0; i < 100_000; i++) {
            final String id = "client-" + (i % 1000);
            final long generation = generations.attempt(id);
            if (i % 3 == 0) {
                generations.ended(id, generation, false);
            } else {
                generations.authenticated(id, generation);
                generations.ended(id, generation, true);
            }
        }

        assertThat(generations.size()).isZero();
    }
}
