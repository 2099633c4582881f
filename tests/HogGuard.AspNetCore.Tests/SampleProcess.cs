using System.Diagnostics;
using System.Text;

namespace HogGuard.AspNetCore.Tests;

/// <summary>
/// The sample service as a real process (<c>dotnet HogGuard.Samples.Service.dll</c>) on a free
/// loopback port, its output kept for messages; killed with its process tree on dispose.
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SampleProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Everything the service wrote so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the sample in <paramref name="workingDirectory"/> (its content root) with the given environment, and waits until it listens.</summary>
    public static async Task<SampleProcess> StartAsync(string? workingDirectory, Dictionary<string, string> environment)
    {
        // Port 0: the service takes a free port itself and logs it (a port picked here could be taken meanwhile).
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HogGuard.Samples.Service.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var sample = new SampleProcess(Process.Start(info)!);
        try
        {
            sample.Http = new HttpClient { BaseAddress = new Uri(await sample.ListeningAddressAsync()), Timeout = TimeSpan.FromSeconds(10) };
            return sample;
        }
        catch
        {
            await sample.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits until <c>/health</c> answers Healthy (the key check runs in the background from the start,
    /// so it is degraded until its first probe ends); returns the last answer.
    /// </summary>
    public async Task<string> WaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, "the sample exited:\n" + Output);
            try
            {
                using var response = await Http.GetAsync("/health");
                last = await response.Content.ReadAsStringAsync();
                if (last == "Healthy")
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        return last ?? throw new TimeoutException("the sample did not answer /health within 60 s:\n" + Output);
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>The address Kestrel logs ("Now listening on: http://127.0.0.1:PORT").</summary>
    private async Task<string> ListeningAddressAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var match = System.Text.RegularExpressions.Regex.Match(Output, @"Now listening on: (http://127\.0\.0\.1:[0-9]+)");
            if (match.Success)
            {
                return match.Groups[1].Value;
            }

            Assert.False(_process.HasExited, "the sample exited:\n" + Output);
            await Task.Delay(100);
        }

        throw new TimeoutException("the sample did not say where it listens within 60 s:\n" + Output);
    }
}
