using HogGuard.Sources;

namespace HogGuard.Tests.Sources;

/// <summary>Reading <c>git log --raw -c</c> lines: the blob a commit writes, and what is not a blob.</summary>
public sealed class HistoryLogTests
{
    private const string A = "1111111111111111111111111111111111111111";
    private const string B = "2222222222222222222222222222222222222222";
    private const string C = "3333333333333333333333333333333333333333";
    private const string Zero = "0000000000000000000000000000000000000000";

    [Theory]
    [InlineData($":100644 100644 {A} {B} M\tsrc/app.py", B, "src/app.py")]
    [InlineData($":000000 100644 {Zero} {B} A\t.env", B, ".env")]
    [InlineData($":100644 120000 {A} {B} T\tlink", B, "link")]
    [InlineData($"::100644 100644 100644 {A} {B} {C} MM\tmerged.txt", C, "merged.txt")]
    [InlineData($":000000 100644 {Zero} {B} A\t\"tab\\there\"", B, "tab\there")]
    public void AWrite_IsTheResultBlobAndItsPath(string line, string id, string path)
    {
        Assert.Equal((id, path), HistoryLog.ParseWrite(line));
    }

    [Theory]
    [InlineData($":100644 000000 {A} {Zero} D\tgone.txt")]
    [InlineData($":000000 160000 {Zero} {B} A\tvendor/submodule")]
    [InlineData($"::100644 100644 000000 {A} {B} {Zero} DD\tgone-in-merge.txt")]
    [InlineData(":100644 100644 abc def M\tshort-ids")]
    [InlineData("not a raw line")]
    public void DeletionsSubmodulesAndNoise_AreNotBlobs(string line)
    {
        Assert.Null(HistoryLog.ParseWrite(line));
    }
}
