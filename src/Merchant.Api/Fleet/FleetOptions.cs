using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Fleet;

public sealed class FleetOptions
{
    /// <summary>A slot holding this many items or fewer is low on stock (an alert, and a flag in the machine views).</summary>
    public int LowStockThreshold { get; set; } = 2;

    /// <summary>How long a test dispense request waits for the result before answering 202 with the test dispense as it stands.</summary>
    public TimeSpan TestDispenseWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often each instance re-reads the machines and their slots from the platform, so alerts and gauges stay current.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A refund the provider took but has not confirmed after this long is an alert.</summary>
    public TimeSpan RefundUnconfirmedAfter { get; set; } = TimeSpan.FromHours(1);
}

internal sealed class FleetOptionsValidator : IValidateOptions<FleetOptions>
{
    public ValidateOptionsResult Validate(string? name, FleetOptions options)
    {
        List<string> failures = [];
        failures.AtLeast("Fleet:LowStockThreshold", options.LowStockThreshold, 0);
        failures.Between("Fleet:TestDispenseWait", options.TestDispenseWait, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        failures.Between("Fleet:RefreshInterval", options.RefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        failures.Between("Fleet:RefundUnconfirmedAfter", options.RefundUnconfirmedAfter, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        return failures.ToResult();
    }
}

public static class FleetServiceCollectionExtensions
{
    /// <summary>Slot health, the ops fleet views, test dispenses, pickup codes and alerts (issue 13, decision 0019).</summary>
    public static IServiceCollection AddFleet(this IServiceCollection services)
    {
        services.AddScoped<Slots.SlotHealth>();
        services.AddScoped<Dispensing.TestDispenseResults>();
        services.AddScoped<FleetService>();
        services.AddScoped<TestDispenseService>();
        services.AddScoped<PickupCodeService>();
        services.AddSingleton<PickupCodeHasher>();
        services.AddScoped<AlertService>();
        services.AddJobHandler<TestDispenseHandler>(JobKinds.TestDispense);
        services.AddJobHandler<TestDispensePollHandler>(JobKinds.TestDispensePoll);
        return services;
    }
}
