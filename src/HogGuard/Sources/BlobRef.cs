namespace HogGuard.Sources;

/// <summary>A blob to read: its object id and the path the listing first saw it at.</summary>
internal readonly record struct BlobRef(string Id, string Path);
