using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace StackScope.Server.Storage.MySql;

/// <summary>
/// A batch's rows as the text <c>LOAD DATA ... FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'</c>
/// reads: NULL as <c>\N</c>, the escape, tab, newline, carriage return and NUL characters escaped, numbers and times in
/// the invariant forms MySqlConnector's text protocol sends for parameters. Written by hand because MySqlBulkCopy, which
/// formats the same text, first reads the table's columns: one round trip per table in every batch.
/// </summary>
internal static class TabSeparatedRows
{
    // Per writer thread: a batch's text reaches a few hundred KB, and a fresh buffer each batch would be a large-object
    // allocation (a full GC's trigger) every time. One grown past this by an outsized batch is not kept.
    private const int MaxKeptBytes = 8 * 1024 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    /// <summary>The rows' text, read from the calling thread's buffer: valid until the thread's next call.</summary>
    public static MemoryStream Write(StoredRows rows)
    {
        if (_buffer is { Capacity: > MaxKeptBytes })
        {
            _buffer = null; // the stream of the thread's last call, its only other holder, is done with
        }

        var buffer = _buffer ??= new ArrayBufferWriter<byte>(64 * 1024);
        buffer.ResetWrittenCount();
        var columns = rows.Columns.Count;
        for (var row = 0; row < rows.Count; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                if (column > 0)
                {
                    Put(buffer, (byte)'\t');
                }

                WriteValue(buffer, rows.Value(row, column));
            }

            Put(buffer, (byte)'\n');
        }

        MemoryMarshal.TryGetArray(buffer.WrittenMemory, out var written);
        return new MemoryStream(written.Array!, written.Offset, written.Count, writable: false);
    }

    private static void WriteValue(ArrayBufferWriter<byte> buffer, object value)
    {
        switch (value)
        {
            case DBNull or null:
                buffer.Write("\\N"u8);
                break;
            case string text:
                WriteText(buffer, text);
                break;
            case double or float or long or int:
                Format(buffer, (IUtf8SpanFormattable)value);
                break;
            case bool flag:
                Put(buffer, flag ? (byte)'1' : (byte)'0');
                break;
            case DateTime time:
                WriteTime(buffer, time);
                break;
            default:
                // A new column's type must be added here, not guessed: a wrong text form would store a wrong value.
                throw new NotSupportedException($"no LOAD DATA text form for a {value.GetType().Name}");
        }
    }

    private static void WriteText(ArrayBufferWriter<byte> buffer, string text)
    {
        var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length) * 2);
        var bytes = Encoding.UTF8.GetBytes(text, span);
        // UTF-8 never puts these bytes inside a multi-byte character, so escaping the bytes escapes the characters.
        var escapes = 0;
        foreach (var b in span[..bytes])
        {
            escapes += b is (byte)'\\' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0 ? 1 : 0;
        }

        if (escapes == 0)
        {
            buffer.Advance(bytes);
            return;
        }

        // Escape in place from the end: each escaped byte takes two.
        var written = bytes + escapes - 1;
        for (var read = bytes - 1; read >= 0; read--)
        {
            var b = span[read];
            var escaped = b switch
            {
                (byte)'\\' => (byte)'\\',
                (byte)'\t' => (byte)'t',
                (byte)'\n' => (byte)'n',
                (byte)'\r' => (byte)'r',
                0 => (byte)'0',
                _ => (byte)0xFF,
            };
            if (escaped == 0xFF)
            {
                span[written--] = b;
            }
            else
            {
                span[written--] = escaped;
                span[written--] = (byte)'\\';
            }
        }

        buffer.Advance(bytes + escapes);
    }

    // DATETIME's text form, yyyy-MM-dd HH:mm:ss.ffffff, as MySqlConnector sends a DateTime parameter; digit by digit, as
    // the culture-aware custom format was a percent of the server's CPU at the ingest maximum.
    private static void WriteTime(ArrayBufferWriter<byte> buffer, DateTime time)
    {
        ReadOnlySpan<int> values = [time.Year, time.Month, time.Day, time.Hour, time.Minute, time.Second,
            (int)(time.Ticks % TimeSpan.TicksPerSecond / 10)];
        ReadOnlySpan<byte> widths = [4, 2, 2, 2, 2, 2, 6];
        var separators = "-- ::."u8;
        var span = buffer.GetSpan(26);
        var at = 0;
        for (var i = 0; i < values.Length; i++)
        {
            Digits(span, at, widths[i], values[i]);
            at += widths[i];
            if (i < separators.Length)
            {
                span[at++] = separators[i];
            }
        }

        buffer.Advance(at);
    }

    private static void Digits(Span<byte> span, int start, int count, int value)
    {
        for (var i = start + count - 1; i >= start; i--)
        {
            span[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    // Numbers in their shortest round-trip form, as MySqlConnector writes a parameter's value.
    private static void Format<TValue>(ArrayBufferWriter<byte> buffer, TValue value)
        where TValue : IUtf8SpanFormattable
    {
        if (!value.TryFormat(buffer.GetSpan(64), out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"{value} did not fit its text form's 64 bytes");
        }

        buffer.Advance(written);
    }

    private static void Put(ArrayBufferWriter<byte> buffer, byte b)
    {
        buffer.GetSpan(1)[0] = b;
        buffer.Advance(1);
    }
}
