using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Merchant.Api.Persistence;

/// <summary>The one <see cref="NpgsqlDataSource"/> of the process, with pool settings for a service that holds no session state.</summary>
public static class MerchantDataSource
{
    /// <summary>
    /// Two defaults differ from Npgsql's, each unless the connection string names it:
    /// <c>No Reset On Close=true</c> — nothing here leaves session state on a pooled connection (locks are
    /// transaction-scoped, the migration lock is released in a finally, the LISTEN connection is never returned to the
    /// pool while listening), so the DISCARD ALL Npgsql sends on every reuse is pure cost (measured: 4 per checkout,
    /// 30 per paid trade) and it would drop every prepared statement;
    /// <c>Max Auto Prepare=64</c> — the same few dozen statements run all day, so PostgreSQL parses and plans each
    /// once per connection instead of once per call.
    /// </summary>
    public static NpgsqlDataSource Build(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!Names(given, "No Reset On Close", "NoResetOnClose"))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        if (!Names(given, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        return builder.Build();
    }

    private static bool Names(DbConnectionStringBuilder given, params string[] keys) => keys.Any(given.ContainsKey);
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
