namespace StackScope.Server.Ingest;

/// <summary>
/// Where a field sits in a report: at the top (<c>""</c>) or in an array's element (<c>container_stats[3].</c>).
/// Turned into text only when a message names it: a report that passes allocates none of its field names.
/// </summary>
internal readonly struct FieldPath(string? array, int index)
{
    public static FieldPath Top => default;

    /// <summary>The element itself, without the trailing dot: <c>container_stats[3]</c>.</summary>
    public string Element => $"{array}[{index}]";

    public FieldName Name(string name) => new(this, name);

    public override string ToString() => array is null ? "" : Element + ".";
}

/// <summary>A field at a <see cref="FieldPath"/>: <c>container_stats[3].con_cpu_percent</c>, as text only when a message names it.</summary>
internal readonly struct FieldName(FieldPath at, string name)
{
    public static implicit operator FieldName(string topLevel) => new(FieldPath.Top, topLevel);

    public override string ToString() => $"{at}{name}";
}
