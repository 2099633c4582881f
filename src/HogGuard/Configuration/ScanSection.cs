using HogGuard.IO;
using YamlDotNet.RepresentationModel;

namespace HogGuard.Configuration;

/// <summary>The <c>scan</c> section of hogguard.yml: <c>allow_paths</c> (globs), <c>max_file_size</c> and <c>baseline</c>.</summary>
internal static class ScanSection
{
    private const int MaxGlobs = 1000;
    private const int MaxGlobLength = 512;

    public static HogGuardConfig Read(string source, YamlNode node, HogGuardConfig config)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return config;
        }

        var allow = new List<PathGlob>();
        var maxSize = config.MaxFileSize;
        var baseline = config.BaselinePath;
        var scan = node as YamlMappingNode ?? throw HogGuardConfig.Invalid(source, node, "'scan' must be a mapping");
        foreach (var (keyNode, value) in scan.Children)
        {
            var key = (keyNode as YamlScalarNode ?? throw HogGuardConfig.Invalid(source, keyNode, "a key must be a plain name, not a list or a mapping")).Value;
            switch (key)
            {
                case "allow_paths":
                    var list = value as YamlSequenceNode ?? throw HogGuardConfig.Invalid(source, value, "'scan.allow_paths' must be a list of globs, e.g. [\"tests/**/Fixtures/**\"]");
                    if (list.Children.Count > MaxGlobs)
                    {
                        throw HogGuardConfig.Invalid(source, value, $"'scan.allow_paths' holds {list.Children.Count} globs; at most {MaxGlobs} are read (use ** to cover many paths with one)");
                    }

                    foreach (var item in list.Children)
                    {
                        if (item is not YamlScalarNode { Value: { Length: > 0 } glob })
                        {
                            throw HogGuardConfig.Invalid(source, item, "each entry of 'scan.allow_paths' must be a non-empty glob string");
                        }

                        if (glob.Length > MaxGlobLength)
                        {
                            throw HogGuardConfig.Invalid(source, item, $"this glob is {glob.Length} characters long; at most {MaxGlobLength} are read");
                        }

                        allow.Add(new PathGlob(glob));
                    }

                    break;
                case "max_file_size":
                    var text = (value as YamlScalarNode)?.Value;
                    if (!HogGuardConfig.TryParseSize(text, out maxSize))
                    {
                        throw HogGuardConfig.Invalid(source, value, $"'scan.max_file_size' must be a size such as 100MB, 512KB or 1048576 (got '{text}')");
                    }

                    break;
                case "baseline":
                    // Relative to the configuration's folder, so every scan and the pre-commit hook use the same file wherever they run.
                    var file = (value as YamlScalarNode)?.Value;
                    if (string.IsNullOrWhiteSpace(file) || file.Length > MaxGlobLength)
                    {
                        throw HogGuardConfig.Invalid(source, value, "'scan.baseline' must be the path of a baseline file, e.g. .hogguard-baseline.json (relative to this file)");
                    }

                    baseline = Path.GetFullPath(file, Path.GetDirectoryName(Path.GetFullPath(source)) ?? ".");
                    break;
                default:
                    throw HogGuardConfig.Invalid(source, keyNode, $"unknown key 'scan.{key}'; known keys are allow_paths, max_file_size and baseline");
            }
        }

        return config with { AllowPaths = [.. config.AllowPaths, .. allow], MaxFileSize = maxSize, BaselinePath = baseline };
    }
}
