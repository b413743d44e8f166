using System.Globalization;
using System.Text;

namespace StackScope.Server.Storage;

/// <summary>
/// The text of a statement that writes many rows at once (<c>INSERT</c> at ingest, <c>REPLACE</c> in a rollup):
/// <c>VERB INTO table(a,b) VALUES (@p0,@p1),(@p2,@p3)</c>, its parameters numbered row by row.
/// </summary>
internal static class MultiRowStatement
{
    private static readonly string[] Names = Enumerable.Range(0, SqlDialect.MostParametersPerStatement + 64)
        .Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The name of the statement's <paramref name="index"/>th parameter (row by row, column by column).</summary>
    public static string ParameterName(int index) =>
        index < Names.Length ? Names[index] : "@p" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The statement for <paramref name="rows"/> rows, open to a dialect's ending (e.g. how it skips duplicates).</summary>
    public static StringBuilder Build(string verb, string table, IReadOnlyList<string> columns, int rows)
    {
        var sql = new StringBuilder(64 + (rows * columns.Count * 8));
        sql.Append(verb).Append(" INTO ").Append(table).Append('(').AppendJoin(',', columns).Append(") VALUES ");
        var index = 0;
        for (var row = 0; row < rows; row++)
        {
            sql.Append(row == 0 ? "(" : ",(");
            for (var column = 0; column < columns.Count; column++)
            {
                sql.Append(column == 0 ? "" : ",").Append(ParameterName(index++));
            }

            sql.Append(')');
        }

        return sql;
    }
}
