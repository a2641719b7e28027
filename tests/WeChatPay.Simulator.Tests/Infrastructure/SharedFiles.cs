using System.Security.Cryptography;
using System.Text.Json;

namespace WeChatPay.Simulator.Tests.Infrastructure;

/// <summary>The shared payment material beside the clone: <c>../shared/payments</c> (vectors and TEST-ONLY keys).</summary>
public static class SharedFiles
{
    private static readonly Lazy<string> Payments = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Merchant.sln")))
        {
            directory = directory.Parent;
        }

        return directory is null
            ? throw new InvalidOperationException("Merchant.sln not found above " + AppContext.BaseDirectory)
            : Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "payments"));
    });

    private static readonly Lazy<JsonElement> VectorDocument = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Payments.Value, "vectors.json"))).RootElement.Clone());

    public static JsonElement Vectors => VectorDocument.Value;

    public static string KeyPath(string name) => Path.Combine(Payments.Value, "test-keys", name);

    public static string Pem(string name) => File.ReadAllText(KeyPath(name));

    public static RSA Key(string name)
    {
        var key = RSA.Create();
        key.ImportFromPem(Pem(name));
        return key;
    }

    public static string Vector(string section, string field) => Vectors.GetProperty(section).GetProperty(field).GetString()!;
}
