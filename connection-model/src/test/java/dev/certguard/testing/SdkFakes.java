package dev.certguard.testing;

import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import java.lang.reflect.Proxy;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Small fakes of the SDK's input objects for unit tests: each answers only the getters certguard
 * reads (by method name) and fails loudly on anything else, so a test notices when the code under
 * test starts to depend on more of the SDK.
 */
public final class SdkFakes {

    private SdkFakes() {}

    /** An object of {@code type} whose getters named in {@code answers} return those values. */
    public static <T> T fake(final Class<T> type, final Map<String, Object> answers) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (answers.containsKey(method.getName())) {
                return answers.get(method.getName());
            }
            switch (method.getName()) {
                case "toString":
                    return "fake " + type.getSimpleName() + answers.keySet();
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    throw new UnsupportedOperationException(
                            type.getSimpleName() + "." + method.getName() + " is not faked");
            }
        }));
    }

    /**
     * An object of {@code type} that records every call ({@code name} or {@code name(arg, ...)}) in
     * {@code calls}, answers the getters named in {@code answers}, returns nothing from void methods
     * and fails on any other method: an SDK output a test can read back.
     */
    public static <T> T recorder(final Class<T> type, final Map<String, Object> answers, final List<String> calls) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.getName().equals("equals")
                        ? proxy == args[0]
                        : method.getName().equals("hashCode")
                                ? System.identityHashCode(proxy)
                                : "recorder " + type.getSimpleName();
            }
            calls.add(
                    args == null || args.length == 0
                            ? method.getName()
                            : method.getName()
                                    + Arrays.stream(args)
                                            .map(String::valueOf)
                                            .collect(Collectors.joining(", ", "(", ")")));
            if (answers.containsKey(method.getName())) {
                return answers.get(method.getName());
            }
            if (method.getReturnType() == void.class) {
                return null;
            }
            throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName() + " is not faked");
        }));
    }

    /** A connection on {@code listener} presenting {@code chain} (or no certificate when null). */
    public static ConnectionInformation connection(final String listener, final X509Certificate[] chain) {
        final Map<String, Object> tls = new HashMap<>();
        tls.put("getClientCertificate", Optional.ofNullable(chain == null ? null : chain[0]));
        tls.put("getClientCertificateChain", Optional.ofNullable(chain));
        final Map<String, Object> answers = new HashMap<>();
        answers.put(
                "getClientTlsInformation",
                chain == null ? Optional.empty() : Optional.of(fake(ClientTlsInformation.class, tls)));
        answers.put(
                "getListener",
                Optional.of(fake(
                        Listener.class, Map.of("getName", listener, "getPort", 8883, "getBindAddress", "127.0.0.1"))));
        answers.put("getConnectionAttributeStore", fake(ConnectionAttributeStore.class, Map.of()));
        answers.put("getInetAddress", Optional.of(java.net.InetAddress.getLoopbackAddress()));
        return fake(ConnectionInformation.class, answers);
    }

    public static ClientInformation client(final String clientId) {
        return fake(ClientInformation.class, Map.of("getClientId", clientId));
    }

    public static ConnectionStartInput connectionStart(
            final ConnectPacket connect, final ConnectionInformation connection) {
        return fake(
                ConnectionStartInput.class,
                Map.of(
                        "getConnectPacket", connect,
                        "getConnectionInformation", connection,
                        "getClientInformation", client(connect.getClientId())));
    }

    public static AuthenticationSuccessfulInput authenticationSuccessful(
            final String clientId, final ConnectionInformation connection) {
        return fake(
                AuthenticationSuccessfulInput.class,
                Map.of("getClientInformation", client(clientId), "getConnectionInformation", connection));
    }

    public static DisconnectEventInput disconnect(final String clientId, final ConnectionInformation connection) {
        return fake(
                DisconnectEventInput.class,
                Map.of(
                        "getClientInformation", client(clientId),
                        "getConnectionInformation", connection,
                        "getReasonCode", Optional.empty(),
                        "getReasonString", Optional.empty(),
                        "getUserProperties", Optional.empty()));
    }

    /** A CONNECT with a client id and, optionally, a username. */
    public static ConnectPacket connect(final String clientId, final String username) {
        final Map<String, Object> answers = new HashMap<>();
        answers.put("getClientId", clientId);
        answers.put("getUserName", Optional.ofNullable(username));
        answers.put("getWillPublish", Optional.empty());
        return fake(ConnectPacket.class, answers);
    }
}
