using System.Text.Json;

namespace WeChatPay.Tests.Support;

/// <summary>The shared WeChat Pay material beside the clone (<c>../shared/payments</c>): vectors.json and the TEST-ONLY keys.</summary>
internal static class SharedPayments
{
    public static string Folder { get; } = Find();

    public static string MerchantPrivateKeyPath => Key("merchant_private.pem");

    public static string MerchantPublicKeyPath => Key("merchant_public.pem");

    public static string WeChatPayPrivateKeyPath => Key("wechatpay_private.pem");

    public static string WeChatPayPublicKeyPath => Key("wechatpay_public.pem");

    public static JsonElement Vectors { get; } = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "vectors.json"))).RootElement;

    public static string Vector(string group, string name) => Vectors.GetProperty(group).GetProperty(name).GetString()!;

    private static string Key(string file) => Path.Combine(Folder, "test-keys", file);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Merchant.sln")))
            {
                var folder = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "payments"));
                return Directory.Exists(folder)
                    ? folder
                    : throw new DirectoryNotFoundException($"The WeChat Pay vectors belong in {folder}, beside the clone.");
            }
        }

        throw new DirectoryNotFoundException("No Merchant.sln above the test assembly.");
    }
}
