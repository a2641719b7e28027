using Microsoft.Extensions.Options;
using Npgsql;

namespace Merchant.Api.Persistence;

/// <summary>The one <see cref="NpgsqlDataSource"/> of the process, with pool settings for a service that holds no session state.</summary>
public static class MerchantDataSource
{
    /// <summary>The most connections one instance opens unless the connection string says otherwise (decision 0028).</summary>
    public const int DefaultMaxPoolSize = 32;

    /// <summary>The data source's name, the only value of the pool label in the metrics.</summary>
    public const string PoolName = "merchant";

    /// <summary>
    /// Three defaults differ from Npgsql's, each unless the connection string names it:
    /// <c>No Reset On Close=true</c> — nothing here leaves session state on a pooled connection (locks are
    /// transaction-scoped, the migration lock is released in a finally, the LISTEN connection is never returned to the
    /// pool while listening), so the DISCARD ALL Npgsql sends on every reuse is pure cost (measured: 4 per checkout,
    /// 30 per paid trade) and it would drop every prepared statement;
    /// <c>Max Auto Prepare=64</c> — the same few dozen statements run all day, so PostgreSQL parses and plans each
    /// once per connection instead of once per call;
    /// <c>Maximum Pool Size=32</c> (Npgsql: 100) — every connection is a PostgreSQL backend that plans each statement
    /// again, and a busy instance opens as many as it has work in flight (measured at 100: ~100 backends, planning 10 %
    /// of PostgreSQL's CPU against 2 % at 32, and PostgreSQL's CPU per callback a fifth higher); three instances at 100
    /// would also pass PostgreSQL's default <c>max_connections</c>. A request that finds the pool busy waits in the
    /// pool (up to <c>Timeout</c>, 15 s by default), then is answered 503.
    /// </summary>
    public static NpgsqlDataSource Build(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        // Npgsql lists every keyword it parsed under its one canonical name, whichever alias the string used
        // ("MaxPoolSize" and "Maximum Pool Size" both read back as the latter).
        var named = settings.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!named.Contains("No Reset On Close"))
        {
            settings.NoResetOnClose = true;
        }

        if (!named.Contains("Max Auto Prepare"))
        {
            settings.MaxAutoPrepare = 64;
        }

        if (!named.Contains("Maximum Pool Size"))
        {
            settings.MaxPoolSize = DefaultMaxPoolSize;
        }

        // The pool's name in Npgsql's metrics (db_client_connection_pool_name); unnamed, it is the connection string.
        builder.Name = PoolName;
        return builder.Build();
    }
}

/// <summary>The <c>ConnectionStrings</c> section, checked at start so a bad string is named before the first query.</summary>
public sealed class ConnectionStringsOptions
{
    public string? Merchant { get; set; }
}

internal sealed class ConnectionStringsOptionsValidator : IValidateOptions<ConnectionStringsOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionStringsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Merchant))
        {
            return ValidateOptionsResult.Fail("ConnectionStrings:Merchant is required.");
        }

        try
        {
            return string.IsNullOrWhiteSpace(new NpgsqlConnectionStringBuilder(options.Merchant).Host)
                ? ValidateOptionsResult.Fail("ConnectionStrings:Merchant must name a Host.")
                : ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            // Npgsql's message may quote the string, password included.
            return ValidateOptionsResult.Fail("ConnectionStrings:Merchant is not a valid PostgreSQL connection string.");
        }
    }
}
