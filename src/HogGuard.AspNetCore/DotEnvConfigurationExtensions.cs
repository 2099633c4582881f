using HogGuard.AspNetCore;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;

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
        // The default file provider hides names that start with a dot, which every dotenv file has:
        // watch the file's own directory with nothing excluded.
        var full = System.IO.Path.IsPathRooted(path)
            ? path
            : System.IO.Path.Combine(builder.GetFileProvider() is PhysicalFileProvider root ? root.Root : AppContext.BaseDirectory, path);
        full = System.IO.Path.GetFullPath(full);
        var directory = System.IO.Path.GetDirectoryName(full)!;
        return builder.Add<DotEnvConfigurationSource>(source =>
        {
            source.FileProvider = Directory.Exists(directory) ? new PhysicalFileProvider(directory, ExclusionFilters.None) : null;
            source.Path = Directory.Exists(directory) ? System.IO.Path.GetFileName(full) : full;
            source.Optional = optional;
            source.ReloadOnChange = reloadOnChange;
        });
    }
}
