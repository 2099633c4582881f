using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using HogGuard.IO;
using HogGuard.SecretStores;

namespace HogGuard.Configuration;

/// <summary>
/// <c>hogguard.yml</c>, the one configuration file. Read through YamlDotNet's node model (no
/// reflection), strictly: an unknown key or a value of the wrong type is an error that names the
/// file, the line and the fix, so a typo never silently turns a rule off.
/// </summary>
public sealed record HogGuardConfig
{
    /// <summary>The file name looked for in the scanned folder.</summary>
    public const string FileName = "hogguard.yml";

    /// <summary>The largest configuration, baseline or key file read (1 MB): larger is a mistake, and reading it whole would cost memory.</summary>
    public const long MaxConfigBytes = 1024 * 1024;

    /// <summary>Default size above which a file or blob is skipped with a note.</summary>
    public const long DefaultMaxFileSize = 100L * 1024 * 1024;

    /// <summary>The configuration used when there is no hogguard.yml.</summary>
    public static HogGuardConfig Default { get; } = new();

    /// <summary>Globs of paths whose findings are not reported (<c>scan.allow_paths</c>).</summary>
    internal IReadOnlyList<PathGlob> AllowPaths { get; init; } = [];

    /// <summary>Files and blobs above this size are skipped with a note (<c>scan.max_file_size</c>).</summary>
    public long MaxFileSize { get; init; } = DefaultMaxFileSize;

    /// <summary>
    /// The baseline every scan applies unless another is named (<c>scan.baseline</c>, absolute; the
    /// file gives it relative to its own folder); null when not set.
    /// </summary>
    public string? BaselinePath { get; init; }

    /// <summary>The keys each environment uses (<c>environments</c>), for <c>hogguard keys audit</c>.</summary>
    public IReadOnlyList<KeyPolicy> Keys { get; init; } = [];

    /// <summary>When <c>keys audit</c> calls a key unused or due soon (<c>audit.unused_days</c>, <c>audit.due_soon_days</c>).</summary>
    public KeyAuditThresholds KeyAudit { get; init; } = KeyAuditThresholds.Default;

    /// <summary>The audit log and its shipping (the rest of <c>audit</c>).</summary>
    public AuditLogSettings AuditLog { get; init; } = AuditLogSettings.Default;

    /// <summary>PostHog hosts to ask (<c>posthog.hosts</c>), each an app host with its ingestion host; empty means US then EU.</summary>
    public IReadOnlyList<PostHogApi.PostHogHost> Hosts { get; init; } = [];

    /// <summary>The personal key HogGuard rotates project secret keys with (<c>rotation.rotator</c>); null when not set.</summary>
    public KeySource? Rotator { get; init; }

    /// <summary>Rotation may write key files outside the folder of this file (<c>rotation.allow_outside</c>).</summary>
    public bool AllowStoresOutside { get; init; }

    /// <summary>The webhooks the app receives (<c>webhooks</c>).</summary>
    public IReadOnlyList<WebhookPolicy> Webhooks { get; init; } = [];

    /// <summary>Where the configuration came from, or null for the defaults.</summary>
    public string? SourcePath { get; init; }

    /// <summary>
    /// The one rule every command finds its configuration by: the file named explicitly (<c>--config</c>,
    /// relative to <paramref name="workingDirectory"/>), which must exist; else <c>hogguard.yml</c> in
    /// <paramref name="near"/> (a folder, or the folder of a file); else none.
    /// </summary>
    /// <param name="named">The path the user gave, or null.</param>
    /// <param name="near">Where to look when none is named (absolute, or relative to <paramref name="workingDirectory"/>).</param>
    /// <returns>The absolute path of the configuration file, or null when there is none.</returns>
    /// <exception cref="ConfigurationException">The named file does not exist.</exception>
    public static string? Locate(string? named, string near, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(near);
        if (named is not null)
        {
            var file = Path.GetFullPath(named, workingDirectory);
            return File.Exists(file) ? file : throw new ConfigurationException($"configuration file {named} does not exist; check the --config path");
        }

        var place = Path.GetFullPath(near, workingDirectory);
        var folder = Directory.Exists(place) ? place : Path.GetDirectoryName(place) ?? place;
        var candidate = Path.Combine(folder, FileName);
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>The key <paramref name="name"/> of environment <paramref name="environment"/>.</summary>
    /// <param name="shownAs">The configuration's path as the user knows it, for messages.</param>
    /// <exception cref="ConfigurationException">There is no such environment or key; the message lists what there is.</exception>
    public KeyPolicy FindKey(string environment, string name, string shownAs)
    {
        if (!Keys.Any(k => k.Environment == environment))
        {
            var known = string.Join(", ", Keys.Select(k => k.Environment).Distinct());
            throw new ConfigurationException($"{shownAs} has no environment '{environment}'{(known.Length > 0 ? $"; it has: {known}" : "; add an 'environments:' section")}");
        }

        return Keys.FirstOrDefault(k => k.Environment == environment && k.Name == name)
            ?? throw new ConfigurationException($"environment '{environment}' in {shownAs} has no key '{name}'; it has: {string.Join(", ", Keys.Where(k => k.Environment == environment).Select(k => k.Name))}");
    }

    /// <summary>Reads a configuration file.</summary>
    /// <exception cref="ConfigurationException">The file cannot be read or is not valid.</exception>
    public static HogGuardConfig Load(string path)
    {
        string text;
        try
        {
            text = RegularFile.ReadAllText(path, MaxConfigBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot read {path}: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses configuration text; <paramref name="sourceName"/> is used in messages.</summary>
    public static HogGuardConfig Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        Guard(text, sourceName);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigurationException($"{sourceName}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.Message} Fix the syntax (see the README's hogguard.yml section).", e);
        }

        if (stream.Documents.Count > 1)
        {
            throw Invalid(sourceName, stream.Documents[1].RootNode, $"the file holds {stream.Documents.Count} YAML documents; HogGuard reads one, so remove the '---' and merge them");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new HogGuardConfig { SourcePath = sourceName };
        }

        var root = stream.Documents[0].RootNode as YamlMappingNode
            ?? throw Invalid(sourceName, stream.Documents[0].RootNode, "the top level must be a mapping such as 'scan:'");
        var config = new HogGuardConfig { SourcePath = sourceName };
        foreach (var (keyNode, value) in root.Children)
        {
            var key = (keyNode as YamlScalarNode ?? throw Invalid(sourceName, keyNode, "a key must be a plain name such as 'scan:', not a list or a mapping")).Value;
            config = key switch
            {
                "version" => config,
                "scan" => ScanSection.Read(sourceName, value, config),
                "environments" => config with { Keys = PolicyParser.ReadEnvironments(sourceName, value) },
                "audit" => WithAudit(config, PolicyParser.ReadAudit(sourceName, value)),
                "posthog" => config with { Hosts = PolicyParser.ReadPostHog(sourceName, value) },
                "webhooks" => config with { Webhooks = PolicyParser.ReadWebhooks(sourceName, value) },
                "rotation" => WithRotation(config, PolicyParser.ReadRotation(sourceName, value)),
                _ => throw Invalid(sourceName, keyNode, $"unknown section '{key}'; known sections are: scan, environments, audit, posthog, rotation, webhooks"),
            };
        }

        return config;
    }

    private static HogGuardConfig WithAudit(HogGuardConfig config, (KeyAuditThresholds Thresholds, AuditLogSettings Log) audit) =>
        config with { KeyAudit = audit.Thresholds, AuditLog = audit.Log };

    private static HogGuardConfig WithRotation(HogGuardConfig config, (KeySource? Rotator, bool AllowOutside) rotation) =>
        config with { Rotator = rotation.Rotator, AllowStoresOutside = rotation.AllowOutside };

    /// <summary>Parses sizes such as <c>100MB</c>, <c>512k</c>, <c>1G</c> or a plain byte count.</summary>
    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().ToUpperInvariant();
        long unit = 1;
        foreach (var (suffix, factor) in new[] { ("GB", 1L << 30), ("G", 1L << 30), ("MB", 1L << 20), ("M", 1L << 20), ("KB", 1L << 10), ("K", 1L << 10), ("B", 1L) })
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                unit = factor;
                s = s[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > long.MaxValue / unit)
        {
            return false;
        }

        bytes = n * unit;
        return true;
    }

    private const int MaxFlowDepth = 64;
    private const int MaxAliases = 64;

    /// <summary>
    /// Before the YAML parser sees the text: flow collections nested deeper than 64 (a row of '['
    /// overflows the parser's stack, which no catch survives) and more than 64 aliases (each may
    /// multiply the work of reading the document) are refused with the line where the limit is passed.
    /// </summary>
    private static void Guard(string text, string sourceName)
    {
        var (depth, aliases, line) = (0, 0, 1);
        var quote = '\0';
        var comment = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                (line, comment) = (line + 1, false);
                if (quote == '\0')
                {
                    continue;
                }
            }

            if (comment)
            {
                continue;
            }

            if (quote != '\0')
            {
                quote = c == quote && (quote == '\'' || text[i - 1] != '\\') ? '\0' : quote;
                continue;
            }

            switch (c)
            {
                case '"' or '\'' when i == 0 || text[i - 1] is ' ' or '\t' or '[' or '{' or ',' or ':' or '\n' or '-':
                    quote = c;
                    break;
                case '#' when i == 0 || text[i - 1] is ' ' or '\t' or '\n':
                    comment = true;
                    break;
                case '[' or '{' when ++depth > MaxFlowDepth:
                    throw new ConfigurationException($"{sourceName}:{line}: lists or mappings nested more than {MaxFlowDepth} deep; a configuration never needs that");
                case ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    break;
                case '*' when (i == 0 || text[i - 1] is ' ' or '\t' or '[' or '{' or ',' or '\n') && i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]) && ++aliases > MaxAliases:
                    throw new ConfigurationException($"{sourceName}:{line}: more than {MaxAliases} YAML aliases (*name); write the values out instead");
            }
        }
    }

    internal static ConfigurationException Invalid(string source, YamlNode node, string problem) =>
        new($"{source}:{node.Start.Line}:{node.Start.Column}: {problem}.");
}
