using StackScope.Agent.Engines.Docker;

namespace StackScope.Agent.Tests;

public class DockerStatusTextTests
{
    [Theory]
    [InlineData("Up 2 minutes", "Up 3 minutes", false)]                         // only older
    [InlineData("Up 59 minutes", "Up About an hour", false)]
    [InlineData("Up Less than a second", "Up 10 seconds", false)]
    [InlineData("Up 3 hours (healthy)", "Up 3 hours (unhealthy)", true)]         // health turned
    [InlineData("Up 2 minutes", "Up 5 seconds", true)]                          // restarted between two samples
    [InlineData("Up 2 minutes", "Up 2 minutes (Paused)", true)]
    [InlineData("Up 2 minutes", "Exited (137) 1 second ago", true)]
    [InlineData("Exited (3) 2 minutes ago", "Exited (3) 3 seconds ago", true)]   // ran and exited again
    [InlineData("Exited (3) 2 minutes ago", "Exited (3) 3 minutes ago", false)]
    [InlineData("Restarting (1) 2 seconds ago", "Up Less than a second", true)]
    [InlineData("Created", "Created", false)]
    public void Inspect_is_asked_again_only_when_the_listed_status_tells_of_a_change(string before, string now, bool changed) =>
        Assert.Equal(changed, DockerStatusText.Changed(before, now));
}
