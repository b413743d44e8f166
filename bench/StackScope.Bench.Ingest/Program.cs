using StackScope.Bench.Ingest;

// ingest-bench load --url URL [--seconds 20] [--agents 200] [--containers 10] [--concurrency 64] [--rate R] [--warmup 3]
// ingest-bench baseline-server --urls URL --mysql CONNECTION
return args.FirstOrDefault() switch
{
    "load" => await LoadGenerator.RunAsync(BenchArgs.Parse(args.Skip(1))),
    "probe-store" => await StoreProbe.RunAsync(BenchArgs.Parse(args.Skip(1))),
    "query-seed" => await QueryBench.SeedAsync(BenchArgs.Parse(args.Skip(1))),
    "query-measure" => await QueryBench.MeasureAsync(BenchArgs.Parse(args.Skip(1))),
    "alerts" => await AlertBench.RunAsync(BenchArgs.Parse(args.Skip(1))),
    "retention-seed" => await RetentionBench.SeedAsync(BenchArgs.Parse(args.Skip(1))),
    "retention-measure" => await RetentionBench.MeasureAsync(BenchArgs.Parse(args.Skip(1))),
    "retention-disk" => await RetentionBench.DiskAsync(BenchArgs.Parse(args.Skip(1))),
    "retention-sqlite" => await RetentionBench.SqliteAsync(BenchArgs.Parse(args.Skip(1))),
    "alerts-engine" => AlertEngineBench.Run(BenchArgs.Parse(args.Skip(1))),
    "reader" => ReaderBench.Run(BenchArgs.Parse(args.Skip(1))),
    "metrics-seed" => await MetricsBench.SeedAsync(BenchArgs.Parse(args.Skip(1))),
    "metrics-measure" => await MetricsBench.MeasureAsync(BenchArgs.Parse(args.Skip(1))),
    "ceiling" => await CeilingBench.RunAsync(BenchArgs.Parse(args.Skip(1))),
    "gap" => await GapBench.RunAsync(BenchArgs.Parse(args.Skip(1))),
    "baseline-server" => await BaselineServer.RunAsync(BenchArgs.Parse(args.Skip(1))),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ingest-bench load --url URL [--seconds N] [--agents N] [--containers N] [--concurrency N] [--rate R]");
    Console.Error.WriteLine("       ingest-bench baseline-server --urls URL --mysql CONNECTION");
    return 2;
}
