using System.Text;
using HogGuard.Detection;

namespace HogGuard.Tests.Detection;

/// <summary>Runs the content scanner over text and returns merged findings.</summary>
internal static class DetectorTestKit
{
    public static List<Finding> Scan(string text, string path = "app.txt") => Scan(Encoding.UTF8.GetBytes(text), path);

    public static List<Finding> Scan(byte[] bytes, string path = "app.txt")
    {
        var sink = new FindingSet();
        using var stream = new MemoryStream(bytes);
        new ContentScanner(sink).Scan(stream, -1, path);
        return FindingSet.Merge(sink.Hits);
    }
}
