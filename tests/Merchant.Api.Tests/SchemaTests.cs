using Merchant.Api.Persistence;
using Merchant.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Merchant.Api.Tests;

public sealed class SchemaTests
{
    [Fact]
    public async Task The_ef_model_and_the_migrated_schema_agree_table_by_table_and_column_by_column()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("schema");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        var options = new DbContextOptionsBuilder<MerchantDbContext>();
        MerchantDbContext.Configure(options, dataSource);
        await using var db = new MerchantDbContext(options.Options);
        var schema = await ReadSchemaAsync(dataSource);

        var model = db.Model.GetEntityTypes()
            .SelectMany(e => e.GetProperties()
                .Where(p => p.GetColumnName() != "xmin")
                .Select(p => (Table: e.GetTableName()!, Column: p.GetColumnName(), Type: p.GetColumnType(), Nullable: p.IsColumnNullable())))
            .OrderBy(c => c.Table).ThenBy(c => c.Column)
            .ToList();

        model.Select(c => c.Table).Distinct().ShouldBe(schema.Select(c => c.Table).Distinct().Where(t => t != "schema_migrations"));
        model.ShouldBe(schema.Where(c => c.Table != "schema_migrations").ToList());
    }

    [Fact]
    public async Task Migrations_apply_once_when_several_instances_start_together()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("migrate");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => runner.ApplyAsync(CancellationToken.None)));
        await using var count = dataSource.CreateCommand("SELECT count(*) FROM schema_migrations");

        ((long)(await count.ExecuteScalarAsync())!).ShouldBe(MigrationRunner.Embedded.Count);
        (await runner.IsUpToDateAsync(CancellationToken.None)).ShouldBeTrue();
    }

    private static async Task<List<(string Table, string Column, string Type, bool Nullable)>> ReadSchemaAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT table_name, column_name, data_type, is_nullable = 'YES'
            FROM information_schema.columns WHERE table_schema = 'public'
            ORDER BY table_name, column_name
            """);
        var columns = new List<(string, string, string, bool)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
        }

        return columns;
    }
}
