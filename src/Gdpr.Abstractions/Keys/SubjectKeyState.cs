namespace Gdpr.Keys;

/// <summary>The state of one subject's key for one scope, read in one call on a cache miss.</summary>
/// <param name="Key">The live key, or <see langword="null"/> when there is none.</param>
/// <param name="LastShreddedVersion">The highest version ever shredded for the scope; 0 when none was.</param>
public readonly record struct SubjectKeyState(WrappedSubjectKey? Key, int LastShreddedVersion);
