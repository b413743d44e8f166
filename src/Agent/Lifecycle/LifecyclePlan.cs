using StackScope.Agent.Engines;
using StackScope.Contracts;

namespace StackScope.Agent.Lifecycle;

/// <summary>A report's events and the tracker state that holds once the report is spooled.</summary>
internal sealed record LifecyclePlan(
    string Engine, IReadOnlyList<ContainerEvent> Events, IReadOnlyList<(string Engine, EngineEvent Event)> Consumed, EngineLifecycleState State, long AtNano,
    bool Changed);
