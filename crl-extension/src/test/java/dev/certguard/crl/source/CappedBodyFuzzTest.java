package dev.certguard.crl.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;

/**
 * The HTTP CRL source's body handling against a server that chooses how much it sends and in what
 * pieces: a body within max-crl-bytes arrives whole and unchanged; one byte more fails the fetch with
 * an IOException and cancels the download, and nothing past the cap is ever kept, however the
 * pieces are cut and whatever arrives after the cancel.
 */
class CappedBodyFuzzTest {

    @FuzzTest(maxDuration = "30m")
    void a_body_arrives_whole_within_the_cap_and_is_cut_past_it(final FuzzedDataProvider data) throws Exception {
        final int max = data.consumeInt(0, 4096);
        final boolean[] cancelled = {false};
        final CappedBody body = new CappedBody(max);
        body.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(final long n) {}

            @Override
            public void cancel() {
                cancelled[0] = true;
            }
        });
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        final int deliveries = data.consumeInt(0, 16);
        for (int i = 0; i < deliveries; i++) {
            final List<ByteBuffer> buffers = new ArrayList<>();
            final int pieces = data.consumeInt(0, 4);
            for (int j = 0; j < pieces; j++) {
                final byte[] piece = data.consumeBytes(data.consumeInt(0, 2048));
                sent.write(piece);
                buffers.add(ByteBuffer.wrap(piece));
            }
            body.onNext(buffers);
        }
        body.onComplete();

        final CompletableFuture<byte[]> result = body.getBody().toCompletableFuture();
        if (sent.size() <= max) {
            assertThat(result.get()).isEqualTo(sent.toByteArray());
            assertThat(cancelled[0]).isFalse();
        } else {
            assertThat(result).isCompletedExceptionally();
            try {
                result.get();
            } catch (final ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(IOException.class).hasMessageContaining(String.valueOf(max));
            }
            assertThat(cancelled[0]).isTrue();
        }
    }
}
