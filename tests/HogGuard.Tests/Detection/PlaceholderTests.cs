using HogGuard.Testing;

namespace HogGuard.Tests.Detection;

public sealed class PlaceholderTests
{
    public static TheoryData<string> Placeholders() => new()
    {
        "phx_" + new string('x', 47),
        "phx_" + new string('X', 48),
        "phc_" + new string('a', 43),
        "phx_" + "1234567890123456789012345678901234567890123456",
        "phc_" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
        "phc_" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG",
        "phx_" + "yourpersonalapikeyheregoesyourpersonalapikey1",
        "phx_" + "abcdxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "phs_" + "abAB12abAB12abAB12abAB12abAB12abAB12abAB12abAB1",
        "phc_" + "ExampleExampleExampleExampleExampleExample1",
        "phx_" + "REDACTEDredacted0000000000000000000000000000000",
    };

    [Theory]
    [MemberData(nameof(Placeholders))]
    public void Scan_PlaceholderOrExample_IsNotAFinding(string placeholder)
    {
        Assert.Empty(DetectorTestKit.Scan($"POSTHOG_KEY=\"{placeholder}\"\n", "README.md"));
    }

    [Theory]
    [InlineData("phx_...abcd")]
    [InlineData("phx_****************************************")]
    [InlineData("phx_your_personal_api_key_here")]
    [InlineData("phc_<your-project-token>")]
    public void Scan_MaskedOrTemplatedForms_AreNotFindings(string text)
    {
        Assert.Empty(DetectorTestKit.Scan($"token: {text}\n", "docs.md"));
    }

    [Fact]
    public void Scan_ThousandsOfRealTokens_NoneMistakenForAPlaceholder()
    {
        var random = new Random(99);
        var missed = 0;
        for (var i = 0; i < 5000; i++)
        {
            var prefix = TestTokens.Prefixes[i % 5];
            var token = TestTokens.Make(prefix, base57: i % 2 == 0, random);
            if (DetectorTestKit.Scan($"k=\"{token}\"", "a.cs").Count != 1)
            {
                missed++;
            }
        }

        Assert.Equal(0, missed);
    }
}
