using Merchant.Api.Hosting;
using Merchant.Api.Payments.Sandbox;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Payments;

/// <summary>
/// The port to a payment provider. The sandbox is one implementation; WeChat Pay or Alipay is one more class
/// registered under its name. Refunds carry our deterministic key so a provider pays each key at most once.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>The name in <c>Payments:Provider</c> and in <c>/api/v1/payments/{provider}/notify</c>.</summary>
    string Name { get; }

    Task<ProviderPayment> CreateAsync(PaymentRequest request, CancellationToken cancellationToken);

    /// <summary>Stops the customer from paying (cancel, expiry). Closing a closed payment is not an error.</summary>
    Task CloseAsync(string paymentId, CancellationToken cancellationToken);

    Task<ProviderRefund> RefundAsync(RefundRequest request, CancellationToken cancellationToken);

    /// <summary>Verifies a notification's signature and reads it; null when it does not verify.</summary>
    PaymentNotification? ReadNotification(string body, IHeaderDictionary headers);
}

public sealed record PaymentRequest(string TradeId, long AmountFen, string Currency, DateTimeOffset PayBefore);

public sealed record ProviderPayment(string PaymentId);

public sealed record RefundRequest(string RefundKey, string PaymentId, long AmountFen, string Reason);

public sealed record ProviderRefund(string RefundId);

public sealed record PaymentNotification(string PaymentId, string TradeId, bool Succeeded, long AmountFen);

/// <summary>Raised by a provider that refused an operation for good (e.g. refunding more than was paid).</summary>
public sealed class PaymentRefusedException(string message) : Exception(message);

public sealed class PaymentsOptions
{
    /// <summary>The names <c>Payments:Provider</c> may take: one per <see cref="IPaymentProvider"/> registered.</summary>
    public static readonly IReadOnlyList<string> Implemented = [SandboxProvider.ProviderName];

    public string Provider { get; set; } = "Sandbox";

    public SandboxOptions Sandbox { get; set; } = new();

    public sealed class SandboxOptions
    {
        /// <summary>Signs sandbox notifications; derived from Merchant:NotifySecret when empty.</summary>
        public string? Secret { get; set; }

        public override string ToString() => "Secret=***";
    }
}

internal sealed class PaymentsOptionsValidator : IValidateOptions<PaymentsOptions>
{
    public ValidateOptionsResult Validate(string? name, PaymentsOptions options)
    {
        List<string> failures = [];
        if (!PaymentsOptions.Implemented.Contains(options.Provider, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"Payments:Provider must be one of: {string.Join(", ", PaymentsOptions.Implemented)}.");
        }

        failures.Secret("Payments:Sandbox:Secret", options.Sandbox.Secret, required: false);
        return failures.ToResult();
    }
}

/// <summary>Finds providers by name (case-insensitive); the configured one takes new payments.</summary>
public sealed class PaymentProviders(IEnumerable<IPaymentProvider> providers, IOptions<PaymentsOptions> options)
{
    private readonly Dictionary<string, IPaymentProvider> _byName =
        providers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public IPaymentProvider Current => Get(options.Value.Provider)
        ?? throw new InvalidOperationException($"Payments:Provider '{options.Value.Provider}' is not a known provider.");

    public bool SandboxEnabled => string.Equals(options.Value.Provider, SandboxProvider.ProviderName, StringComparison.OrdinalIgnoreCase);

    public IPaymentProvider? Get(string name) => _byName.GetValueOrDefault(name);
}
