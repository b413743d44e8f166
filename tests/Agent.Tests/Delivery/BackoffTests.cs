using StackScope.Agent.Delivery;

namespace StackScope.Agent.Tests.Delivery;

public sealed class BackoffTests
{
    [Fact]
    public void Each_delay_lies_in_the_upper_half_of_a_doubling_ceiling_capped_at_60_s()
    {
        var backoff = new Backoff(new Random(7));
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var ceiling = Math.Min(60, Math.Pow(2, attempt));
            Assert.InRange(backoff.Next(null).TotalSeconds, ceiling / 2, ceiling);
        }
    }

    [Fact]
    public void Retry_After_is_a_floor_but_never_beyond_the_cap()
    {
        var backoff = new Backoff(new Random(7));
        Assert.Equal(TimeSpan.FromSeconds(30), backoff.Next(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(60), backoff.Next(TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Reset_starts_again_from_one_second()
    {
        var backoff = new Backoff(new Random(7));
        for (var i = 0; i < 8; i++)
        {
            backoff.Next(null);
        }

        backoff.Reset();
        Assert.InRange(backoff.Next(null).TotalSeconds, 0.5, 1);
    }

    [Fact]
    public void Agents_that_failed_together_spread_out()
    {
        var delays = Enumerable.Range(0, 20).Select(seed =>
        {
            var backoff = new Backoff(new Random(seed));
            for (var i = 0; i < 5; i++)
            {
                backoff.Next(null);
            }

            return backoff.Next(null);
        }).Distinct().Count();

        Assert.True(delays > 15, $"only {delays} distinct delays among 20 agents");
    }
}
