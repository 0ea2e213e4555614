package dev.certguard.connection;

import static dev.certguard.connection.ConnectionGenerations.Verdict.DISCONNECT;
import static dev.certguard.connection.ConnectionGenerations.Verdict.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionGenerationsTest {

    private final ConnectionGenerations generations = new ConnectionGenerations();

    @Test
    void sole_connection_may_be_disconnected() {
        final long a = generations.attempt("x");
        generations.authenticated("x", a);

        assertThat(generations.verdict("x", a)).isEqualTo(DISCONNECT);
    }

    @Test
    void no_timer_disconnects_by_client_id_while_another_connection_with_it_exists() {
        final long a = generations.attempt("x");
        generations.authenticated("x", a);
        final long b = generations.attempt("x");

        assertThat(generations.verdict("x", a)).as("B connecting").isEqualTo(WAIT);
        generations.authenticated("x", b);
        assertThat(generations.verdict("x", a))
                .as("A and B both authenticated: HiveMQ is taking one over")
                .isEqualTo(WAIT);
        assertThat(generations.verdict("x", b)).isEqualTo(WAIT);
        generations.ended("x", a, true);
        assertThat(generations.verdict("x", b))
                .as("A's late disconnect event leaves B alone")
                .isEqualTo(DISCONNECT);
    }

    @Test
    void whichever_connection_hivemq_keeps_is_disconnectable_once_the_others_ended() {
        final long a = generations.attempt("x");
        generations.authenticated("x", a);
        final long b = generations.attempt("x");
        final long c = generations.attempt("x");
        generations.authenticated("x", c);
        generations.authenticated("x", b);
        generations.ended("x", a, true);
        generations.ended("x", c, true);

        assertThat(generations.verdict("x", b))
                .as("B won the takeover race, whatever the event order")
                .isEqualTo(DISCONNECT);
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
