using StackScope.Contracts;
using StackScope.Server.Api;

namespace StackScope.Server.Alerts;

/// <summary>An invalid rule, channel or silence: the message starts with the field, e.g. <c>rules[2].threshold: ...</c>.</summary>
internal static class RuleProblem
{
    public static ApiProblemException At(string field, string message) =>
        new(StatusCodes.Status400BadRequest, ResultCodes.InvalidRule, $"{field}: {message}");
}
