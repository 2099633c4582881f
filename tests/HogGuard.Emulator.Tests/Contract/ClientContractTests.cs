using HogGuard.Keys;
using HogGuard.PostHogApi;
using HogGuard.Testing;
using HogGuard.Detection;
using HogGuard.Liveness;

namespace HogGuard.Emulator.Tests.Contract;

/// <summary>
/// PostHogClient and SecretVerifier read PostHog's recorded answers (<see cref="PostHogAnswers"/>)
/// through a plain handler: no emulator, so a client that misreads PostHog fails here even if the
/// emulator shares the misreading. Each test names the PostHog file the answer comes from.
/// </summary>
public sealed class ClientContractTests
{
    private static readonly Uri Host = new("https://us.posthog.com/");
    private static readonly Uri Ingestion = new("https://us.i.posthog.com/");

    /// <summary>Answers each request with the next recorded answer, and keeps the requests' addresses.</summary>
    private sealed class Recorded(params PostHogAnswer[] answers) : HttpMessageHandler
    {
        private int _next;

        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            return Task.FromResult(answers[Math.Min(_next++, answers.Length - 1)].ToResponse());
        }
    }

    private static PostHogClient Client(Recorded handler) =>
        new(new HttpClient(handler), new PostHogClientOptions { MaxRetries = 0 });

    private static PostHogSecret Key(string prefix) => new(TestTokens.Make(prefix, base57: true, new Random(prefix[2])));

    [Fact]
    public async Task MissingScope_IsMissingScopeNamingIt()
    {
        // posthog/permissions.py
        var answer = await Client(new Recorded(PostHogAnswers.MissingScope)).SendAsync(Host, HttpMethod.Get, "api/projects/1/insights/", Key("phx_"));

        Assert.Equal((ApiOutcome.MissingScope, "insight:read"), (answer.Outcome, answer.MissingScope));
    }

    [Fact]
    public async Task FlagsServiceMissingScope_IsMissingScopeNamingTheReadScope()
    {
        // rust/feature-flags/src/api/errors.rs
        var answer = await Client(new Recorded(PostHogAnswers.FlagsMissingScope)).CheckFlagDefinitionsAsync(Ingestion, Key("phx_"), "phc_token");

        Assert.Equal((ApiOutcome.MissingScope, "feature_flag:read"), (answer.Outcome, answer.MissingScope));
    }

    [Theory]
    [InlineData("personal-not-supported", ApiOutcome.Forbidden)]
    [InlineData("not-admin", ApiOutcome.Forbidden)]
    [InlineData("no-project", ApiOutcome.NoProjectAccess)]
    [InlineData("invalid", ApiOutcome.InvalidKey)]
    public async Task Refusals_AreTheirOwnOutcomes(string name, ApiOutcome expected)
    {
        // posthog/permissions.py, posthog/auth.py
        var recorded = name switch
        {
            "personal-not-supported" => PostHogAnswers.PersonalKeyNotSupported,
            "not-admin" => PostHogAnswers.NotProjectAdmin,
            "no-project" => PostHogAnswers.NoProjectAccess,
            _ => PostHogAnswers.InvalidPersonalKey,
        };

        var answer = await Client(new Recorded(recorded)).SendAsync(Host, HttpMethod.Post, "api/projects/1/project_secret_api_keys/", Key("phx_"), "{}");

        Assert.Equal(expected, answer.Outcome);
        Assert.Equal(System.Text.Json.JsonDocument.Parse(recorded.Body).RootElement.GetProperty("detail").GetString(), answer.Detail);
    }

    [Fact]
    public async Task SecretKeyList_FollowsNextThroughEveryPage_OnTheNamedHostOnly()
    {
        // posthog/settings/web.py: pages of 100; next is an absolute URL built by the server.
        var handler = new Recorded(
            PostHogAnswers.SecretKeyPage("https://internal-proxy.example/", 120, 0, 100),
            PostHogAnswers.SecretKeyPage("https://internal-proxy.example/", 120, 100, 20));

        var answer = await Client(handler).ListProjectSecretKeysAsync(Host, Key("phx_"), 1);

        Assert.True(answer.IsOk, answer.Detail);
        Assert.Equal(120, answer.Value!.Count);
        Assert.Equal("phs_...0119", answer.Value[^1].MaskValue);
        Assert.Equal(["https://us.posthog.com/api/projects/1/project_secret_api_keys/?limit=100", "https://us.posthog.com/api/projects/1/project_secret_api_keys/?limit=100&offset=100"], handler.Requests.Select(u => u.ToString()));
    }

    [Fact]
    public async Task SecretKeyList_BareArrayOfAnOlderServer_IsReadToo()
    {
        var bare = new PostHogAnswer("posthog/api/project_secret_api_key.py", 200, PostHogAnswer.Json, """[{"id":"k1","label":"a","mask_value":"phs_...abcd","scopes":["feature_flag:read"]}]""");

        var answer = await Client(new Recorded(bare)).ListProjectSecretKeysAsync(Host, Key("phx_"), 1);

        Assert.Equal("phs_...abcd", Assert.Single(answer.Value!).MaskValue);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(10)]
    public async Task SecretKeyLimit_EveryVersion_Is400WithPostHogsWords(int limit)
    {
        // posthog/api/project_secret_api_key.py: MAX_PROJECT_SECRET_API_KEYS_PER_TEAM was 10, is 50.
        var answer = await Client(new Recorded(limit == 50 ? PostHogAnswers.SecretKeyLimit : PostHogAnswers.SecretKeyLimitOlder))
            .CreateProjectSecretKeyAsync(Host, Key("phx_"), 1, "label", ["feature_flag:read"]);

        Assert.Equal((ApiOutcome.Failed, 400), (answer.Outcome, answer.Status));
        Assert.StartsWith($"You can only have {limit} project secret API keys.", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlagDefinitions_ObjectWithFlags_IsOk_LoginPageWith200_IsAFailureNamingTheHost()
    {
        // rust/feature-flags/ (success shape); posthog/urls.py (the app host's login page)
        var ok = await Client(new Recorded(PostHogAnswers.FlagDefinitions)).CheckFlagDefinitionsAsync(Ingestion, Key("phs_"));
        var html = await Client(new Recorded(PostHogAnswers.LoginPage)).CheckFlagDefinitionsAsync(Host, Key("phs_"));

        Assert.True(ok.IsOk);
        Assert.Equal(ApiOutcome.Failed, html.Outcome);
        Assert.Contains("https://us.posthog.com answered 200 with an HTML page", html.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirect_IsNeverFollowed_AndNamesTheLocation()
    {
        // posthog/urls.py: the catch-all redirects an unrouted path to /login.
        var handler = new Recorded(PostHogAnswers.AppHostRedirect, PostHogAnswers.LoginPage);

        var answer = await Client(handler).CaptureBatchAsync(Host, "{}"u8.ToArray());

        Assert.Equal(ApiOutcome.Failed, answer.Outcome);
        Assert.Contains("302 redirecting to /login?(query not shown)", answer.Detail, StringComparison.Ordinal);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Capture_StatusOk_IsOk_MissingDistinctId_IsA400Failure()
    {
        // rust/capture/src/api.rs
        var ok = await Client(new Recorded(PostHogAnswers.CaptureOk)).CaptureBatchAsync(Ingestion, "{}"u8.ToArray());
        var refused = await Client(new Recorded(PostHogAnswers.CaptureMissingDistinctId)).CaptureBatchAsync(Ingestion, "{}"u8.ToArray());

        Assert.True(ok.IsOk);
        Assert.Equal((ApiOutcome.Failed, 400, "No distinct_id in request"), (refused.Outcome, refused.Status, refused.Detail));
    }

    [Fact]
    public async Task FlagsCacheEmpty_IsUnreachable_NotInvalid()
    {
        // rust/feature-flags/src/api/errors.rs: cache_miss 503.
        var verifier = new SecretVerifier(Client(new Recorded(PostHogAnswers.FlagsCacheEmpty)), [PostHogHost.For(Host)]);

        var verification = await verifier.VerifyAsync(Key("phs_"), "phc_token");

        Assert.Equal(VerificationStatus.Unreachable, verification.Status);
    }

    [Fact]
    public async Task Verifier_OnlyA401MakesAKeyInvalid_400And302AreUnknownWithTheReason()
    {
        // rust/feature-flags/: an older flags service answers 400 to a phs_ without ?token=; posthog/urls.py redirects.
        var tokenRequired = await new SecretVerifier(Client(new Recorded(PostHogAnswers.FlagsTokenRequired)), [PostHogHost.For(Host)]).VerifyAsync(Key("phs_"));
        var redirected = await new SecretVerifier(Client(new Recorded(PostHogAnswers.AppHostRedirect)), [PostHogHost.For(Host)]).VerifyAsync(Key("phx_"));
        var projectToken = TestTokens.Make("phc_", base57: true, new Random(5));
        var refused = await new SecretVerifier(Client(new Recorded(PostHogAnswers.FlagsInvalidSecret)), [PostHogHost.For(Host)]).VerifyAsync(Key("phs_"), projectToken);

        Assert.Equal(VerificationStatus.Unknown, tokenRequired.Status);
        Assert.Contains("project token", tokenRequired.Detail, StringComparison.Ordinal);
        Assert.Equal(VerificationStatus.Unknown, redirected.Status);
        Assert.Contains("302", redirected.Detail, StringComparison.Ordinal);
        Assert.Equal(VerificationStatus.Invalid, refused.Status);
        Assert.Contains($"refused for project token {projectToken[..4]}...{projectToken[^4..]}", refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verifier_ChecksSecretKeysOnTheIngestionHost_AndPersonalKeysOnTheAppHost()
    {
        var handler = new Recorded(PostHogAnswers.FlagDefinitions);
        var verifier = new SecretVerifier(Client(handler), [PostHogHost.For(Host)]);

        await verifier.VerifyAsync(Key("phs_"), "phc_token");

        Assert.Equal("https://us.i.posthog.com/flags/definitions?token=phc_token", Assert.Single(handler.Requests).ToString());
    }

    /// <summary>A host that answers 200 and then bytes for ever (no Content-Length).</summary>
    private sealed class Endless : HttpMessageHandler
    {
        private sealed class Zeros : Stream
        {
            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => 0; set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                Array.Fill(buffer, (byte)' ', offset, count);
                return count;
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StreamContent(new Zeros()) });
    }

    [Fact]
    public async Task EndlessAnswer_IsAFailureNamingTheHost_NotAnOutOfMemory()
    {
        var before = GC.GetTotalAllocatedBytes();

        var answer = await new PostHogClient(new HttpClient(new Endless()), new PostHogClientOptions { MaxRetries = 0 }).GetCurrentPersonalKeyAsync(Host, Key("phx_"));

        Assert.Equal(ApiOutcome.Failed, answer.Outcome);
        Assert.Contains("https://us.posthog.com answered with more than 8 MB", answer.Detail, StringComparison.Ordinal);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 200L * 1024 * 1024, "the answer was buffered without a bound");
    }

    [Fact]
    public async Task ErrorBodyWithTerminalEscapes_IsPrintedWithoutThem()
    {
        var hostile = new PostHogAnswer("(a hostile host)", 400, PostHogAnswer.Json, "{\"detail\":\"\\u001b[2J\\u001b[31mred\\r\\nsecond line\\u0007\"}");

        var answer = await Client(new Recorded(hostile)).SendAsync(Host, HttpMethod.Get, "api/projects/1/insights/", Key("phx_"));

        Assert.DoesNotContain(answer.Detail!, char.IsControl);
        Assert.Contains("red", answer.Detail, StringComparison.Ordinal);
    }
}
