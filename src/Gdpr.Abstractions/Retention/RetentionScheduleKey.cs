using Gdpr.Keys;

namespace Gdpr.Retention;

/// <summary>Identifies one subject's scope in the retention schedule.</summary>
/// <param name="Subject">The subject's pseudonym.</param>
/// <param name="Scope">The scope (the retention policy's name).</param>
public readonly record struct RetentionScheduleKey(SubjectPseudonym Subject, string Scope);
