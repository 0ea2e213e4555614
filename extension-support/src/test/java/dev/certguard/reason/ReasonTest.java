package dev.certguard.reason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import org.junit.jupiter.api.Test;

class ReasonTest {

    @Test
    void a_reason_fills_its_string_and_names_its_mqtt5_code() {
        final Reason pinned = Reason.connack(
                ConnackReasonCode.NOT_AUTHORIZED,
                "certificate-pin-mismatch",
                "certificate is not the one pinned for service {service}",
                "A pin.");

        assertThat(pinned.text("v2k-bridge")).isEqualTo("certificate is not the one pinned for service v2k-bridge");
        assertThat(pinned.mqtt5Code()).isEqualTo(0x87);
        assertThat(pinned.codeName()).isEqualTo("Not authorized");
        assertThat(pinned.connackCode()).isEqualTo(ConnackReasonCode.NOT_AUTHORIZED);
        assertThatThrownBy(pinned::disconnectCode).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> pinned.text()).hasMessageContaining("takes 1 values");
        assertThat(pinned.text("$1\\x")).isEqualTo("certificate is not the one pinned for service $1\\x");
    }

    @Test
    void the_mqtt5_numbers_are_the_specifications() {
        assertThat(Reason.connack(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID, null, "x", "x.")
                        .mqtt5Code())
                .isEqualTo(0x85);
        assertThat(Reason.connack(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, null, "x", "x.")
                        .mqtt5Code())
                .isEqualTo(0x86);
        assertThat(Reason.connack(ConnackReasonCode.SERVER_UNAVAILABLE, null, "x", "x.")
                        .mqtt5Code())
                .isEqualTo(0x88);
        assertThat(Reason.disconnect(DisconnectReasonCode.ADMINISTRATIVE_ACTION, null, "x", "x.")
                        .mqtt5Code())
                .isEqualTo(0x98);
        assertThat(Reason.disconnect(DisconnectReasonCode.MAXIMUM_CONNECT_TIME, null, "x", "x.")
                        .mqtt5Code())
                .isEqualTo(0xA0);
        assertThatThrownBy(() -> Reason.disconnect(DisconnectReasonCode.QUOTA_EXCEEDED, null, "x", "x."))
                .hasMessageContaining("no MQTT 5 number");
    }
}
