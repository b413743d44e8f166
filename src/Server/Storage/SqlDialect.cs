using System.Data.Common;

namespace StackScope.Server.Storage;

/// <summary>
/// Everything that differs between SQLite and MySQL/MariaDB, in one object the storage classes are given:
/// how to connect, SQL fragments, time conversion, index hints, how many writers suit the database, and how
/// a failure that means "the database is away" looks. The storage classes themselves hold no provider names.
/// </summary>
internal abstract class SqlDialect
{
    public abstract IReadOnlyList<Migration> Migrations { get; }

    /// <summary>
    /// Appended to an INSERT so a row whose key is already stored is skipped, never duplicated nor an error;
    /// <paramref name="anyColumn"/> is a column of the table (MySQL's form names one).
    /// </summary>
    public abstract string SkipDuplicates(string anyColumn);

    /// <summary>
    /// Pins joins from "latest report per agent" to (agent_id, con_get_datetime). Given only the join, MariaDB
    /// picks the clustered key's agent_id prefix and reads every row the agent ever sent (1.6 s for 50 agents
    /// with 24 h of history) instead of the few rows of one report.
    /// </summary>
    public abstract string ContainerByTimeIndexHint { get; }

    /// <summary>
    /// Queries allowed to run at once, or null for no bound. Microsoft.Data.Sqlite's async methods run synchronously,
    /// so each running SQLite query holds a thread-pool thread: unbounded, 16 slow queries starved every other request
    /// (healthz went from 2 ms to 1 s). Waiting for a place does not hold a thread.
    /// </summary>
    public virtual int? MaxConcurrentQueries => null;

    /// <summary>Concurrent ingest writers that pay off: SQLite takes one writer at a time anyway.</summary>
    public abstract int DefaultWriterCount { get; }

    /// <summary>SQL for "seconds since the epoch" of a time column, integer-divided into buckets of @step.</summary>
    public abstract string BucketStart(string column);

    public abstract object ToDbTime(DateTime utc);

    /// <summary>
    /// SQL for the database's own time, UTC, <paramref name="secondsParameter"/> (a parameter holding whole seconds,
    /// may be negative) from now, in the form <see cref="ToDbTime"/> stores. Leases and shared counters are timed by it,
    /// so servers whose clocks disagree still agree on when a lease or a window ends.
    /// </summary>
    public abstract string DbTimeFromNow(string secondsParameter);

    /// <summary>SQL for a time column as whole seconds since the epoch (UTC).</summary>
    public abstract string EpochSeconds(string column);

    /// <summary>SQL for integer division of two whole-number expressions.</summary>
    public abstract string IntegerDivide(string dividend, string divisor);

    /// <summary>
    /// Index hint for a container read over several (agent_id, time) ranges OR'd together; empty where the planner
    /// finds the index itself (SQLite's INDEXED BY would refuse the OR form outright).
    /// </summary>
    public abstract string ContainerByTimeRangesHint { get; }

    /// <summary>A DELETE of at most <paramref name="limit"/> rows of <paramref name="table"/> matching <paramref name="where"/>.</summary>
    public abstract string DeleteChunk(string table, string where, int limit);

    /// <summary>
    /// A pause between two write transactions of background work (rollups, expiry), so another writer waiting for the
    /// database's one write lock gets it: SQLite's busy handler polls with growing sleeps and loses every race to a
    /// process that commits back to back (measured: ingest waited 3.8 s beside expiry without it).
    /// </summary>
    public virtual TimeSpan WriterPause => TimeSpan.Zero;

    /// <summary>
    /// The most parameters a multi-row statement takes (the rows per statement follow from its columns). Small enough
    /// that a statement's parameter list stays off the large-object heap, whose allocations force full GCs (seen as 1-2
    /// gen2 GCs a second under load); large enough that a batch needs few round trips. A dialect may take fewer.
    /// </summary>
    public const int MostParametersPerStatement = 2000;

    /// <inheritdoc cref="MostParametersPerStatement"/>
    public virtual int ParametersPerStatement => MostParametersPerStatement;

    /// <summary>Rows of <paramref name="columns"/> columns in one statement: at most <paramref name="most"/>, within the parameters.</summary>
    public int RowsPerStatement(int columns, int most) => Math.Max(1, Math.Min(most, ParametersPerStatement / columns));

    /// <summary>
    /// True when rows are best inserted one at a time through one prepared statement per table (SQLite: in process, so
    /// no round trips to save, while a statement of many rows is parsed afresh and binds each of its thousands of
    /// parameters by a linear search of their names); false for multi-row statements (MySQL: one round trip each).
    /// </summary>
    public virtual bool InsertsRowByRow => false;

    /// <summary>
    /// Loads <paramref name="rows"/> (their names are the columns) into <paramref name="table"/> in one bulk load,
    /// skipping rows whose key is stored already, as the INSERTs do; false when this database has no bulk load (or it is
    /// switched off), and the caller inserts them.
    /// </summary>
    public virtual bool TryBulkLoad(DbConnection connection, DbTransaction transaction, string table, StoredRows rows) => false;

    /// <summary>The raw tables' daily partitions, where the database has them (MySQL/MariaDB); null elsewhere.</summary>
    public virtual IRawPartitions? Partitions => null;

    /// <summary>Rows and bytes of each named table (bytes include its indexes), as the database accounts them.</summary>
    public abstract Task<IReadOnlyDictionary<string, (long Rows, long Bytes)>> TableSizesAsync(DbConnection connection, IReadOnlyList<string> tables,
        CancellationToken cancellationToken);

    /// <summary>
    /// Gives space freed by deletes back to the file system where the database keeps it otherwise (SQLite's free
    /// pages), in steps short enough that ingest waits little; returns bytes given back.
    /// </summary>
    public virtual Task<long> ReclaimSpaceAsync(DbConnection connection, CancellationToken cancellationToken) => Task.FromResult(0L);

    /// <summary>SQL for the id the last INSERT on this connection gave its AUTOINCREMENT column.</summary>
    public abstract string LastInsertId { get; }

    /// <summary>A time column's value as UTC; each provider hands back its own representation.</summary>
    public abstract DateTime FromDbTime(object value);

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Blocking open, for the ingest writer's dedicated threads.</summary>
    public abstract DbConnection Open();

    /// <summary>Serializes concurrent migrators (several servers starting at once) where the database allows.</summary>
    public virtual Task<IAsyncDisposable?> LockSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(null);

    /// <summary>
    /// True when the failure says the database is away (refused, lost, timed out, locked): the request was fine
    /// and may be retried. False when the failure alone does not tell. A pure check: no side effects.
    /// </summary>
    public abstract bool IsUnavailable(Exception exception);

    /// <summary>True when a statement failed on a unique key.</summary>
    /// <summary>
    /// A transaction the database chose to roll back because it collided with another (InnoDB's deadlock victim, a
    /// lock wait timeout): re-running it whole is the documented answer, not an outage.
    /// </summary>
    public virtual bool IsConflict(Exception exception) => false;

    public abstract bool IsDuplicateKey(DbException exception);

    /// <summary>Drops idle pooled connections, which may point at a server that has gone away.</summary>
    public virtual void ForgetIdleConnections()
    {
    }
}
