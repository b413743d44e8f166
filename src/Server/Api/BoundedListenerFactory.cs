using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace StackScope.Server.Api;

/// <summary>
/// Wraps Kestrel's socket transport so that at the connection limit it stops accepting, instead of accepting and
/// closing (Kestrel's own limit): waiting connections stay in the kernel's backlog and cost this process no
/// descriptor at all. Kestrel's accept-then-close let a burst of thousands of sockets exhaust the open-file limit
/// between accept and close (the runtime then aborted while loading an assembly).
/// </summary>
internal sealed class BoundedListenerFactory(IConnectionListenerFactory inner, long maxConnections) : IConnectionListenerFactory, IDisposable
{
    private readonly SemaphoreSlim _slots = new((int)Math.Min(int.MaxValue, maxConnections));

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new Listener(await inner.BindAsync(endpoint, cancellationToken).ConfigureAwait(false), _slots);

    public void Dispose() => _slots.Dispose();

    private sealed class Listener(IConnectionListener inner, SemaphoreSlim slots) : IConnectionListener
    {
        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null; // unbinding
            }

            ConnectionContext? connection;
            try
            {
                connection = await inner.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                slots.Release();
                throw;
            }

            if (connection is null)
            {
                slots.Release();
                return null;
            }

            return new Counted(connection, slots);
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>The accepted connection as it is, giving its slot back once Kestrel disposes of it.</summary>
    private sealed class Counted(ConnectionContext inner, SemaphoreSlim slots) : ConnectionContext
    {
        private int _released;

        public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }

        public override IFeatureCollection Features => inner.Features;

        public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }

        public override System.IO.Pipelines.IDuplexPipe Transport { get => inner.Transport; set => inner.Transport = value; }

        public override CancellationToken ConnectionClosed { get => inner.ConnectionClosed; set => inner.ConnectionClosed = value; }

        public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }

        public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

        public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

        public override void Abort() => inner.Abort();

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync().ConfigureAwait(false);
                await base.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                if (Interlocked.Exchange(ref _released, 1) == 0)
                {
                    slots.Release();
                }
            }
        }
    }
}
