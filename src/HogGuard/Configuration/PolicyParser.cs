using System.Globalization;
using YamlDotNet.RepresentationModel;
using HogGuard.SecretStores;

namespace HogGuard.Configuration;

/// <summary>Reads the <c>environments</c>, <c>audit</c> and <c>posthog</c> sections of <c>hogguard.yml</c>, strictly.</summary>
internal static class PolicyParser
{
    private static readonly string[] KeyFields = ["name", "source", "purpose", "scopes", "max_age_days", "project_scoped"];

    public static List<KeyPolicy> ReadEnvironments(string source, YamlNode node)
    {
        var environments = node as YamlMappingNode ?? throw HogGuardConfig.Invalid(source, node, "'environments' must map environment names to their keys, e.g. 'production: { keys: [...] }'");
        var policies = new List<KeyPolicy>();
        foreach (var (nameNode, envNode) in environments.Children)
        {
            var environment = Scalar(source, nameNode, "an environment name");
            var env = envNode as YamlMappingNode ?? throw HogGuardConfig.Invalid(source, envNode, $"environment '{environment}' must be a mapping with 'keys:'");
            int? project = null;
            var keys = new List<KeyPolicy>();
            foreach (var (fieldNode, value) in env.Children)
            {
                var field = Scalar(source, fieldNode, "a field name");
                switch (field)
                {
                    case "keys":
                        var list = value as YamlSequenceNode ?? throw HogGuardConfig.Invalid(source, value, $"'environments.{environment}.keys' must be a list");
                        keys.AddRange(list.Children.Select(k => ReadKey(source, environment, k)));
                        break;
                    case "project":
                        project = int.TryParse(Scalar(source, value, "a project id"), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                            ? id
                            : throw HogGuardConfig.Invalid(source, value, $"'environments.{environment}.project' must be the PostHog project id, a whole number (Project settings > Project ID)");
                        break;
                    default:
                        throw HogGuardConfig.Invalid(source, fieldNode, $"unknown key 'environments.{environment}.{field}'; an environment has 'project' and 'keys'");
                }
            }

            policies.AddRange(keys.Select(k => k with { Project = project }));
        }

        return policies;
    }

    /// <summary>The <c>audit</c> section: key-audit thresholds, and the audit log with its shipping.</summary>
    public static (KeyAuditThresholds Thresholds, AuditLogSettings Log) ReadAudit(string source, YamlNode node)
    {
        var audit = node as YamlMappingNode ?? throw HogGuardConfig.Invalid(source, node, "'audit' must be a mapping");
        var thresholds = KeyAuditThresholds.Default;
        var log = AuditLogSettings.Default;
        foreach (var (keyNode, value) in audit.Children)
        {
            var key = Scalar(source, keyNode, "a field name");
            switch (key)
            {
                case "unused_days":
                    thresholds = thresholds with { UnusedDays = Number(source, value, "audit.unused_days") };
                    break;
                case "due_soon_days":
                    thresholds = thresholds with { DueSoonDays = Number(source, value, "audit.due_soon_days") };
                    break;
                default:
                    log = key switch
                    {
                        "directory" => log with { Directory = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source)) ?? ".", Scalar(source, value, "a directory"))) },
                        "host" => log with { ShipHost = Scalar(source, value, "a URL") },
                        "ingestion_host" => log with { ShipIngestionHost = Scalar(source, value, "a URL") },
                        "project_token" => log with { ShipProjectToken = Scalar(source, value, "a phc_ project token") },
                        "event" => log with { ShipEvent = Scalar(source, value, "an event name") },
                        "project_id" => log with
                        {
                            ProjectId = int.TryParse(Scalar(source, value, "a project id"), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                                ? id
                                : throw HogGuardConfig.Invalid(source, value, "'audit.project_id' must be a project id, a whole number above 0 (Project settings in PostHog shows it)"),
                        },
                        "query_key" => log with { QueryKey = KeySource.TryParse(Scalar(source, value, "a key source"), out var parsed, out var error) ? parsed : throw HogGuardConfig.Invalid(source, value, error) },
                        _ => throw HogGuardConfig.Invalid(source, keyNode, $"unknown key 'audit.{key}'; known keys are directory, host, ingestion_host, project_token, event, project_id, query_key, unused_days and due_soon_days"),
                    };
                    break;
            }
        }

        return (thresholds, log);
    }

    /// <summary><c>posthog: { hosts: [URL | { url: URL, ingestion: URL }] }</c>.</summary>
    public static List<PostHogApi.PostHogHost> ReadPostHog(string source, YamlNode node)
    {
        var posthog = node as YamlMappingNode ?? throw HogGuardConfig.Invalid(source, node, "'posthog' must be a mapping");
        var hosts = new List<PostHogApi.PostHogHost>();
        foreach (var (keyNode, value) in posthog.Children)
        {
            var key = Scalar(source, keyNode, "a field name");
            if (key != "hosts")
            {
                throw HogGuardConfig.Invalid(source, keyNode, $"unknown key 'posthog.{key}'; known key is hosts");
            }

            var list = value as YamlSequenceNode ?? throw HogGuardConfig.Invalid(source, value, "'posthog.hosts' must be a list of URLs");
            foreach (var item in list.Children)
            {
                if (item is not YamlMappingNode map)
                {
                    hosts.Add(PostHogApi.PostHogHost.For(Url(source, item)));
                    continue;
                }

                Uri? url = null;
                Uri? ingestion = null;
                foreach (var (fieldNode, fieldValue) in map.Children)
                {
                    switch (Scalar(source, fieldNode, "a field name"))
                    {
                        case "url":
                            url = Url(source, fieldValue);
                            break;
                        case "ingestion":
                            ingestion = Url(source, fieldValue);
                            break;
                        case var other:
                            throw HogGuardConfig.Invalid(source, fieldNode, $"unknown key '{other}' in a host; a host is a URL or '{{ url: URL, ingestion: URL }}'");
                    }
                }

                hosts.Add(PostHogApi.PostHogHost.For(url ?? throw HogGuardConfig.Invalid(source, item, "a host lacks 'url' (the app host, e.g. https://eu.posthog.com)"), ingestion));
            }
        }

        return hosts;
    }

    /// <summary><c>rotation: { rotator: SOURCE }</c>: where the personal key with <c>project:write</c> lives.</summary>
    /// <summary><c>rotation: { rotator: SOURCE, allow_outside: true|false }</c>.</summary>
    public static (KeySource? Rotator, bool AllowOutside) ReadRotation(string source, YamlNode node)
    {
        var rotation = node as YamlMappingNode ?? throw HogGuardConfig.Invalid(source, node, "'rotation' must be a mapping such as 'rotator: env:POSTHOG_ROTATOR_KEY'");
        KeySource? rotator = null;
        var allowOutside = false;
        foreach (var (keyNode, value) in rotation.Children)
        {
            switch (Scalar(source, keyNode, "a field name"))
            {
                case "rotator":
                    if (!KeySource.TryParse(Scalar(source, value, "a key source"), out var parsed, out var error))
                    {
                        throw HogGuardConfig.Invalid(source, value, error);
                    }

                    rotator = parsed;
                    break;
                case "allow_outside":
                    allowOutside = Scalar(source, value, "true or false") switch
                    {
                        "true" => true,
                        "false" => false,
                        var other => throw HogGuardConfig.Invalid(source, value, $"'rotation.allow_outside' must be true or false (got '{other}')"),
                    };
                    break;
                case var key:
                    throw HogGuardConfig.Invalid(source, keyNode, $"unknown key 'rotation.{key}'; known keys are rotator and allow_outside");
            }
        }

        return (rotator, allowOutside);
    }

    /// <summary><c>webhooks: [{ name: NAME, secret: SOURCE }]</c>: the webhooks an app receives and where each secret lives.</summary>
    public static List<WebhookPolicy> ReadWebhooks(string source, YamlNode node)
    {
        var list = node as YamlSequenceNode ?? throw HogGuardConfig.Invalid(source, node, "'webhooks' must be a list such as '- { name: posthog, secret: env:POSTHOG_WEBHOOK_SECRET }'");
        var webhooks = new List<WebhookPolicy>();
        foreach (var item in list.Children)
        {
            var map = item as YamlMappingNode ?? throw HogGuardConfig.Invalid(source, item, "each webhook must be a mapping with name and secret");
            string? name = null;
            KeySource? secret = null;
            foreach (var (keyNode, value) in map.Children)
            {
                switch (Scalar(source, keyNode, "a field name"))
                {
                    case "name":
                        name = Scalar(source, value, "a webhook name");
                        break;
                    case "secret":
                        if (!KeySource.TryParse(Scalar(source, value, "a secret source"), out var parsed, out var error))
                        {
                            throw HogGuardConfig.Invalid(source, value, error);
                        }

                        secret = parsed;
                        break;
                    case var other:
                        throw HogGuardConfig.Invalid(source, keyNode, $"unknown key '{other}' in a webhook; known keys are name and secret");
                }
            }

            webhooks.Add(new WebhookPolicy(name ?? throw HogGuardConfig.Invalid(source, item, "a webhook lacks its name"), secret, (int)item.Start.Line));
        }

        return webhooks;
    }

    private static KeyPolicy ReadKey(string source, string environment, YamlNode node)
    {
        var key = node as YamlMappingNode ?? throw HogGuardConfig.Invalid(source, node, $"each key of '{environment}' must be a mapping with name, source and purpose");
        string? name = null;
        KeySource? keySource = null;
        KeyPurpose? purpose = null;
        List<string>? scopes = null;
        int? maxAge = null;
        var projectScoped = false;
        foreach (var (fieldNode, value) in key.Children)
        {
            var field = Scalar(source, fieldNode, "a field name");
            switch (field)
            {
                case "name":
                    name = Scalar(source, value, "a key name");
                    break;
                case "source":
                    if (!KeySource.TryParse(Scalar(source, value, "a key source"), out var parsed, out var error))
                    {
                        throw HogGuardConfig.Invalid(source, value, error);
                    }

                    keySource = parsed;
                    break;
                case "purpose":
                    var text = Scalar(source, value, "a purpose");
                    purpose = text switch
                    {
                        "capture" => KeyPurpose.Capture,
                        "reader" => KeyPurpose.Reader,
                        "writer" => KeyPurpose.Writer,
                        "flags" => KeyPurpose.Flags,
                        _ => throw HogGuardConfig.Invalid(source, value, $"purpose '{text}' is not one of capture, reader, writer, flags"),
                    };
                    break;
                case "scopes":
                    var list = value as YamlSequenceNode ?? throw HogGuardConfig.Invalid(source, value, "'scopes' must be a list such as [insight:read, query:read]");
                    scopes = [.. list.Children.Select(s => Scope(source, s))];
                    break;
                case "max_age_days":
                    maxAge = Number(source, value, "max_age_days");
                    break;
                case "project_scoped":
                    projectScoped = Scalar(source, value, "true or false") switch
                    {
                        "true" => true,
                        "false" => false,
                        var other => throw HogGuardConfig.Invalid(source, value, $"'project_scoped' must be true or false (got '{other}')"),
                    };
                    break;
                default:
                    throw HogGuardConfig.Invalid(source, fieldNode, $"unknown key '{field}' in a key of '{environment}'; known keys are {string.Join(", ", KeyFields)}");
            }
        }

        if (name is null || keySource is null || purpose is null)
        {
            var missing = string.Join(", ", new[] { name is null ? "name" : null, keySource is null ? "source" : null, purpose is null ? "purpose" : null }.OfType<string>());
            throw HogGuardConfig.Invalid(source, node, $"a key of '{environment}' lacks {missing}");
        }

        return new KeyPolicy(environment, name, keySource, purpose.Value, scopes, maxAge, projectScoped, (int)node.Start.Line, (int)node.Start.Column);
    }

    private static Uri Url(string source, YamlNode node)
    {
        var text = Scalar(source, node, "a URL");
        return PostHogApi.PostHogHosts.TryParse(text, out var uri) ? uri : throw HogGuardConfig.Invalid(source, node, $"'{text}' is not an http(s) URL (no query or fragment)");
    }

    private static string Scope(string source, YamlNode node)
    {
        var scope = Scalar(source, node, "a scope");
        if (scope != "*" && (scope.Split(':') is not [{ Length: > 0 }, "read" or "write"]))
        {
            throw HogGuardConfig.Invalid(source, node, $"'{scope}' is not a scope; write object:read, object:write or *");
        }

        return scope;
    }

    private static string Scalar(string source, YamlNode node, string what) =>
        node is YamlScalarNode { Value: { Length: > 0 } value } ? value : throw HogGuardConfig.Invalid(source, node, $"expected {what}");

    private static int Number(string source, YamlNode node, string field) =>
        int.TryParse(Scalar(source, node, "a number"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw HogGuardConfig.Invalid(source, node, $"'{field}' must be a whole number of days above 0");
}
