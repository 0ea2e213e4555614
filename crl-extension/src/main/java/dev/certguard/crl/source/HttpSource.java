package dev.certguard.crl.source;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A CRL at an HTTP(S) URL, fetched asynchronously with a connect and total timeout and a size cap,
 * and conditionally (If-None-Match / If-Modified-Since) once a copy verified, so an unchanged CRL is
 * not downloaded again. Thread-safe.
 */
public final class HttpSource implements CrlSource {

    private static final class Validators {
        final String etag;
        final String lastModified;

        Validators(final String etag, final String lastModified) {
            this.etag = etag;
            this.lastModified = lastModified;
        }
    }

    private static final int MAX_VALIDATOR = 256;

    /** Marks a response whose declared length already exceeds the cap (never downloaded). */
    private static final byte[] TOO_LARGE = new byte[0];

    private final @NotNull URI uri;
    private final @NotNull HttpClient client;
    private final @NotNull Duration timeout;
    private final long maxBytes;
    private volatile Validators lastGood;

    public HttpSource(
            final @NotNull URI uri,
            final @NotNull HttpClient client,
            final @NotNull Duration timeout,
            final long maxBytes) {
        this.uri = uri;
        this.client = client;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    @Override
    public @NotNull String name() {
        return uri.toString();
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public @NotNull CompletableFuture<Fetch> fetch() {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .GET()
                .header("Accept", "application/pkix-crl, application/x-pkcs7-crl, */*");
        final Validators known = lastGood;
        if (known != null && known.etag != null) {
            request.header("If-None-Match", known.etag);
        }
        if (known != null && known.lastModified != null) {
            request.header("If-Modified-Since", known.lastModified);
        }
        final CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request.build(), this::bodyHandler);
        // HttpRequest.timeout only bounds the wait for headers: abort the whole exchange (body
        // included) at the timeout, so a stalled download never lingers into the next refresh.
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> exchange.cancel(true));
        return exchange.handle((response, e) -> {
            if (e != null) {
                final Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause()
                        : e;
                throw new java.util.concurrent.CompletionException(
                        cause instanceof java.util.concurrent.CancellationException
                                ? new IOException("no complete answer within " + timeout.toMillis() + " ms")
                                : cause);
            }
            if (response.statusCode() == 304) {
                if (known == null) {
                    throw new java.util.concurrent.CompletionException(
                            new IOException("HTTP 304 although no copy was cached"));
                }
                return Fetch.UNCHANGED;
            }
            if (response.statusCode() >= 300 && response.statusCode() < 400) {
                throw new java.util.concurrent.CompletionException(new IOException("HTTP " + response.statusCode()
                        + " redirect to '"
                        + response.headers().firstValue("Location").orElse("")
                        + "' not followed"));
            }
            if (response.statusCode() != 200) {
                throw new java.util.concurrent.CompletionException(new IOException("HTTP " + response.statusCode()));
            }
            if (response.body() == TOO_LARGE) {
                throw new java.util.concurrent.CompletionException(
                        new IOException("Content-Length is larger than max-crl-bytes " + maxBytes));
            }
            return new Fetch(
                    response.body(),
                    new Validators(
                            validator(response.headers().firstValue("ETag").orElse(null)),
                            validator(response.headers()
                                    .firstValue("Last-Modified")
                                    .orElse(null))));
        });
    }

    @Override
    public void accepted(final @NotNull Fetch fetch) {
        lastGood = (Validators) fetch.validators();
    }

    /**
     * A validator the server sent, if it is fit to be echoed in a request header: printable ASCII of
     * at most {@value #MAX_VALIDATOR} characters. Anything else is dropped and the next fetch is
     * unconditional, so bytes a server chose never travel further than the parser that read them.
     */
    static String validator(final String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_VALIDATOR) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return null;
            }
        }
        return value;
    }

    private HttpResponse.BodySubscriber<byte[]> bodyHandler(final HttpResponse.ResponseInfo info) {
        final long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (info.statusCode() == 200 && declared > maxBytes) {
            return HttpResponse.BodySubscribers.replacing(TOO_LARGE);
        }
        return info.statusCode() == 200
                ? new CappedBody(maxBytes)
                : HttpResponse.BodySubscribers.replacing(new byte[0]);
    }
}
