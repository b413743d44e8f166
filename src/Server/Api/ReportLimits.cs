namespace StackScope.Server.Api;

/// <summary>Lengths the wire allows, shared by ingest validation and query parameters.</summary>
internal static class ReportLimits
{
    public const int MaxNameLength = Contracts.WireNames.MaxLength;
    public const int MaxStatusLength = 32;
}
