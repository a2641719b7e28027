using System.Net;

namespace Vending.Platform;

/// <summary>
/// The unsigned fields of a signed call. It never goes on the wire itself: <see cref="PayloadSigningHandler"/> swaps in the
/// signed body on every attempt, and without that handler sending fails rather than leaking an unsigned request.
/// </summary>
internal sealed class PayloadContent(IReadOnlyList<PayloadField> fields) : HttpContent
{
    public IReadOnlyList<PayloadField> Fields { get; } = fields;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        throw new InvalidOperationException("A platform payload must be signed before it is sent: PayloadSigningHandler is missing from the client.");

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
