using StackScope.Contracts;
using StackScope.Tests.Common;

namespace StackScope.Server.Tests;

/// <summary>Bodies refused before any field is read: framing, encoding and media type.</summary>
public static class BadBodies
{
    public static TheoryData<string, string, string, int, string> All() => new()
    {
        { "malformed", "application/json", """{"engine_type":"docker",""", 400, ResultCodes.MalformedJson },
        { "empty body", "application/json", "", 400, ResultCodes.MalformedJson },
        { "trailing garbage", "application/json", Reports.SeedRequest + "}", 400, ResultCodes.MalformedJson },
        { "duplicate property", "application/json", """{"agent_id":"a","agent_id":"b"}""", 400, ResultCodes.MalformedJson },
        { "deep nesting", "application/json", new string('[', 500) + new string(']', 500), 400, ResultCodes.MalformedJson },
        { "array body", "application/json", "[]", 400, ResultCodes.WrongType },
        { "text/plain", "text/plain", Reports.SeedRequest, 415, ResultCodes.UnsupportedMediaType },
        { "form", "application/x-www-form-urlencoded", "a=b", 415, ResultCodes.UnsupportedMediaType },
        { "latin1 charset", "application/json; charset=iso-8859-1", Reports.SeedRequest, 415, ResultCodes.UnsupportedMediaType },
    };
}
