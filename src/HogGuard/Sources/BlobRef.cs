namespace HogGuard.Sources;

/// <summary>A blob to read: its object id and the path rev-list first named it by.</summary>
internal readonly record struct BlobRef(string Id, string Path);
