package dev.certguard.acl.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientIdNamespaceTest {

    @Test
    void client_id_equal_to_the_identity_is_kept_and_others_are_prefixed() {
        assertThat(ClientIdNamespace.bind("admin:a1998e", "admin:a1998e")).isEqualTo("admin:a1998e");
        assertThat(ClientIdNamespace.bind("admin:a1998e", "mosq-123")).isEqualTo("admin:a1998e/mosq-123");
    }

    @Test
    void no_identity_can_produce_a_client_id_bound_to_another() {
        final String attackerView = ClientIdNamespace.bind("admin:evil", "admin:a1998e");
        final String nested = ClientIdNamespace.bind("admin:evil", "admin:a1998e/mosq-1");

        assertThat(ClientIdNamespace.isBound("admin:a1998e", attackerView)).isFalse();
        assertThat(ClientIdNamespace.isBound("admin:a1998e", nested)).isFalse();
        assertThat(ClientIdNamespace.isBound("admin:a1998", "admin:a1998e/x"))
                .as("prefix of another identity")
                .isFalse();
        assertThat(ClientIdNamespace.isBound("admin:evil", nested)).isTrue();
    }
}
