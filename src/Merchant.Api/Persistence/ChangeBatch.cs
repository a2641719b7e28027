using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Merchant.Api.Persistence;

/// <summary>
/// The common save of this service written as one hand-built <see cref="NpgsqlBatch"/>: the rows the change tracker
/// holds as modified (a trade, its lines, a job, a payment, a callback) and as added (timeline entries, jobs, stored
/// callbacks). EF's <c>SaveChanges</c> was a fifth of the API's CPU on the callback path — command building, SQL
/// generation, result propagation per row — for statements whose shape never changes (decision 0027). What this does not
/// know how to write it leaves to EF, whole: <see cref="TrySaveAsync"/> answers null and writes nothing.
/// <para>
/// What it keeps of EF: change detection (which columns changed), the model (tables, columns, keys) and each column's
/// type mapping (value converters, jsonb, timestamptz), so the rows and values are the ones EF would write. What it
/// keeps of EF's contract: an update matching no row, or a row version that moved (the trade's <c>xmin</c>), throws
/// <see cref="DbUpdateConcurrencyException"/>; a database error surfaces as <see cref="DbUpdateException"/>; generated keys
/// and row versions are read back and the tracker accepts the changes.
/// </para>
/// </summary>
internal static class ChangeBatch
{
    /// <summary>
    /// One statement's SQL and the properties whose values it takes, in order, for an entity type, a state and a set of
    /// modified columns (a bit per property index); built once per shape, like EF's compiled queries. The row version,
    /// when the statement checks one, is the value that takes the original value (the one read), not the current one.
    /// </summary>
    private sealed record Shape(string Sql, IProperty[] Values, IProperty? Returned, IProperty? RowVersion);

    private static readonly ConcurrentDictionary<(IEntityType Type, EntityState State, ulong Modified), Shape?> Shapes = new();

    /// <summary>Each entity type's properties, or null for a type only EF writes; looked up once per type, not per save.</summary>
    private static readonly ConcurrentDictionary<IEntityType, IProperty[]?> Types = new();

    /// <summary>Makes parameters through each column's type mapping, as EF does; the command itself is never run.</summary>
    private static readonly NpgsqlCommand ParameterFactory = new();

    private const string RowVersionColumn = "xmin";

    /// <summary>Writes the tracked changes in one batch on the context's connection and transaction; null when EF must.</summary>
    public static async Task<int?> TrySaveAsync(DbContext db, CancellationToken cancellationToken)
    {
        var work = new List<(EntityEntry Entry, Shape Shape)>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }

            if (ShapeOf(entry) is not { } shape)
            {
                return null;
            }

            work.Add((entry, shape));
        }

        if (work.Count == 0)
        {
            return 0;
        }

        // Updates before inserts: a job retired and its successor written with the same dedupe key (a partial unique
        // index on pending jobs) must not collide, whatever order the tracker lists them in. Otherwise the tracker's
        // order (a stable sort), which is the order things were added: timeline entries are read back by their id.
        work = [.. work.OrderBy(w => Order(w.Entry.State))];

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction;
        await db.Database.OpenConnectionAsync(cancellationToken);
        // Outside the caller's transaction, an update that finds its row gone or its version moved must take the rest of
        // the batch with it: the checks below run after PostgreSQL has run the batch, so they need a transaction to undo.
        var own = transaction is null && work.Any(w => w.Entry.State == EntityState.Modified)
            ? await connection.BeginTransactionAsync(cancellationToken)
            : null;
        try
        {
            await using var batch = new NpgsqlBatch(connection, transaction ?? own);
            foreach (var (entry, shape) in work)
            {
                var command = new NpgsqlBatchCommand(shape.Sql);
                foreach (var property in shape.Values)
                {
                    var value = property == shape.RowVersion ? entry.Property(property).OriginalValue : entry.Property(property).CurrentValue;
                    command.Parameters.Add(property.GetRelationalTypeMapping().CreateParameter(ParameterFactory, "", value, property.IsNullable));
                }

                batch.BatchCommands.Add(command);
            }

            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                // The reader has a result only for statements with RETURNING (Npgsql steps over the others), in order.
                var first = true;
                foreach (var (entry, shape) in work)
                {
                    if (shape.Returned is not { } returned)
                    {
                        continue;
                    }

                    if (!first && !await reader.NextResultAsync(cancellationToken))
                    {
                        throw new InvalidOperationException("The batch returned fewer results than it has RETURNING clauses.");
                    }

                    first = false;
                    if (!await reader.ReadAsync(cancellationToken))
                    {
                        throw Conflict(entry);
                    }

                    var value = reader.GetValue(0);
                    var converter = returned.GetTypeMapping().Converter;
                    var property = entry.Property(returned);
                    property.CurrentValue = converter is null ? value : converter.ConvertFromProvider(value);
                    if (entry.State == EntityState.Added && returned.IsPrimaryKey())
                    {
                        property.IsTemporary = false;
                    }
                }
            }

            for (var i = 0; i < work.Count; i++)
            {
                // An update with no row version to read back still has to have matched its row.
                if (work[i].Entry.State == EntityState.Modified && work[i].Shape.Returned is null && batch.BatchCommands[i].RecordsAffected != 1)
                {
                    throw Conflict(work[i].Entry);
                }
            }

            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
            }
        }
        catch (DbException e)
        {
            throw new DbUpdateException("An error occurred while saving the entity changes. See the inner exception for details.", e);
        }
        finally
        {
            if (own is not null)
            {
                // Rolls back unless committed above.
                await own.DisposeAsync();
            }

            await db.Database.CloseConnectionAsync();
        }

        db.ChangeTracker.AcceptAllChanges();
        return work.Count;
    }

    private static int Order(EntityState state) => state == EntityState.Modified ? 0 : 1;

    private static DbUpdateConcurrencyException Conflict(EntityEntry entry) =>
        new($"The {entry.Metadata.GetTableName()} row being saved was changed or removed by someone else since it was read.");

    private static bool IsRowVersion(IProperty property) =>
        property.IsConcurrencyToken && property.GetColumnName() == RowVersionColumn;

    /// <summary>The statement for this entry, or null when it is something only EF writes (a delete, a new trade, …).</summary>
    private static Shape? ShapeOf(EntityEntry entry)
    {
        var type = entry.Metadata;
        if (Types.GetOrAdd(type, t => t.GetProperties().Count() > 64 || t.BaseType is not null || t.IsOwned() || t.GetTableName() is null
                || t.FindPrimaryKey() is null ? null : [.. t.GetProperties()]) is not { } properties)
        {
            return null;
        }

        ulong modified = 0;
        if (entry.State == EntityState.Modified)
        {
            foreach (var property in properties)
            {
                if (entry.Property(property).IsModified)
                {
                    modified |= 1UL << property.GetIndex();
                }
            }
        }
        else if (entry.State == EntityState.Added)
        {
            // A key the store generates is left out only while its value is still EF's temporary one.
            foreach (var property in properties)
            {
                if (property.ValueGenerated != ValueGenerated.Never && property.IsPrimaryKey() && !entry.Property(property).IsTemporary)
                {
                    modified |= 1UL << property.GetIndex();
                }
            }
        }
        else
        {
            return null;
        }

        return Shapes.GetOrAdd((type, entry.State, modified), key => Build(key.Type, key.State, key.Modified, properties));
    }

    private static Shape? Build(IEntityType type, EntityState state, ulong modified, IProperty[] properties)
    {
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var name = Quote(type.GetTableName()!, type.GetSchema());
        var key = type.FindPrimaryKey()!.Properties;
        var rowVersion = properties.Where(IsRowVersion).ToArray();
        if (properties.Any(p => p.IsConcurrencyToken && !IsRowVersion(p)) || rowVersion.Length > 1)
        {
            return null;
        }

        string Column(IProperty p) => Quote(p.GetColumnName(table) ?? throw new InvalidOperationException($"{p.Name} has no column."));
        var sql = new StringBuilder();
        var values = new List<IProperty>();
        IProperty? returned = null;
        if (state == EntityState.Added)
        {
            if (rowVersion.Length > 0 || type.GetReferencingForeignKeys().Any())
            {
                // A new row others point at (a trade and its lines) needs EF's ordering of the inserts.
                return null;
            }

            foreach (var property in properties)
            {
                var generated = property.ValueGenerated != ValueGenerated.Never;
                if (generated && !(property.IsPrimaryKey() && key.Count == 1))
                {
                    return null;
                }

                if (generated && (modified & (1UL << property.GetIndex())) == 0)
                {
                    returned = property;
                    continue;
                }

                values.Add(property);
            }

            sql.Append("INSERT INTO ").Append(name).Append(" (").AppendJoin(", ", values.Select(Column)).Append(") VALUES (")
                .AppendJoin(", ", values.Select((_, i) => $"${i + 1}")).Append(')');
            if (returned is not null)
            {
                sql.Append(" RETURNING ").Append(Column(returned));
            }

            return new Shape(sql.ToString(), [.. values], returned, null);
        }

        var set = properties.Where(p => (modified & (1UL << p.GetIndex())) != 0).ToArray();
        if (set.Length == 0 || set.Any(p => p.IsPrimaryKey() || IsRowVersion(p)))
        {
            return null;
        }

        sql.Append("UPDATE ").Append(name).Append(" SET ");
        sql.AppendJoin(", ", set.Select(p =>
        {
            values.Add(p);
            return $"{Column(p)} = ${values.Count}";
        }));
        sql.Append(" WHERE ");
        sql.AppendJoin(" AND ", key.Concat(rowVersion).Select(p =>
        {
            values.Add(p);
            return $"{Column(p)} = ${values.Count}";
        }));
        if (rowVersion.Length == 1)
        {
            returned = rowVersion[0];
            sql.Append(" RETURNING ").Append(Column(returned));
        }

        return new Shape(sql.ToString(), [.. values], returned, returned);
    }

    private static string Quote(string identifier, string? schema = null) =>
        schema is null ? $"\"{identifier}\"" : $"\"{schema}\".\"{identifier}\"";
}
