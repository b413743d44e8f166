using System.Buffers;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StackScope.Server.Ingest;

/// <summary>
/// The known fields of one kind of JSON object (a report, a container...), found in one walk over an object's
/// properties. Looking each field up by name walked them all again, for every field: 6 % of the server's CPU at the
/// ingest maximum (BENCHMARKS.md, "The report reader"). Unknown fields are passed over; duplicates never get here
/// (the document refuses them).
/// </summary>
internal sealed class ObjectFields
{
    private readonly byte[][] _utf8;
    private readonly FrozenDictionary<string, int> _index;

    private ObjectFields(IReadOnlyList<string> names)
    {
        _utf8 = [.. names.Select(Encoding.UTF8.GetBytes)];
        _index = names.Select((name, i) => (name, i)).ToFrozenDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>The wire fields of a contract type, in the order the agent writes them (its declaration order).</summary>
    public static ObjectFields Of(JsonTypeInfo contract) => new([.. contract.Properties.Select(p => p.Name)]);

    /// <summary>The object's values of the known fields; a field it lacks reads as <see cref="JsonValueKind.Undefined"/>.</summary>
    public Found Walk(JsonElement element)
    {
        var values = ArrayPool<JsonElement>.Shared.Rent(_utf8.Length);
        Array.Clear(values, 0, _utf8.Length);
        var next = 0;
        foreach (var property in element.EnumerateObject())
        {
            var at = IndexOf(property, next);
            if (at >= 0)
            {
                values[at] = property.Value;
                next = at + 1;
            }
        }

        return new Found(this, values);
    }

    // Agents write the fields in one order, leaving out those they have no value for: the search starts after the last
    // field found and wraps around.
    private int IndexOf(JsonProperty property, int next)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        for (var n = 0; n < _utf8.Length; n++)
        {
            var i = (next + n) % _utf8.Length;
            if (raw.SequenceEqual(_utf8[i]))
            {
                return i;
            }
        }

        // A name written with escapes (legal, if odd) is compared as the text it stands for.
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            for (var i = 0; i < _utf8.Length; i++)
            {
                if (property.NameEquals(_utf8[i]))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>One object's values, by field name; hand the array back with <see cref="Dispose"/>.</summary>
    public readonly struct Found(ObjectFields fields, JsonElement[] values) : IDisposable
    {
        public JsonElement this[string name] => values[fields._index[name]];

        public void Dispose() => ArrayPool<JsonElement>.Shared.Return(values, clearArray: true);
    }
}
