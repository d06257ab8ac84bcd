namespace Gdpr.Certificates;

/// <summary>
/// An erasure certificate: canonical JSON (see docs/erasure.md) and its Ed25519 signature. Store or hand over both
/// files as they are; changing one byte of the JSON makes the signature fail.
/// </summary>
/// <param name="Json">The certificate, UTF-8 JSON bytes, exactly as signed.</param>
/// <param name="Signature">The raw 64-byte Ed25519 signature of <paramref name="Json"/>.</param>
public sealed record SignedErasureCertificate(ReadOnlyMemory<byte> Json, ReadOnlyMemory<byte> Signature)
{
    /// <summary>Returns the certificate's JSON text.</summary>
    /// <returns>The JSON.</returns>
    public override string ToString() => Gdpr.Internal.StrictUtf8.Encoding.GetString(Json.Span);
}
