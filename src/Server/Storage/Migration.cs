namespace StackScope.Server.Storage;

/// <summary>One versioned schema step. Versions only grow; a released step is never edited.</summary>
internal sealed record Migration(int Version, string Name, IReadOnlyList<string> Statements);
