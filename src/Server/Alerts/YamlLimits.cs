using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace StackScope.Server.Alerts;

/// <summary>
/// Checks a YAML text with YamlDotNet's event parser (a state machine: no recursion) before its representation model
/// (which recurses per level and hashes keys by their whole content) sees it: at most <see cref="MaxDepth"/> levels of
/// nesting, mapping keys that are plain text (a key that is an alias of a nested anchor costs its whole expansion on
/// every hash), and aliases that expand to at most <see cref="MaxExpandedSize"/> (nodes plus text characters),
/// so a small body cannot stand for gigabytes of rules.
/// </summary>
internal static class YamlLimits
{
    public const int MaxDepth = 64;
    public const long MaxExpandedSize = 1_000_000;

    public static void Check(string text, string what)
    {
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new Stack<Frame>();
        var parser = new Parser(new StringReader(text));
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case Scalar scalar:
                    Child(open, what, isText: true);
                    Completed(open, anchors, scalar.Anchor, 1 + scalar.Value.Length, what);
                    break;
                case AnchorAlias alias:
                    Child(open, what, isText: false);
                    Completed(open, anchors, AnchorName.Empty, anchors.GetValueOrDefault(alias.Value.Value, 1), what);
                    break;
                case MappingStart mapping:
                    Child(open, what, isText: false);
                    Open(open, new Frame(mapping.Anchor, IsMapping: true), what);
                    break;
                case SequenceStart sequence:
                    Child(open, what, isText: false);
                    Open(open, new Frame(sequence.Anchor, IsMapping: false), what);
                    break;
                case MappingEnd or SequenceEnd:
                    var done = open.Pop();
                    Completed(open, anchors, done.Anchor, done.Size + 1, what);
                    break;
            }
        }
    }

    private static void Open(Stack<Frame> open, Frame frame, string what)
    {
        if (open.Count >= MaxDepth)
        {
            throw RuleProblem.At(what, $"nested deeper than {MaxDepth} levels");
        }

        open.Push(frame);
    }

    // A node begins inside the innermost open collection: in a mapping, every other one is a key.
    private static void Child(Stack<Frame> open, string what, bool isText)
    {
        if (open.Count == 0 || !open.Peek().IsMapping)
        {
            return;
        }

        var frame = open.Peek();
        if (frame.ExpectingKey && !isText)
        {
            throw RuleProblem.At(what, "a mapping key must be plain text, not a list, a mapping or an alias");
        }

        frame.ExpectingKey = !frame.ExpectingKey;
    }

    private static void Completed(Stack<Frame> open, Dictionary<string, long> anchors, AnchorName anchor, long size, string what)
    {
        size = Math.Min(size, MaxExpandedSize + 1);
        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = size;
        }

        if (open.Count > 0)
        {
            var parent = open.Peek();
            parent.Size = Math.Min(parent.Size + size, MaxExpandedSize + 1);
            size = parent.Size;
        }

        if (size > MaxExpandedSize)
        {
            throw RuleProblem.At(what, $"expands to more than {MaxExpandedSize:N0} nodes and characters through its anchors and aliases");
        }
    }

    private sealed class Frame(AnchorName anchor, bool IsMapping)
    {
        public AnchorName Anchor { get; } = anchor;
        public bool IsMapping { get; } = IsMapping;
        public bool ExpectingKey { get; set; } = true;
        public long Size { get; set; }
    }
}
