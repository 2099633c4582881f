namespace HogGuard.Emulator;

/// <summary>
/// PostHog Cloud's app host (<c>us.posthog.com</c>) does not serve capture or flags: an unrouted
/// path falls to Django's catch-all, which sends a browser to <c>/login</c> (<c>posthog/urls.py</c>),
/// and the login page answers 200 with HTML. On the ports in <see cref="EmulatorState.AppOnlyPorts"/>
/// the emulator answers ingestion paths that way, so a client that follows redirects or takes any
/// 200 as success is caught.
/// </summary>
internal static class AppHost
{
    private static readonly string[] IngestionPaths = ["/batch", "/i/v0/e", "/e", "/capture", "/flags", "/decide"];

    public static void Map(WebApplication app) =>
        app.MapGet("/login", () => Results.Content(
            "<!DOCTYPE html><html lang=\"en\"><head><title>PostHog</title></head><body><div id=\"root\">Log in to PostHog</div></body></html>",
            "text/html; charset=utf-8"));

    public static Task RedirectIngestionAsync(HttpContext context, EmulatorState state, Func<Task> next)
    {
        var path = context.Request.Path.Value ?? "/";
        if (!state.AppOnlyPorts.Contains(context.Connection.LocalPort)
            || !IngestionPaths.Any(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal)))
        {
            return next();
        }

        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = "/login?next=" + Uri.EscapeDataString(path + context.Request.QueryString);
        return Task.CompletedTask;
    }
}
