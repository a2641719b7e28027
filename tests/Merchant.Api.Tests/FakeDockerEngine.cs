using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Merchant.Api.Tests;

/// <summary>
/// A listener on loopback TCP or a unix socket that answers GET /_ping with 200 OK (anything else 404) like a Docker
/// engine, or, when silent, accepts connections and never answers.
/// </summary>
public sealed class FakeDockerEngine : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly bool _silent;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    private FakeDockerEngine(Socket listener, Uri endpoint, bool silent)
    {
        _listener = listener;
        _silent = silent;
        Endpoint = endpoint;
        _listener.Listen();
        _accepting = AcceptAsync();
    }

    public Uri Endpoint { get; }

    public int Connections => Volatile.Read(ref _connections);

    public static FakeDockerEngine Tcp(bool silent = false)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new FakeDockerEngine(listener, new Uri($"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}"), silent);
    }

    public static FakeDockerEngine Unix(string path)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        return new FakeDockerEngine(listener, new Uri("unix://" + path), silent: false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = AnswerAsync(client);
        }
    }

    private async Task AnswerAsync(Socket client)
    {
        using (client)
        {
            try
            {
                if (_silent)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                var request = new StringBuilder();
                var buffer = new byte[1024];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await client.ReceiveAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                var ping = request.ToString().StartsWith("GET /_ping ", StringComparison.Ordinal);
                var response = ping
                    ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK"
                    : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                await client.SendAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                // The engine is being disposed, or the prober gave up and hung up.
            }
        }
    }
}
