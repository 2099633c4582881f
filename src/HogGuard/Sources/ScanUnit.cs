namespace HogGuard.Sources;

/// <summary>What a scan reads one at a time, so statistics name it rightly.</summary>
public enum ScanUnit
{
    /// <summary>Files of a working tree, or staged files.</summary>
    Files,

    /// <summary>Git blobs, each read once however many paths and commits hold it.</summary>
    Blobs,

    /// <summary>One stream, such as standard input.</summary>
    Input,
}
