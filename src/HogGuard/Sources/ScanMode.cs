namespace HogGuard.Sources;

/// <summary>What a scan reads.</summary>
public enum ScanMode
{
    /// <summary>Files under a folder: tracked and not-ignored untracked files of a git work tree, or every file.</summary>
    WorkingTree,

    /// <summary>Every unique blob reachable from any ref of a repository.</summary>
    History,

    /// <summary>Lines the next commit would add.</summary>
    Staged,

    /// <summary>Standard input (or any stream).</summary>
    Stream,
}
