using WeChatPay.Simulator.Merchant;
using WeChatPay.Simulator.Notifications;
using WeChatPay.Simulator.Refunds;
using WeChatPay.Simulator.State;

namespace WeChatPay.Simulator.Control;

/// <summary>The /_sim control surface: state, keys, the merchant, settings, the clock, logs and refund settling.</summary>
internal sealed class ControlService(SimState state, RefundService refunds, ProbeService probes)
{
    public StateView Summary()
    {
        lock (state.Gate)
        {
            return new StateView(
                ControlViews.Clock(state.Clock),
                ControlViews.SigningModes.Key(state.Settings.SigningMode),
                CountBy(state.Transactions.Values.Select(state.TradeStateOf)),
                CountBy(state.Refunds.Values.Select(r => r.Status)),
                state.Notifications.Count,
                state.Notifications.Count(n => !DeliveryStatus.IsSettled(n.Status)),
                state.Probes.Count,
                state.EndpointFaults.Count + state.NotificationFaults.Count + state.RefundScripts.Count,
                state.RequestCounts.Values.Sum());
        }
    }

    public void Reset()
    {
        state.Reset();
        Log.Control(state.Logger, "reset");
    }

    public KeysView Keys() => ControlViews.Keys(state.Keys, state.Settings.SigningMode);

    public IResult RotateCertificate(RotateRequest request)
    {
        if (request.ValidDays is <= 0)
        {
            return BadRequest("valid_days must be > 0");
        }

        var validity = request.ValidDays is { } days ? TimeSpan.FromDays(days) : state.Settings.CertificateValidity;
        var certificate = state.Keys.Rotate(request.SamePublicKey ?? false, validity);
        Log.Control(state.Logger, $"certificate {certificate.Serial} issued and signing");
        return Results.Ok(ControlViews.Certificate(certificate, signing: true));
    }

    public IResult RetireCertificate(string serial) => state.Keys.Retire(serial) switch
    {
        null => Results.NotFound(new ErrorView($"certificate {serial} not found")),
        false => Results.Conflict(new ErrorView("the signing certificate cannot be retired: rotate first")),
        true => Results.Ok(Keys()),
    };

    public MerchantView Merchant() => ControlViews.Merchant(state.Merchant);

    public IResult UpdateMerchant(MerchantRequest request)
    {
        lock (state.Gate)
        {
            var current = state.Merchant;
            try
            {
                state.Merchant = MerchantAccount.Create(
                    request.MchId ?? current.MchId,
                    request.AppId ?? current.AppId,
                    request.ApiV3Key ?? current.ApiV3Key,
                    request.CertificateSerial ?? current.CertificateSerial,
                    request.PublicKeyPem ?? current.PublicKeyPem);
            }
            catch (ArgumentException e)
            {
                return BadRequest(e.Message);
            }

            Log.Control(state.Logger, $"merchant {state.Merchant.MchId} updated");
            return Results.Ok(ControlViews.Merchant(state.Merchant));
        }
    }

    public SettingsView Settings() => ControlViews.Settings(state.Settings);

    public IResult UpdateSettings(SettingsRequest request)
    {
        var mode = state.Settings.SigningMode;
        if (request.SigningMode is not null && !ControlViews.SigningModes.TryParse(request.SigningMode, out mode))
        {
            return BadRequest("signing_mode must be public_key, certificate or both");
        }

        var outcome = state.Settings.RefundOutcome;
        if (request.RefundOutcome is not null && !RefundOutcomes.Names.TryParse(request.RefundOutcome, out outcome))
        {
            return BadRequest($"refund_outcome must be one of {RefundOutcomes.Names.OneOf}");
        }

        if (request.RefundDelayMs is < 0 || request.NotifyRetryFactor is <= 0 || request.NotifyMaxAttempts is < 1 or > 16
            || request.NotifyTimeoutMs is <= 0 || request.HangTimeoutMs is < 0 || request.StaleTimestampSeconds is < 0)
        {
            return BadRequest("delays must be >= 0, notify_retry_factor > 0, notify_max_attempts 1 to 16, notify_timeout_ms > 0");
        }

        lock (state.Gate)
        {
            state.UpdateSettings(s =>
            {
                s.SigningMode = mode;
                s.RefundOutcome = outcome;
                s.RefundDelay = Ms(request.RefundDelayMs) ?? s.RefundDelay;
                s.NotifyRetryFactor = request.NotifyRetryFactor ?? s.NotifyRetryFactor;
                s.NotifyMaxAttempts = request.NotifyMaxAttempts ?? s.NotifyMaxAttempts;
                s.NotifyTimeout = Ms(request.NotifyTimeoutMs) ?? s.NotifyTimeout;
                s.HangTimeout = Ms(request.HangTimeoutMs) ?? s.HangTimeout;
                s.StaleTimestampAge = request.StaleTimestampSeconds is { } stale ? TimeSpan.FromSeconds(stale) : s.StaleTimestampAge;
                s.RequireHttpsNotifyUrl = request.RequireHttpsNotifyUrl ?? s.RequireHttpsNotifyUrl;
                s.StrictHeaders = request.StrictHeaders ?? s.StrictHeaders;
            });
            return Results.Ok(ControlViews.Settings(state.Settings));
        }
    }

    public ClockView Clock() => ControlViews.Clock(state.Clock);

    public IResult MoveClock(ClockRequest request)
    {
        if (request.AdvanceSeconds is < 0)
        {
            return BadRequest("advance_seconds must be >= 0");
        }

        state.Clock.Advance(TimeSpan.FromSeconds(request.AdvanceSeconds ?? 0));
        refunds.SettleDue();
        Log.Control(state.Logger, $"clock advanced {request.AdvanceSeconds ?? 0}s");
        return Results.Ok(ControlViews.Clock(state.Clock));
    }

    public IResult Transaction(string outTradeNo)
    {
        lock (state.Gate)
        {
            return state.Transactions.TryGetValue(outTradeNo, out var transaction)
                ? Results.Ok(ControlViews.Transaction(state, transaction))
                : NotFound($"transaction {outTradeNo} not found");
        }
    }

    public IResult Refund(string outRefundNo)
    {
        lock (state.Gate)
        {
            return state.Refunds.TryGetValue(outRefundNo, out var refund)
                ? Results.Ok(ControlViews.Refund(refund))
                : NotFound($"refund {outRefundNo} not found");
        }
    }

    public IResult SettleRefund(string outRefundNo, SettleRequest request)
    {
        if (request.Status is not (RefundStatus.Success or RefundStatus.Closed or RefundStatus.Abnormal))
        {
            return BadRequest("status must be SUCCESS, CLOSED or ABNORMAL");
        }

        lock (state.Gate)
        {
            if (!state.Refunds.TryGetValue(outRefundNo, out var refund))
            {
                return NotFound($"refund {outRefundNo} not found");
            }

            if (refund.Status is RefundStatus.Success or RefundStatus.Closed || refund.Status == request.Status)
            {
                return Results.Conflict(new ErrorView($"refund {outRefundNo} is already {refund.Status}"));
            }

            refunds.SettleUnlocked(refund, request.Status);
            return Results.Ok(ControlViews.Refund(refund));
        }
    }

    public IReadOnlyList<NotificationView> Notifications(string? outTradeNo, string? eventType)
    {
        lock (state.Gate)
        {
            return state.Notifications
                .Where(n => (outTradeNo is null || n.OutTradeNo == outTradeNo)
                    && (eventType is null || n.EventType.StartsWith(eventType, StringComparison.Ordinal)))
                .Select(ControlViews.Notification).ToList();
        }
    }

    public async Task<IResult> ProbeAsync(ProbeRequest request, CancellationToken aborted)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return BadRequest("url must be an absolute http(s) URL");
        }

        var probe = await probes.SendAsync(url.ToString(), request.OutTradeNo, aborted);
        Log.Control(state.Logger, $"probe sent to {url}: {probe.HttpStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? probe.Error}");
        return Results.Ok(ControlViews.Probe(probe));
    }

    public IReadOnlyList<ProbeView> Probes()
    {
        lock (state.Gate)
        {
            return state.Probes.Select(ControlViews.Probe).ToList();
        }
    }

    public RequestsView Requests(string? endpoint)
    {
        lock (state.Gate)
        {
            return new RequestsView(
                new SortedDictionary<string, int>(state.RequestCounts, StringComparer.Ordinal),
                state.Requests.Where(r => endpoint is null || r.Endpoint == endpoint).Select(ControlViews.Request).ToList());
        }
    }

    private static SortedDictionary<string, int> CountBy(IEnumerable<string> keys) =>
        new(keys.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);

    private static TimeSpan? Ms(int? ms) => ms is { } value ? TimeSpan.FromMilliseconds(value) : null;

    private static IResult BadRequest(string error) => Results.BadRequest(new ErrorView(error));

    private static IResult NotFound(string error) => Results.NotFound(new ErrorView(error));
}
