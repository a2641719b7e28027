using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Testing;
using Npgsql;
using Vending.Platform.Simulator.Control;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>Everything the checker reads at once: the service's tables, the platform's full log and orders, the provider's books.</summary>
internal sealed class CheckData
{
    public Dictionary<string, TradeRow> Trades { get; } = [];

    public List<LineRow> Lines { get; } = [];

    public Dictionary<(long OrderId, long RecordId), LineRow> LinesByRecord { get; } = [];

    public List<PaymentRow> Payments { get; } = [];

    public List<RefundRow> Refunds { get; } = [];

    public List<(string TradeId, int? LineId)> DispenseJobs { get; } = [];

    public List<TransitionRow> Transitions { get; } = [];

    public List<CallbackRow> Callbacks { get; } = [];

    public List<NotificationRow> UnappliedNotifications { get; } = [];

    /// <summary>Every dispense attempt the platform saw (non-test): accepted commands and refused or fault-eaten attempts.</summary>
    public List<Attempt> Attempts { get; } = [];

    public List<CommandView> Commands { get; } = [];

    public Dictionary<long, OrderView> Orders { get; } = [];

    public Dictionary<string, MachineView> Machines { get; } = [];

    public IReadOnlyDictionary<string, ProviderBook> Books { get; private set; } = new Dictionary<string, ProviderBook>();

    public IEnumerable<LineRow> LinesOf(string tradeId) => Lines.Where(l => l.TradeId == tradeId);

    /// <summary>The value of what the platform reports dispensed (IS_SUCCESS) for a trade id, over every order carrying it.</summary>
    public long DispensedFen(string tradeId) => Orders.Values.Where(o => o.TradeId == tradeId)
        .SelectMany(o => o.Records).Where(r => r.Status is "IS_SUCCESS" or "IS_PICKED_UP")
        .Sum(r => Money(r.Price));

    public ProviderBook BookOf(string tradeId) => Books.GetValueOrDefault(tradeId) ?? new ProviderBook(tradeId, 0, 0, []);

    public static async Task<CheckData> LoadAsync(string connectionString, HttpClient simulator, IProviderBooks books)
    {
        var data = new CheckData();
        await using (var connection = await OpenAsync(connectionString))
        {
            await data.LoadDatabaseAsync(connection);
        }

        var log = (await simulator.GetFromJsonAsync<CommandLogView>("/_sim/commands", SimulatorHost.Json))!;
        foreach (var order in (await simulator.GetFromJsonAsync<List<OrderView>>("/_sim/orders", SimulatorHost.Json))!)
        {
            data.Orders[order.OrderId] = order;
        }

        foreach (var machine in (await simulator.GetFromJsonAsync<List<MachineView>>("/_sim/machines", SimulatorHost.Json))!)
        {
            data.Machines[machine.MachineNo] = machine;
        }

        data.Commands.AddRange(log.Commands.Where(c => !c.Debug));
        data.Attempts.AddRange(data.Commands.Select(c => new Attempt(c.OrderId, c.RecordId, c.MachineNo, c.IssuedAt, c.IssuedAtReal, c.OrderPaidAt, c, null)));
        foreach (var refused in log.Refused.Where(r => !r.Debug))
        {
            data.Attempts.Add(new Attempt(Id(refused.OrderId), Id(refused.RecordId), refused.MachineNo ?? "?", refused.At, refused.AtReal,
                refused.OrderPaidAt, null, refused));
        }

        data.Books = await books.ReadAsync();
        return data;
    }

    public static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        // Unpooled: a pooled connection would not survive a PostgreSQL restart.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public static long Money(string price) =>
        (long)Math.Round(decimal.Parse(price, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * 100m);

    private static long Id(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1;

    private async Task LoadDatabaseAsync(NpgsqlConnection connection)
    {
        await ReadAsync(connection, """
            SELECT trade_id, kind, machine_no, status, amount_fen, platform_order_id, status_reason, created_at, pay_before, paid_at, updated_at
            FROM trades
            """, r => Trades[r.GetString(0)] = new TradeRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4),
            r.IsDBNull(5) ? null : r.GetInt64(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetFieldValue<DateTimeOffset>(7),
            r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8), r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9),
            r.GetFieldValue<DateTimeOffset>(10)));
        await ReadAsync(connection, "SELECT trade_id, line_id, machine_no, price_fen, platform_record_id, status FROM trade_lines",
            r => Lines.Add(new LineRow(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.GetString(5))));
        await ReadAsync(connection, "SELECT trade_id, status, amount_fen FROM payments",
            r => Payments.Add(new PaymentRow(r.GetString(0), r.GetString(1), r.GetInt64(2))));
        await ReadAsync(connection, "SELECT refund_key, trade_id, line_id, amount_fen, status FROM refunds",
            r => Refunds.Add(new RefundRow(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3), r.GetString(4))));
        await ReadAsync(connection, "SELECT trade_id, line_id FROM jobs WHERE kind = 'dispense_line'",
            r => DispenseJobs.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetInt32(1))));
        await ReadAsync(connection, "SELECT trade_id, line_id, actor, summary, at FROM trade_events WHERE kind = 'transition' ORDER BY event_id",
            r => Transitions.Add(new TransitionRow(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt32(1), r.GetString(2), r.GetString(3),
                r.GetFieldValue<DateTimeOffset>(4))));
        await ReadAsync(connection, "SELECT callback_id, trade_id, body, received_at, processed_at, outcome FROM platform_callbacks",
            r => Callbacks.Add(new CallbackRow(r.GetInt64(0), r.GetString(1), RecordIdOf(r.GetString(2)), r.GetFieldValue<DateTimeOffset>(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetString(5))));
        await ReadAsync(connection, "SELECT notification_id, provider, trade_id, received_at FROM payment_notifications WHERE applied_at IS NULL",
            r => UnappliedNotifications.Add(new NotificationRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3))));
        foreach (var line in Lines)
        {
            if (Trades[line.TradeId].PlatformOrderId is { } order && line.PlatformRecordId is { } record)
            {
                LinesByRecord[(order, record)] = line;
            }
        }
    }

    private static long? RecordIdOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("record_id", out var id))
            {
                return id.ValueKind == JsonValueKind.Number ? id.GetInt64()
                    : long.TryParse(id.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            // Unreadable callbacks are stored as they came; they name no record.
        }

        return null;
    }

    private static async Task ReadAsync(NpgsqlConnection connection, string sql, Action<NpgsqlDataReader> row)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            row(reader);
        }
    }
}

/// <summary>
/// One dispense attempt the platform saw: an accepted <see cref="Command"/>, or a <see cref="Refused"/> one (refused, or stopped
/// by a fault before it ran). <see cref="OrderPaidAt"/> is when PUT 1 marked the order paid, as of the attempt.
/// </summary>
internal sealed record Attempt(long OrderId, long RecordId, string MachineNo, DateTimeOffset At, DateTimeOffset AtReal, DateTimeOffset? OrderPaidAt,
    CommandView? Command, RefusedView? Refused)
{
    /// <summary>Whether the machine may have the command after this attempt: it ran, or the client could not tell it did not.</summary>
    public bool MayHaveReachedTheMachine => Command is not null || Refused?.Reason is "fault" or "record_not_waiting";

    public override string ToString() => Command is { } c
        ? $"command #{c.Seq} at {c.IssuedAtReal:HH:mm:ss.fff} → {c.Outcome ?? "running"}{(c.Fault is { } f ? $" (answer lost: {f})" : "")}"
        : $"attempt at {AtReal:HH:mm:ss.fff} refused: {Refused!.Reason}{(Refused.Fault is { } fault ? $" ({fault})" : $" ({Refused.Code} {Refused.Message})")}";
}

internal sealed record TradeRow(string TradeId, string Kind, string MachineNo, string Status, long AmountFen, long? PlatformOrderId,
    string? StatusReason, DateTimeOffset CreatedAt, DateTimeOffset? PayBefore, DateTimeOffset? PaidAt, DateTimeOffset UpdatedAt);

internal sealed record LineRow(string TradeId, int LineId, string MachineNo, long PriceFen, long? PlatformRecordId, string Status)
{
    public string Key => $"{TradeId}-{LineId}";

    public override string ToString() => $"trade {TradeId} line {LineId}";
}

internal sealed record PaymentRow(string TradeId, string Status, long AmountFen);

internal sealed record RefundRow(string RefundKey, string TradeId, int LineId, long AmountFen, string Status);

internal sealed record TransitionRow(string TradeId, int? LineId, string Actor, string Summary, DateTimeOffset At)
{
    // "line 2: dispensing → dispensed (report_dispensed)"
    public string To => Summary.Split(" → ") is [_, var rest] ? rest.Split(' ')[0] : string.Empty;

    public string From => Summary.Split(" → ") is [var start, _] ? start.Split(' ')[^1] : string.Empty;

    /// <summary>A person settling an escalated line (the ops refund records it failed): a decision, not a result applied again.</summary>
    public bool SettlesAnEscalation => Actor == "ops" && From == "needs_attention";
}

internal sealed record CallbackRow(long CallbackId, string TradeId, long? RecordId, DateTimeOffset ReceivedAt, DateTimeOffset? ProcessedAt, string? Outcome);

internal sealed record NotificationRow(long NotificationId, string Provider, string TradeId, DateTimeOffset ReceivedAt);
