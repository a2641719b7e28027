using System.Text.Json.Nodes;
using WeChatPay.Simulator.Api;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.State;

namespace WeChatPay.Simulator.Certificates;

internal static class CertificateEndpoints
{
    public static void MapCertificates(this IEndpointRouteBuilder routes)
    {
        var state = routes.ServiceProvider.GetRequiredService<SimState>();
        routes.MapV3("GET", "/v3/certificates", "certificates", _ => V3Answer.Ok(Download(state.Keys, state.Merchant.ApiV3Key)));
    }

    // Each certificate's PEM is sealed with the APIv3 key like a notification resource, associated_data "certificate".
    private static JsonObject Download(SimKeys keys, string apiV3Key) => new()
    {
        ["data"] = new JsonArray(keys.Certificates.Select(certificate =>
        {
            var nonce = WeChatCrypto.Nonce(12);
            return (JsonNode)new JsonObject
            {
                ["serial_no"] = certificate.Serial,
                ["effective_time"] = WxFormat.Time(certificate.EffectiveTime),
                ["expire_time"] = WxFormat.Time(certificate.ExpireTime),
                ["encrypt_certificate"] = new JsonObject
                {
                    ["algorithm"] = "AEAD_AES_256_GCM",
                    ["nonce"] = nonce,
                    ["associated_data"] = "certificate",
                    ["ciphertext"] = WeChatCrypto.Encrypt(apiV3Key, nonce, "certificate", certificate.Pem),
                },
            };
        }).ToArray()),
    };
}
