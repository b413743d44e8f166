using System.Collections;
using System.Data.Common;

namespace StackScope.Server.Storage;

/// <summary>
/// A batch's rows of one table as a forward-only reader, for a provider's bulk load, which asks only for the
/// field count, the names and each row's values. The batch's arrival time, where the table keeps one, is
/// the last field.
/// </summary>
internal sealed class StoredRowReader<T>(IReadOnlyList<StoredField<T>> fields, IReadOnlyList<T> rows, object? receivedAt, Func<StoredField<T>, T, object> value)
    : DbDataReader
{
    private int _row = -1;

    public override int FieldCount => fields.Count + (receivedAt is null ? 0 : 1);

    public override bool Read() => ++_row < rows.Count;

    public override object GetValue(int ordinal) => ordinal == fields.Count ? receivedAt! : value(fields[ordinal], rows[_row]);

    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var count = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }

        return count;
    }

    public override string GetName(int ordinal) => ordinal == fields.Count ? ReportColumns.ReceivedAt : fields[ordinal].Column;

    public override bool IsDBNull(int ordinal) => GetValue(ordinal) is DBNull;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override int GetOrdinal(string name)
    {
        for (var i = 0; i < FieldCount; i++)
        {
            if (GetName(i) == name)
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(name), name, "no such field");
    }

    public override bool HasRows => rows.Count > 0;

    public override bool IsClosed => false;

    public override int RecordsAffected => -1;

    public override int Depth => 0;

    public override bool NextResult() => false;

    public override IEnumerator GetEnumerator() => new DbEnumerator(this);

    public override Type GetFieldType(int ordinal) => typeof(object);

    public override string GetDataTypeName(int ordinal) => nameof(Object);

    // A bulk load reads values whole: the typed getters are not asked for.
    public override bool GetBoolean(int ordinal) => (bool)GetValue(ordinal);

    public override byte GetByte(int ordinal) => (byte)GetValue(ordinal);

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

    public override char GetChar(int ordinal) => (char)GetValue(ordinal);

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

    public override DateTime GetDateTime(int ordinal) => (DateTime)GetValue(ordinal);

    public override decimal GetDecimal(int ordinal) => (decimal)GetValue(ordinal);

    public override double GetDouble(int ordinal) => (double)GetValue(ordinal);

    public override float GetFloat(int ordinal) => (float)GetValue(ordinal);

    public override Guid GetGuid(int ordinal) => (Guid)GetValue(ordinal);

    public override short GetInt16(int ordinal) => (short)GetValue(ordinal);

    public override int GetInt32(int ordinal) => (int)GetValue(ordinal);

    public override long GetInt64(int ordinal) => (long)GetValue(ordinal);

    public override string GetString(int ordinal) => (string)GetValue(ordinal);
}
