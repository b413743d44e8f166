using System.Net;
using System.Net.Sockets;

namespace StackScope.Tests.Common;

public static class Ports
{
    /// <summary>A loopback port free right now, for a service a test must restart on the same address.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
