namespace WeChatPay.Simulator.Refunds;

/// <summary>Settles PROCESSING refunds when their sim time comes.</summary>
internal sealed class RefundSettler(RefundService refunds) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                refunds.SettleDue();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host is stopping.
        }
    }
}
