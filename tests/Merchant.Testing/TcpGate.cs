using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Merchant.Testing;

/// <summary>
/// A loopback TCP forwarder in front of a server, on a port of its own. <see cref="Close"/> resets every open
/// connection and stops listening, so callers get "connection refused" on that port; <see cref="Open"/> listens on
/// the same port again. The server behind it keeps running (and keeps its state), unlike stopping and restarting it.
/// </summary>
public sealed class TcpGate : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly Lock _gate = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _accepting;

    private TcpGate(int port, int targetPort)
    {
        Port = port;
        _targetPort = targetPort;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Opens a gate forwarding to <paramref name="targetBaseUrl"/> (an http://127.0.0.1:port URL).</summary>
    public static TcpGate Start(string targetBaseUrl, int? port = null)
    {
        var gate = new TcpGate(port ?? ApiProcess.FreePort(), new Uri(targetBaseUrl).Port);
        gate.Open();
        return gate;
    }

    public void Open()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start(512);
            _listener = listener;
            _accepting = new CancellationTokenSource();
            _ = AcceptAsync(listener, _accepting.Token);
        }
    }

    /// <summary>Stops listening and resets every forwarded connection (RST, not FIN): connection refused from now on.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_listener is null)
            {
                return;
            }

            _accepting!.Cancel();
            _listener.Stop();
            _listener = null;
            foreach (var socket in _sockets.Keys)
            {
                Reset(socket);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = ForwardAsync(client, cancellationToken);
        }
    }

    private async Task ForwardAsync(Socket client, CancellationToken cancellationToken)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        _sockets[client] = 0;
        _sockets[upstream] = 0;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, cancellationToken);
            await Task.WhenAll(PumpAsync(client, upstream), PumpAsync(upstream, client));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // The gate closed or a side hung up: both sides go.
        }
        finally
        {
            _sockets.TryRemove(client, out _);
            _sockets.TryRemove(upstream, out _);
            client.Dispose();
            upstream.Dispose();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    // A half-close travels on; the other direction keeps flowing until its side closes too.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset by the gate or by a side: the other side is reset too, as a broken connection would be.
            Reset(from);
            Reset(to);
        }
    }
}
