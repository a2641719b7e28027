using Merchant.Api.Errors;
using QRCoder;

namespace Merchant.Api.Demo;

/// <summary>Draws a WeChat Pay <c>code_url</c> as an SVG QR code for the demo page (decision 0020).</summary>
public static class DemoQrCode
{
    public const string Scheme = "weixin://";

    // WeChat's code_url is about 40 characters; the bound keeps this anonymous endpoint from drawing anything else at length.
    public const int MaxLength = 256;

    public static IResult Svg(string? data)
    {
        if (string.IsNullOrEmpty(data) || !data.StartsWith(Scheme, StringComparison.Ordinal) || data.Length > MaxLength)
        {
            throw ApiProblem.Validation($"data must be a {Scheme} URL of at most {MaxLength} characters.");
        }

        return Results.Text(Render(data), "image/svg+xml");
    }

    public static string Render(string data)
    {
        using var code = QRCodeGenerator.GenerateQrCode(data, QRCodeGenerator.ECCLevel.M);
        using var svg = new SvgQRCode(code);
        return svg.GetGraphic(8, "#000000", "#ffffff", drawQuietZones: true, SvgQRCode.SizingMode.ViewBoxAttribute);
    }
}
