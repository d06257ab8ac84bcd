using Gdpr.Keys;

namespace Gdpr.Retention;

/// <summary>When one subject's scope must be destroyed.</summary>
/// <param name="Subject">The subject's pseudonym.</param>
/// <param name="Scope">The scope (the retention policy's name).</param>
/// <param name="DestroyAfter">The scope is destroyed at this moment or later, never earlier.</param>
public sealed record RetentionScheduleEntry(SubjectPseudonym Subject, string Scope, DateTimeOffset DestroyAfter)
{
    /// <summary>Gets the entry's key.</summary>
    public RetentionScheduleKey Key => new(Subject, Scope);
}
