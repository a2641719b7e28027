namespace Vending.Platform;

/// <summary>Codes for one product, or for all products of the machine when <see cref="ProductId"/> is null.</summary>
public sealed record GeneratePickupCodesRequest(string MachineNo, long? ProductId)
{
    /// <summary>Sent as GMT+8 wall-clock time; null means the codes never expire.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>6–10; the platform defaults to 6.</summary>
    public int? CodeLength { get; init; }

    public int? Count { get; init; }

    /// <summary>Items one code releases.</summary>
    public int? Quantity { get; init; }
}

public sealed record QueryPickupCodesRequest(string MachineNo, long ProductId);

/// <summary>Cancels one code by id, or every code of the machine; built through <see cref="ById"/> or <see cref="All"/> so "all" is never an accident.</summary>
public sealed record CancelPickupCodesRequest
{
    private CancelPickupCodesRequest(string machineNo, long? pickupCodeId)
    {
        MachineNo = machineNo;
        PickupCodeId = pickupCodeId;
    }

    public string MachineNo { get; }

    public long? PickupCodeId { get; }

    public static CancelPickupCodesRequest ById(string machineNo, long pickupCodeId) => new(machineNo, pickupCodeId);

    public static CancelPickupCodesRequest All(string machineNo) => new(machineNo, null);
}

public sealed record ConsumePickupCodeRequest(string MachineNo, string Code, long ProductId, string NotifyUrl, string TradeId);

public sealed record PickupCode
{
    public long Id { get; init; }

    public string Code { get; init; } = "";

    public PickupCodeStatus Status { get; init; }

    public string CreatedAt { get; init; } = "";

    public string ExpiredAt { get; init; } = "";

    public int Quantity { get; init; }

    /// <summary>The product a generated code is for, when the answer says (generating for every product of a machine).</summary>
    public long ProductId { get; init; }
}
