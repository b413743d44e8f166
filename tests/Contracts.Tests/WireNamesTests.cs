namespace StackScope.Contracts.Tests;

public class WireNamesTests
{
    [Theory]
    [InlineData("web", true)]
    [InlineData(" web", true)]
    [InlineData("a%2Fb", true)]
    [InlineData("web ", false)]
    [InlineData("a/b", false)]
    [InlineData("..", false)]
    [InlineData("a\rb", false)]
    [InlineData("", false)]
    public void The_rule_accepts_and_refuses(string name, bool valid) =>
        Assert.Equal(valid, WireNames.Problem(name, isContainerName: true) is null);

    [Fact]
    public void A_slash_is_fine_in_a_node_name() => Assert.Null(WireNames.Problem("rack/1", isContainerName: false));

    [Theory]
    [InlineData("web")]
    [InlineData("a%2Fb")]
    public void A_valid_name_is_sent_as_it_is(string name) => Assert.Same(name, WireNames.Fit(name, isContainerName: true));

    [Theory]
    [InlineData(300)]
    [InlineData(256)]
    public void A_long_name_becomes_a_stable_distinct_stand_in_that_keeps_the_rule(int length)
    {
        var name = new string('a', length);
        var other = new string('a', length - 1) + "b";

        var fitted = WireNames.Fit(name, isContainerName: true);

        Assert.Equal(WireNames.MaxLength, fitted.Length);
        Assert.Null(WireNames.Problem(fitted, isContainerName: true));
        Assert.Equal(fitted, WireNames.Fit(new string('a', length), isContainerName: true));
        Assert.NotEqual(fitted, WireNames.Fit(other, isContainerName: true));
    }

    [Theory]
    [InlineData("web ")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("x\u0001y")]
    public void Other_broken_names_are_mended_the_same_way(string name)
    {
        var fitted = WireNames.Fit(name, isContainerName: true);
        Assert.Null(WireNames.Problem(fitted, isContainerName: true));
        Assert.Contains('~', fitted);
    }
}
