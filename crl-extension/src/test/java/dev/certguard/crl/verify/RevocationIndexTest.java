package dev.certguard.crl.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class RevocationIndexTest {

    @Test
    void serials_are_found_in_their_minimal_form_whatever_the_crl_padding() {
        final RevocationIndex.Builder builder = new RevocationIndex.Builder(4);
        builder.add(new byte[] {0x00, 0x00, 0x05}, 0, 3);
        builder.add(new byte[] {0x00, (byte) 0x80}, 0, 2);
        builder.add(new byte[] {0x01, 0x02, 0x03}, 0, 3);
        final RevocationIndex index = builder.build();

        assertThat(index.contains(BigInteger.valueOf(5).toByteArray())).isTrue();
        assertThat(index.contains(BigInteger.valueOf(128).toByteArray())).isTrue();
        assertThat(index.contains(BigInteger.valueOf(0x010203).toByteArray())).isTrue();
        assertThat(index.contains(BigInteger.valueOf(6).toByteArray())).isFalse();
        assertThat(index.contains(BigInteger.valueOf(-128).toByteArray())).isFalse();
    }

    @Test
    void empty_index_contains_nothing() {
        assertThat(RevocationIndex.EMPTY.contains(BigInteger.ONE.toByteArray())).isFalse();
        assertThat(RevocationIndex.EMPTY.size()).isZero();
    }

    @Test
    void colliding_and_many_entries_are_all_found() {
        final RevocationIndex.Builder builder = new RevocationIndex.Builder(0);
        for (int i = 1; i <= 50_000; i++) {
            final byte[] serial = BigInteger.valueOf(i).toByteArray();
            builder.add(serial, 0, serial.length);
        }
        final RevocationIndex index = builder.build();

        for (int i = 1; i <= 50_000; i++) {
            assertThat(index.contains(BigInteger.valueOf(i).toByteArray()))
                    .as("serial %d", i)
                    .isTrue();
        }
        assertThat(index.contains(BigInteger.valueOf(50_001).toByteArray())).isFalse();
    }
}
