namespace StackScope.Server.Storage;

/// <summary>One wire field of <typeparamref name="T"/> and the column that keeps it; the column is named as the field.</summary>
internal sealed record StoredField<T>(string Column, Func<T, object?> Value, bool IsTime = false);
