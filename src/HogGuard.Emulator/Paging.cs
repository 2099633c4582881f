using System.Globalization;
using System.Text.Json.Serialization.Metadata;

namespace HogGuard.Emulator;

/// <summary>
/// PostHog's list answers (<c>posthog/settings/web.py</c>: <c>LimitOffsetPagination</c>, page size
/// 100): <c>{"count","next","previous","results"}</c>, where <c>next</c> and <c>previous</c> are
/// absolute URLs carrying <c>limit</c> and <c>offset</c>, null at either end.
/// </summary>
internal static class Paging
{
    public const int PageSize = 100;

    public static IResult Page<T>(HttpContext context, IReadOnlyList<T> all, JsonTypeInfo<PageBody<T>> type)
    {
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : PageSize;
        var offset = int.TryParse(query["offset"], NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var results = all.Skip(offset).Take(limit).ToList();
        var next = offset + limit < all.Count ? Link(context, limit, offset + limit) : null;
        var previous = offset <= 0 ? null : Link(context, limit, Math.Max(0, offset - limit));
        return Results.Json(new PageBody<T>(all.Count, next, previous, results), type);
    }

    private static string Link(HttpContext context, int limit, int offset)
    {
        var request = context.Request;
        return string.Create(CultureInfo.InvariantCulture, $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?limit={limit}&offset={offset}");
    }
}

internal sealed record PageBody<T>(int Count, string? Next, string? Previous, List<T> Results);
