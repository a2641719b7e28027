using System.Globalization;

namespace Merchant.Bench;

/// <summary>Resident memory and CPU time of processes, read from /proc (Linux only).</summary>
public static class ProcessStats
{
    // /proc reports CPU in USER_HZ, which the kernel ABI fixes at 100 on every architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of one process, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name may contain spaces; fields after its closing parenthesis are fixed.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>VmRSS and VmHWM (peak RSS) in MB.</summary>
    public static (double RssMb, double PeakMb) Memory(int pid)
    {
        double rss = 0, peak = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kb(line) / 1024.0;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kb(line) / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return (rss, peak);
    }

    /// <summary>The postmaster (from postmaster.pid) and all its children: the whole PostgreSQL cluster.</summary>
    public static double ClusterCpuSeconds(string? dataDirectory)
    {
        if (dataDirectory is null || !File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
        {
            return 0;
        }

        var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var total = CpuSeconds(postmaster) + ChildrenCpuSeconds(postmaster);
        foreach (var pid in Children(postmaster))
        {
            total += CpuSeconds(pid);
        }

        return total;
    }

    /// <summary>Busy and total jiffies of the whole machine (/proc/stat), for utilisation over a window.</summary>
    public static (double Busy, double Total) MachineCpu()
    {
        var first = File.ReadLines("/proc/stat").First();
        var values = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = values[3] + (values.Length > 4 ? values[4] : 0);
        var total = values.Take(8).Sum();
        return (total - idle, total);
    }

    private static IEnumerable<int> Children(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                yield return pid;
            }
        }
    }

    /// <summary>cutime + cstime: CPU of children that already exited (short-lived backends).</summary>
    private static double ChildrenCpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static double Kb(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

/// <summary>CPU and memory of the processes under test over one measured window.</summary>
public sealed class Footprint
{
    private readonly int[] _pids;
    private readonly string? _dataDirectory;
    private readonly double[] _cpuStart;
    private readonly double _dbStart;
    private readonly (double Busy, double Total) _machineStart;
    private readonly double[] _rssMax;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;

    public Footprint(IEnumerable<int> pids, string? dataDirectory)
    {
        _pids = [.. pids];
        _dataDirectory = dataDirectory;
        _cpuStart = [.. _pids.Select(ProcessStats.CpuSeconds)];
        _dbStart = ProcessStats.ClusterCpuSeconds(dataDirectory);
        _machineStart = ProcessStats.MachineCpu();
        _rssMax = new double[_pids.Length];
        _sampler = Task.Run(SampleAsync);
    }

    public async Task<FootprintResult> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        Sample();
        var cpu = _pids.Select((p, i) => ProcessStats.CpuSeconds(p) - _cpuStart[i]).ToArray();
        var machine = ProcessStats.MachineCpu();
        var busy = (machine.Busy - _machineStart.Busy) / Math.Max(1, machine.Total - _machineStart.Total);
        return new FootprintResult(cpu, [.. _rssMax], [.. _pids.Select(p => ProcessStats.Memory(p).RssMb)],
            ProcessStats.ClusterCpuSeconds(_dataDirectory) - _dbStart, busy);
    }

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Sample();
            try
            {
                await Task.Delay(250, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Sample()
    {
        for (var i = 0; i < _pids.Length; i++)
        {
            _rssMax[i] = Math.Max(_rssMax[i], ProcessStats.Memory(_pids[i]).RssMb);
        }
    }
}

/// <param name="CpuSeconds">per process, over the window</param>
/// <param name="RssMaxMb">highest VmRSS sampled (every 250 ms) per process</param>
/// <param name="RssEndMb">VmRSS at the end per process</param>
/// <param name="DbCpuSeconds">the PostgreSQL cluster's CPU over the window</param>
/// <param name="MachineBusy">fraction of all cores busy over the window (/proc/stat)</param>
public sealed record FootprintResult(double[] CpuSeconds, double[] RssMaxMb, double[] RssEndMb, double DbCpuSeconds, double MachineBusy);
