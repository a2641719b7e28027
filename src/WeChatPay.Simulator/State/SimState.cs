using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Faults;
using WeChatPay.Simulator.Merchant;
using WeChatPay.Simulator.Notifications;
using WeChatPay.Simulator.Refunds;
using WeChatPay.Simulator.Transactions;

namespace WeChatPay.Simulator.State;

/// <summary>The whole simulated WeChat Pay, in memory; every read or write holds <see cref="Gate"/>.</summary>
internal sealed class SimState
{
    private const int RequestLogSize = 2000;

    private readonly WeChatPaySimOptions _initial;
    private readonly MerchantAccount _initialMerchant;

    // Ids carry a per-process run number so a restarted simulator never repeats one.
    private readonly string _run = RandomNumberGenerator.GetInt32(100_000, 1_000_000).ToString(CultureInfo.InvariantCulture);
    private long _nextTransaction;
    private long _nextRefund;
    private long _nextEvent;
    private long _nextFault = 1;
    private long _nextNotification = 1;
    private long _nextRequest = 1;

    public SimState(IOptions<WeChatPaySimOptions> options, SimClock clock, SimKeys keys, ILogger<SimState> logger)
    {
        _initial = options.Value.Clone();
        _initialMerchant = MerchantAccount.FromOptions(_initial);
        Settings = _initial.Clone();
        Merchant = _initialMerchant;
        Clock = clock;
        Keys = keys;
        Logger = logger;
    }

    public SimClock Clock { get; }

    public SimKeys Keys { get; }

    public Lock Gate { get; } = new();

    public ILogger Logger { get; }

    public WeChatPaySimOptions Settings { get; private set; }

    public MerchantAccount Merchant { get; set; }

    public Channel<NotificationJob> Outbox { get; } = Channel.CreateUnbounded<NotificationJob>();

    public Dictionary<string, Transaction> Transactions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Refund> Refunds { get; } = new(StringComparer.Ordinal);

    public List<EndpointFault> EndpointFaults { get; } = [];

    public List<NotificationFault> NotificationFaults { get; } = [];

    public List<RefundScript> RefundScripts { get; } = [];

    public List<NotificationEntry> Notifications { get; } = [];

    public List<ProbeEntry> Probes { get; } = [];

    public Queue<RequestEntry> Requests { get; } = new();

    public SortedDictionary<string, int> RequestCounts { get; } = new(StringComparer.Ordinal);

    /// <summary>Clears every trade, refund, log, fault and setting change; keeps the keys' first certificate.</summary>
    public void Reset()
    {
        List<NotificationJob> held;
        lock (Gate)
        {
            held = ReleaseHeldUnlocked(null);
            Settings = _initial.Clone();
            Merchant = _initialMerchant;
            Transactions.Clear();
            Refunds.Clear();
            EndpointFaults.Clear();
            NotificationFaults.Clear();
            RefundScripts.Clear();
            Notifications.Clear();
            Probes.Clear();
            Requests.Clear();
            RequestCounts.Clear();
        }

        Keys.Reset();
        foreach (var job in held)
        {
            Enqueue(job);
        }
    }

    public void UpdateSettings(Action<WeChatPaySimOptions> update)
    {
        var next = Settings.Clone();
        update(next);
        Settings = next;
    }

    public void Enqueue(NotificationJob job) => Outbox.Writer.TryWrite(job);

    public string NewTransactionId() =>
        "4200" + Clock.Now.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + _run + (++_nextTransaction).ToString("D10", CultureInfo.InvariantCulture);

    public string NewRefundId() =>
        "5030" + Clock.Now.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + _run + (++_nextRefund).ToString("D11", CultureInfo.InvariantCulture);

    public string NewEventId() =>
        "EV-" + Clock.Now.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + _run[..4] + (++_nextEvent).ToString("D7", CultureInfo.InvariantCulture);

    public long NewFaultId() => _nextFault++;

    public long NewNotificationSeq() => _nextNotification++;

    public string TradeStateOf(Transaction transaction) =>
        transaction.IsPaid && transaction.RefundNos.Any(no => Refunds[no].Holds) ? TradeState.Refund : transaction.State;

    public RequestEntry BeginRequest(string endpoint, string method, string url)
    {
        lock (Gate)
        {
            RequestCounts[endpoint] = RequestCounts.GetValueOrDefault(endpoint) + 1;
            var entry = new RequestEntry
            {
                Seq = _nextRequest++, At = DateTimeOffset.UtcNow, Method = method, Url = url, Endpoint = endpoint,
            };
            Requests.Enqueue(entry);
            while (Requests.Count > RequestLogSize)
            {
                Requests.Dequeue();
            }

            return entry;
        }
    }

    public EndpointFault? TakeEndpointFault(string endpoint, string? outTradeNo)
    {
        lock (Gate)
        {
            var fault = EndpointFaults.Find(f => f.Endpoint == endpoint && f.Matches(outTradeNo));
            if (fault?.Use() == true)
            {
                EndpointFaults.Remove(fault);
            }

            return fault;
        }
    }

    // Faults being cleared must not swallow notifications they hold: those go out at once.
    public List<NotificationJob> ReleaseHeldUnlocked(string? outTradeNo)
    {
        var released = new List<NotificationJob>();
        foreach (var fault in NotificationFaults.Where(f => outTradeNo is null || f.OutTradeNo == outTradeNo).ToList())
        {
            if (!fault.Flushed)
            {
                fault.Flushed = true;
                released.AddRange(fault.Held);
            }

            NotificationFaults.Remove(fault);
        }

        return released;
    }
}
