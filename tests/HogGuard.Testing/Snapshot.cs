using System.Runtime.CompilerServices;

namespace HogGuard.Testing;

/// <summary>
/// Approval of text kept in the repository: the expected text sits in a <c>Snapshots</c> folder
/// beside the test. On a difference the new text is written beside it as <c>NAME.received.EXT</c>;
/// review it and move it over the snapshot if the change is intended.
/// </summary>
public static class Snapshot
{
    public static void Match(string name, string actual, [CallerFilePath] string source = "")
    {
        actual = actual.ReplaceLineEndings("\n");
        var folder = Path.Combine(Path.GetDirectoryName(source)!, "Snapshots");
        var path = Path.Combine(folder, name);
        var expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : null;
        var received = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(name)}.received{Path.GetExtension(name)}");
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        Assert.Fail($"{name} differs from its snapshot; the new text is in {received}: review it and move it over {path} if the change is intended.\n"
            + FirstDifference(expected ?? string.Empty, actual));
    }

    private static string FirstDifference(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(end)";
            var right = i < b.Length ? b[i] : "(end)";
            if (left != right)
            {
                return $"line {i + 1}:\n- {left}\n+ {right}";
            }
        }

        return string.Empty;
    }
}
