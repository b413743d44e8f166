using StackScope.Server.Storage;

namespace StackScope.Server.Tests.Storage;

/// <summary>The write path's statement sizes: every row once, and few shapes (each shape is a prepared statement per connection).</summary>
public sealed class StatementRowsTests
{
    [Theory]
    [InlineData(200)]
    [InlineData(166)]
    [InlineData(1)]
    public void Rows_split_into_full_statements_then_powers_of_two(int perStatement)
    {
        var shapes = new HashSet<int>();
        for (var total = 1; total <= 2000; total++)
        {
            var statements = new List<int>();
            for (var left = total; left > 0;)
            {
                var rows = SqlReportWriter.StatementRows(left, perStatement);
                Assert.InRange(rows, 1, Math.Min(left, perStatement));
                statements.Add(rows);
                left -= rows;
            }

            Assert.Equal(total, statements.Sum());
            // The remainder after full statements takes one statement per set bit: at most 8 below 256.
            Assert.True(statements.Count <= (total / perStatement) + 8, $"{total} rows took {statements.Count} statements");
            shapes.UnionWith(statements);
        }

        Assert.True(shapes.Count <= 9, $"{shapes.Count} statement shapes: {string.Join(',', shapes.Order())}");
        Assert.Contains(perStatement, shapes);
    }
}
