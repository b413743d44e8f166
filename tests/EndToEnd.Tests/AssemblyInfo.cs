// Real processes compete for two cores: CPU figures are compared with docker stats only while nothing
// else in this assembly runs (a browser or a second agent would shift a busy loop's share).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
