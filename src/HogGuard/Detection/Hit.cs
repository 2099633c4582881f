namespace HogGuard.Detection;

/// <summary>One sighting, before sightings of the same secret are merged into a <see cref="Finding"/>.</summary>
/// <remarks>For history scans, <c>BlobId</c> names the git blob the sighting is in; its commit is looked up afterwards.</remarks>
internal sealed record Hit(Rule Rule, string Kind, string Fingerprint, string Masked, Location Location, string? BlobId = null)
{
    /// <summary>The secret, kept for verification; reports show only the mask and fingerprint.</summary>
    public Keys.PostHogSecret? Secret { get; init; }

    /// <summary>A severity other than the rule's, decided from what else the file holds; null for the rule's.</summary>
    public Severity? SeverityOverride { get; init; }

    /// <summary>What exactly was seen, when the rule's title is not enough.</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// Inside an archive: the member's path below the outermost file (<c>lib/app.jar!config.yml</c>),
    /// so a history sighting placed at another path of the same blob keeps it.
    /// </summary>
    public string? Member { get; init; }

    /// <summary><paramref name="path"/> with this sighting's member path after it, when it was inside an archive.</summary>
    public string PathWithMember(string path) => Member is null ? path : $"{path}!{Member}";
}
