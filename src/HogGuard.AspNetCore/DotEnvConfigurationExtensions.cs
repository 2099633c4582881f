using HogGuard.AspNetCore;
using Microsoft.Extensions.FileProviders;

// Extensions live in the namespace users already import, so they find them.
namespace Microsoft.Extensions.Configuration;

/// <summary><c>builder.Configuration.AddDotEnvFile(".env", reloadOnChange: true)</c>.</summary>
public static class DotEnvConfigurationExtensions
{
    /// <summary>
    /// Adds a dotenv file (relative to the content root, or absolute) as configuration. With
    /// <paramref name="reloadOnChange"/>, a rotation that rewrites the file reaches
    /// <c>AddPostHogSecurity</c> and <c>AddPostHogWebhooks</c> without a restart.
    /// </summary>
    public static IConfigurationBuilder AddDotEnvFile(this IConfigurationBuilder builder, string path, bool optional = false, bool reloadOnChange = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var root = builder.GetFileProvider() is PhysicalFileProvider physical ? physical.Root : AppContext.BaseDirectory;
        var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(root, path));
        return builder.Add(new DotEnvConfigurationSource { Path = full, Optional = optional, ReloadOnChange = reloadOnChange });
    }
}
