using System.Security.Cryptography;
using System.Text;
using Merchant.Api.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Merchant.Api.PlatformNotify;

/// <summary>
/// The per-trade token in notify_url: the trade id and an HMAC of it. The platform signs nothing,
/// so the token is what keeps a stranger from posting results for our trades (DESIGN §4).
/// </summary>
public sealed class NotifyTokens(IOptions<MerchantOptions> options)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.NotifySecret);

    public string For(string tradeId) => $"{tradeId}.{Mac(tradeId)}";

    /// <summary>The trade a token speaks for, or null when it is forged or malformed.</summary>
    public string? TradeIdOf(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128)
        {
            return null;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return null;
        }

        var tradeId = token[..dot];
        var expected = Encoding.ASCII.GetBytes(Mac(tradeId));
        var presented = Encoding.ASCII.GetBytes(token[(dot + 1)..]);
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? tradeId : null;
    }

    private string Mac(string tradeId)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"notify:{tradeId}"));
        return Convert.ToBase64String(mac.AsSpan(0, 18)).Replace('+', '-').Replace('/', '_');
    }
}

/// <summary>The base URL outsiders (the platform, the payment provider) reach us at.</summary>
public sealed class PublicUrls(IOptions<MerchantOptions> options, IServer server)
{
    private string? _resolved;

    public string BaseUrl => _resolved ??= Resolve();

    public string NotifyUrl(string token) => $"{BaseUrl}/api/v1/platform/notify/{token}";

    private string Resolve()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl))
        {
            return options.Value.PublicBaseUrl.TrimEnd('/');
        }

        // Default (API.md): the address this process listens on, made reachable from this machine.
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Merchant:PublicBaseUrl is not set and the server has no address yet.");
        return address.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .TrimEnd('/');
    }
}
