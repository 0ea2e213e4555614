package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.services.builder.TopicPermissionBuilder;

/** Builds plain permission values, as HiveMQ's builder does, for unit tests without a broker. */
public final class FakeTopicPermissionBuilder implements TopicPermissionBuilder {

    private String filter;
    private TopicPermission.PermissionType type = TopicPermission.PermissionType.ALLOW;
    private TopicPermission.MqttActivity activity = TopicPermission.MqttActivity.ALL;
    private TopicPermission.Qos qos = TopicPermission.Qos.ALL;
    private TopicPermission.Retain retain = TopicPermission.Retain.ALL;
    private TopicPermission.SharedSubscription shared = TopicPermission.SharedSubscription.ALL;
    private String group = "#";

    @Override
    public TopicPermissionBuilder topicFilter(final String topicFilter) {
        filter = topicFilter;
        return this;
    }

    @Override
    public TopicPermissionBuilder type(final TopicPermission.PermissionType type) {
        this.type = type;
        return this;
    }

    @Override
    public TopicPermissionBuilder qos(final TopicPermission.Qos qos) {
        this.qos = qos;
        return this;
    }

    @Override
    public TopicPermissionBuilder activity(final TopicPermission.MqttActivity activity) {
        this.activity = activity;
        return this;
    }

    @Override
    public TopicPermissionBuilder retain(final TopicPermission.Retain retain) {
        this.retain = retain;
        return this;
    }

    @Override
    public TopicPermissionBuilder sharedSubscription(final TopicPermission.SharedSubscription sharedSubscription) {
        shared = sharedSubscription;
        return this;
    }

    @Override
    public TopicPermissionBuilder sharedGroup(final String sharedGroup) {
        group = sharedGroup;
        return this;
    }

    @Override
    public TopicPermission build() {
        final String f = filter;
        final TopicPermission.PermissionType t = type;
        final TopicPermission.MqttActivity a = activity;
        final TopicPermission.Qos q = qos;
        final TopicPermission.Retain r = retain;
        final TopicPermission.SharedSubscription s = shared;
        final String g = group;
        return new TopicPermission() {
            @Override
            public String getTopicFilter() {
                return f;
            }

            @Override
            public PermissionType getType() {
                return t;
            }

            @Override
            public Qos getQos() {
                return q;
            }

            @Override
            public MqttActivity getActivity() {
                return a;
            }

            @Override
            public Retain getPublishRetain() {
                return r;
            }

            @Override
            public SharedSubscription getSharedSubscription() {
                return s;
            }

            @Override
            public String getSharedGroup() {
                return g;
            }

            @Override
            public String toString() {
                return t + " " + a + " " + f;
            }
        };
    }
}
