using HogGuard.Keys;

namespace HogGuard.Tests.Architecture;

/// <summary>
/// Dependencies between the namespaces of HogGuard.Core flow one way: a namespace uses only those in
/// lower layers, read from the compiled assembly (see <see cref="NamespaceGraph"/>). A new namespace
/// must be placed in a layer before it builds green.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>Lowest first. Within a layer, namespaces do not use each other.</summary>
    private static readonly string[][] Layers =
    [
        ["Keys", "IO"],                                    // token formats, masking, scopes; files done safely
        ["Telemetry"],                                     // the activity source and meter (keys appear by fingerprint prefix)
        ["Detection", "SecretStores", "PostHogApi", "Webhooks"], // finding secrets; where keys live; PostHog's API; signatures
        ["Configuration", "Liveness", "Audit"],            // hogguard.yml as records; is a found key live; the audit log
        ["Sources", "Policy", "Rotation"],                 // what is scanned; key audits; rotation
        ["Reports", "Setup"],                              // scan reports; hogguard init
        ["Checklist"],                                     // the whole checklist, over everything
    ];

    [Fact]
    public void NamespacesOfTheCore_UseOnlyLowerLayers()
    {
        var edges = NamespaceGraph.Build(typeof(ScopeSet).Assembly, "HogGuard");
        Assert.Empty(Violations(edges));
    }

    [Fact]
    public void EveryNamespaceOfTheCore_HasALayer()
    {
        var placed = Layers.SelectMany(l => l).ToHashSet();
        var present = typeof(ScopeSet).Assembly.GetTypes()
            .Select(t => t.Namespace)
            .Where(ns => ns is not null && ns.StartsWith("HogGuard.", StringComparison.Ordinal))
            .Select(ns => ns!["HogGuard.".Length..].Split('.')[0])
            .ToHashSet();
        Assert.Empty(present.Except(placed));
        Assert.Empty(placed.Except(present));
    }

    [Fact]
    public void Violations_NameABackEdgeAndAnEdgeWithinALayer()
    {
        var edges = new Dictionary<(string, string), string>
        {
            [("Reports", "Detection")] = "fine",
            [("Keys", "Detection")] = "Keys.X uses Detection.Y",
            [("Policy", "Rotation")] = "Policy.A uses Rotation.B",
        };
        Assert.Equal(
            ["Keys -> Detection: Keys.X uses Detection.Y", "Policy -> Rotation: Policy.A uses Rotation.B"],
            Violations(edges));
    }

    private static List<string> Violations(Dictionary<(string From, string To), string> edges)
    {
        int LayerOf(string ns) => Array.FindIndex(Layers, l => l.Contains(ns));
        return [.. edges
            .Where(e => LayerOf(e.Key.From) <= LayerOf(e.Key.To))
            .Select(e => $"{e.Key.From} -> {e.Key.To}: {e.Value}")
            .Order(StringComparer.Ordinal)];
    }
}
