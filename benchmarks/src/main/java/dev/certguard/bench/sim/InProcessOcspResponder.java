package dev.certguard.bench.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An OCSP responder inside the simulation's JVM, behind the HTTP client certguard's OCSP client is
 * given: every request gets a "good" answer signed by the CA, valid an hour from the simulation's
 * clock, answered on the calling thread (or held, as a slow responder's). So a million devices can be
 * asked about without a million sockets; the client still builds each request and verifies each
 * signed answer. Thread-safe.
 */
final class InProcessOcspResponder extends HttpClient {

    private final X509Certificate ca;
    private final PrivateKey key;
    private final Clock clock;
    private final AtomicLong requests = new AtomicLong();
    /** While set, requests are held unanswered (a slow responder) until {@link #timeOutHeld()}. */
    private volatile boolean holding;

    private final java.util.Queue<CompletableFuture<?>> held = new java.util.concurrent.ConcurrentLinkedQueue<>();

    InProcessOcspResponder(final X509Certificate ca, final PrivateKey key, final Clock clock) {
        this.ca = ca;
        this.key = key;
        this.clock = clock;
    }

    long requests() {
        return requests.get();
    }

    /** From now on, holds every request unanswered. */
    void hold() {
        holding = true;
    }

    /** Ends every held request with a timeout, as a responder that never answered would, and stops holding. */
    int timeOutHeld() {
        holding = false;
        int count = 0;
        for (CompletableFuture<?> request; (request = held.poll()) != null; count++) {
            request.completeExceptionally(new java.net.http.HttpTimeoutException("held by the simulation"));
        }
        return count;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(
            final HttpRequest request, final HttpResponse.BodyHandler<T> handler) {
        requests.incrementAndGet();
        if (holding) {
            final CompletableFuture<HttpResponse<T>> waiting = new CompletableFuture<>();
            held.add(waiting);
            return waiting;
        }
        final byte[] body;
        try {
            body = answer(read(request));
        } catch (final Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        final HttpResponse.BodySubscriber<T> subscriber = handler.apply(new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return 200;
            }

            @Override
            public HttpHeaders headers() {
                return HttpHeaders.of(Map.of(), (name, value) -> true);
            }

            @Override
            public Version version() {
                return Version.HTTP_1_1;
            }
        });
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(final long n) {}

            @Override
            public void cancel() {}
        });
        subscriber.onNext(List.of(ByteBuffer.wrap(body)));
        subscriber.onComplete();
        return subscriber.getBody().toCompletableFuture().thenApply(value -> new Response<>(request, value));
    }

    private byte[] answer(final byte[] encoded) throws Exception {
        final OCSPReq request = new OCSPReq(encoded);
        final BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(
                new RespID(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded())));
        final Instant now = clock.instant();
        for (final Req one : request.getRequestList()) {
            builder.addResponse(
                    one.getCertID(),
                    CertificateStatus.GOOD,
                    Date.from(now.minusSeconds(1)),
                    Date.from(now.plus(Duration.ofHours(1))));
        }
        return new OCSPRespBuilder()
                .build(
                        OCSPRespBuilder.SUCCESSFUL,
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key), null, Date.from(now)))
                .getEncoded();
    }

    /** The request body, which the JDK's byte-array publisher hands over when asked. */
    private static byte[] read(final HttpRequest request) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CountDownLatch done = new CountDownLatch(1);
        final Throwable[] failed = new Throwable[1];
        request.bodyPublisher().orElseThrow().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(final Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(final ByteBuffer item) {
                final byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                out.writeBytes(bytes);
            }

            @Override
            public void onError(final Throwable throwable) {
                failed[0] = throwable;
                done.countDown();
            }

            @Override
            public void onComplete() {
                done.countDown();
            }
        });
        if (!done.await(10, TimeUnit.SECONDS) || failed[0] != null) {
            throw new IOException("request body not read", failed[0]);
        }
        return out.toByteArray();
    }

    @Override
    public <T> HttpResponse<T> send(final HttpRequest request, final HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return sendAsync(request, handler).join();
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(
            final HttpRequest request,
            final HttpResponse.BodyHandler<T> handler,
            final HttpResponse.PushPromiseHandler<T> pushes) {
        return sendAsync(request, handler);
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return Optional.empty();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return Optional.empty();
    }

    @Override
    public Redirect followRedirects() {
        return Redirect.NEVER;
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return Optional.empty();
    }

    @Override
    public SSLContext sslContext() {
        return null;
    }

    @Override
    public SSLParameters sslParameters() {
        return null;
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return Optional.empty();
    }

    @Override
    public Version version() {
        return Version.HTTP_1_1;
    }

    @Override
    public Optional<Executor> executor() {
        return Optional.empty();
    }

    private record Response<T>(HttpRequest request, T body) implements HttpResponse<T> {
        @Override
        public int statusCode() {
            return 200;
        }

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return HttpHeaders.of(Map.of(), (name, value) -> true);
        }

        @Override
        public Optional<javax.net.ssl.SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public Version version() {
            return Version.HTTP_1_1;
        }
    }
}
