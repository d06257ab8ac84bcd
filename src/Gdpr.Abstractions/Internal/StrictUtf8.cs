using System.Text;

namespace Gdpr.Internal;

/// <summary>
/// The one UTF-8 rule of the SDK: invalid text (a lone surrogate, invalid bytes) throws instead of turning into U+FFFD,
/// so personal data is never silently altered and two different names or ids never encode alike. Compiled into every
/// SDK assembly (linked), so that each uses this same instance's rule rather than its own copy.
/// </summary>
internal static class StrictUtf8
{
    /// <summary>Gets the strict encoding: no byte-order mark, throws on invalid input.</summary>
    public static UTF8Encoding Encoding { get; } = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
