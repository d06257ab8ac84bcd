namespace Gdpr.Storage.EfCore;

/// <summary>What <see cref="LegacyPlaintextMigration{TContext}.VerifyAsync"/> found.</summary>
/// <param name="Problems">Each problem, by entity type (counts and keys, never a value); empty when it passed.</param>
public sealed record LegacyVerificationResult(IReadOnlyList<string> Problems)
{
    /// <summary>Gets a value indicating whether no plaintext is left and every row reads back: the legacy columns may be dropped.</summary>
    public bool Passed => Problems.Count == 0;
}
