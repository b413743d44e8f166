namespace StackScope.Server.Storage;

/// <summary>
/// A batch's rows of one table for a provider's bulk load: the columns' names and each row's values as stored. The
/// batch's arrival time, where the table keeps one, is the last column.
/// </summary>
internal abstract class StoredRows
{
    public abstract IReadOnlyList<string> Columns { get; }

    public abstract int Count { get; }

    public abstract object Value(int row, int column);
}

internal sealed class StoredRows<T>(IReadOnlyList<StoredField<T>> fields, IReadOnlyList<T> rows, object? receivedAt, Func<StoredField<T>, T, object> value)
    : StoredRows
{
    public override IReadOnlyList<string> Columns { get; } =
        [.. fields.Select(f => f.Column), .. receivedAt is null ? Array.Empty<string>() : [ReportColumns.ReceivedAt]];

    public override int Count => rows.Count;

    public override object Value(int row, int column) => column == fields.Count ? receivedAt! : value(fields[column], rows[row]);
}
