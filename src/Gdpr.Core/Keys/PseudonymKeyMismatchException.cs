namespace Gdpr.Keys;

/// <summary>
/// The configured pseudonym key (<see cref="GdprOptions.PseudonymKey"/>) is not the one the key store was created
/// with: its key-check value does not match. With it, every subject id would map to a pseudonym the store has never
/// seen: existing keys would not be found, exports would miss data and erasures would destroy nothing.
/// </summary>
/// <remarks>
/// The likely cause is configuration (another environment's secret, a rotated or regenerated secret), not an attack:
/// configure the pseudonym key this key store was created with. The message holds neither key nor check value.
/// </remarks>
public sealed class PseudonymKeyMismatchException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="PseudonymKeyMismatchException"/> class.</summary>
    public PseudonymKeyMismatchException()
        : base("The pseudonym key (GdprOptions.PseudonymKey) differs from the one this key store was created with: "
            + "no existing subject would be found, so nothing was started. Configure the original pseudonym key "
            + "(check the secret of this environment); the pseudonym key can never be changed for an existing key store.")
    {
    }
}
