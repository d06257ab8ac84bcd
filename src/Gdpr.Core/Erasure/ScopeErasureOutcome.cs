namespace Gdpr.Erasure;

/// <summary>What an erasure did to one scope of the subject.</summary>
/// <param name="Scope">The scope (the retention policy's name).</param>
/// <param name="Status">What happened.</param>
public sealed record ScopeErasureOutcome(string Scope, ScopeErasureStatus Status)
{
    /// <summary>Gets the version of the destroyed key, when <see cref="Status"/> is <see cref="ScopeErasureStatus.Destroyed"/>.</summary>
    public int? KeyVersion { get; init; }

    /// <summary>Gets when the key was destroyed, when <see cref="Status"/> is <see cref="ScopeErasureStatus.Destroyed"/>.</summary>
    public DateTimeOffset? DestroyedAt { get; init; }

    /// <summary>Gets until when a legal obligation keeps the scope (retained, or held as well), or <see langword="null"/>.</summary>
    public DateTimeOffset? RetainedUntil { get; init; }

    /// <summary>Gets the legal basis of the obligation that keeps the scope, or <see langword="null"/>.</summary>
    public string? LegalBasis { get; init; }

    /// <summary>Gets the type name of the exception that made destruction fail (never its message, which may hold personal data).</summary>
    public string? FailureType { get; init; }
}
