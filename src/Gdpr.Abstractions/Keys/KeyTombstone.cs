namespace Gdpr.Keys;

/// <summary>
/// What remains of a destroyed data key: who (by pseudonym), which scope, which version and when. It holds no
/// key material; it is the evidence that the key is gone and the reason a later key gets a higher version.
/// </summary>
/// <param name="Subject">The subject's pseudonym.</param>
/// <param name="Scope">The retention scope.</param>
/// <param name="Version">The version of the destroyed key.</param>
/// <param name="ShreddedAt">When the key was destroyed.</param>
public sealed record KeyTombstone(SubjectPseudonym Subject, string Scope, int Version, DateTimeOffset ShreddedAt);
