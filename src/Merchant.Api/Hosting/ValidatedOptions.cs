using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Hosting;

public static class ValidatedOptions
{
    /// <summary>Binds <paramref name="section"/> and checks it with <typeparamref name="TValidator"/> when the host starts, not at first use.</summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddOptions<TOptions>().Bind(section).ValidateOnStart();
    }

    /// <summary>
    /// Checks every options class registered with ValidateOnStart now, all together: the host builds its hosted services
    /// before its own check, and one of them needing a missing key would fail alone, hiding the others.
    /// </summary>
    public static void ValidateOptions(this IHost host)
    {
        try
        {
            host.Services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (Exception e) when (e is OptionsValidationException or AggregateException)
        {
            // Distinct: an options class read while another is validated (the platform's, by its resilience options) fails twice.
            var failures = (e is AggregateException all ? all.InnerExceptions : [e]).OfType<OptionsValidationException>()
                .SelectMany(f => f.Failures).Distinct();
            throw new InvalidOperationException(
                $"Invalid configuration: {string.Join(" ", failures)} Set keys in appsettings.json or as environment variables (use __ for :).", e);
        }
    }
}

/// <summary>The checks the options validators share; every message names the full key, never the configured value.</summary>
internal static class OptionChecks
{
    /// <summary>Secrets key HMACs: a short one can be guessed offline from a single signed token.</summary>
    public const int MinSecretLength = 16;

    private static readonly (long Ticks, string Unit)[] Units =
        [(TimeSpan.TicksPerDay, "day"), (TimeSpan.TicksPerHour, "hour"), (TimeSpan.TicksPerMinute, "minute"), (TimeSpan.TicksPerSecond, "second")];

    public static void Between(this List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{key} must be between {Words(min)} and {Words(max)}.");
        }
    }

    public static void ShorterThan(this List<string> failures, string key, TimeSpan value, string otherKey, TimeSpan other)
    {
        if (value >= other)
        {
            failures.Add($"{key} must be shorter than {otherKey}.");
        }
    }

    public static void AtLeast(this List<string> failures, string key, int value, int min)
    {
        if (value < min)
        {
            failures.Add($"{key} must be at least {min}.");
        }
    }

    public static void Secret(this List<string> failures, string key, string? value, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{key} is required.");
        }
        else if (!string.IsNullOrEmpty(value) && value.Trim().Length < MinSecretLength)
        {
            failures.Add($"{key} must be at least {MinSecretLength} characters.");
        }
    }

    /// <summary>For base URLs that paths are appended to: a query or fragment would end up in the middle of every URL built on it.</summary>
    public static void BaseUrl(this List<string> failures, string key, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            failures.Add($"{key} must be an absolute http(s) URL without a query or fragment.");
        }
    }

    public static ValidateOptionsResult ToResult(this List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

    private static string Words(TimeSpan span)
    {
        foreach (var (ticks, unit) in Units)
        {
            if (span.Ticks >= ticks && span.Ticks % ticks == 0)
            {
                var count = span.Ticks / ticks;
                return count == 1 ? $"1 {unit}" : $"{count} {unit}s";
            }
        }

        return $"{span.TotalMilliseconds} ms";
    }
}
