using System.Collections.Concurrent;

namespace HogGuard.Detection;

/// <summary>Collects sightings from many threads and merges them: one finding per rule and fingerprint.</summary>
internal sealed class FindingSet
{
    private readonly ConcurrentQueue<Hit> _hits = new();
    private readonly ConcurrentQueue<string> _notes = new();

    public void Add(Hit hit) => _hits.Enqueue(hit);

    /// <summary>Something a report should say about how the content was read (an archive limit reached, ...).</summary>
    public void AddNote(string note) => _notes.Enqueue(note);

    public IReadOnlyCollection<string> Notes => _notes;

    public bool IsEmpty => _hits.IsEmpty;

    public IReadOnlyCollection<Hit> Hits => _hits;

    /// <summary>
    /// Merges sightings. In history, the same secret carried through many edits of one file is one
    /// location: the earliest commit that brought it into that path.
    /// </summary>
    /// <param name="allCommits">Keep one location per commit at each path (history), instead of the earliest.</param>
    public static List<Finding> Merge(IEnumerable<Hit> hits, bool allCommits = false)
    {
        var findings = new List<Finding>();
        foreach (var group in hits.GroupBy(h => (h.Rule.Id, h.Fingerprint)))
        {
            var first = group.First();
            var locations = group
                .Select(h => h.Location)
                .GroupBy(l => l.Commit is null ? (l.Path, l.Line, l.Column, (string?)null) : (l.Path, (int?)null, (int?)null, allCommits ? l.Commit : null))
                .Select(g => g.OrderBy(l => l.Date ?? DateTimeOffset.MaxValue).ThenBy(l => l.Commit, StringComparer.Ordinal).First())
                .OrderBy(l => l.Date ?? DateTimeOffset.MinValue)
                .ThenBy(l => l.Path, StringComparer.Ordinal)
                .ThenBy(l => l.Line)
                .ThenBy(l => l.Column)
                .ToList();
            // A finding is as severe as its most severe sighting (one env file may hold a secret in one commit and not in another).
            var severest = group.MaxBy(h => h.SeverityOverride ?? h.Rule.Severity)!;
            findings.Add(new Finding(first.Rule, first.Kind, first.Fingerprint, first.Masked, locations)
            {
                Secret = first.Secret,
                SeverityOverride = severest.SeverityOverride,
                Detail = severest.Detail,
            });
        }

        return findings
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => f.Rule.Id, StringComparer.Ordinal)
            .ThenBy(f => f.Locations.Count > 0 ? f.Locations[0].Path : string.Empty, StringComparer.Ordinal)
            .ThenBy(f => f.Fingerprint, StringComparer.Ordinal)
            .ToList();
    }
}
