using System.Text;
using StackScope.Server.Storage;
using StackScope.Server.Storage.MySql;

namespace StackScope.Server.Tests;

/// <summary>
/// The text MariaDB's LOAD DATA reads a batch from. The ingest suite stores it on a real MariaDB and reads it back; here,
/// the exact bytes of the forms that suite's data does not reach (NUL, carriage return, a NaN-free double's shortest
/// form, microseconds), and the refusal of a type without a text form.
/// </summary>
public sealed class TabSeparatedRowsTests
{
    [Fact]
    public void Each_value_has_its_load_data_text_form()
    {
        object?[][] rows =
        [
            ["a\\b\tc\nd\re\0f é 🐳", 0.1 + 0.2, long.MaxValue, -7, true, new DateTime(2026, 11, 27, 8, 5, 3, 123, 456)],
            [null, 1e-7, 0L, 0, false, new DateTime(2024, 8, 30, 12, 59, 41)],
            ["", -0.5, -1L, int.MinValue, true, new DateTime(9999, 12, 31, 23, 59, 59).AddTicks(9_999_999)],
        ];

        using var text = TabSeparatedRows.Write(Rows(rows, "s", "d", "l", "i", "b", "t"));

        Assert.Equal(
            "a\\\\b\\tc\\nd\\re\\0f é 🐳\t0.30000000000000004\t9223372036854775807\t-7\t1\t2026-11-27 08:05:03.123456\n" +
            "\\N\t1E-07\t0\t0\t0\t2024-08-30 12:59:41.000000\n" +
            "\t-0.5\t-1\t-2147483648\t1\t9999-12-31 23:59:59.999999\n",
            Encoding.UTF8.GetString(text.ToArray()));
    }

    [Fact]
    public void A_type_without_a_text_form_is_refused_not_guessed()
    {
        Assert.Throws<NotSupportedException>(() => TabSeparatedRows.Write(Rows([[Guid.NewGuid()]], "g")));
    }

    // As the report writer builds them: null stored as DBNull.
    private static StoredRows<object?[]> Rows(object?[][] rows, params string[] columns) =>
        new([.. columns.Select((name, i) => new StoredField<object?[]>(name, row => row[i]))], rows, receivedAt: null,
            (field, row) => field.Value(row) ?? DBNull.Value);
}
