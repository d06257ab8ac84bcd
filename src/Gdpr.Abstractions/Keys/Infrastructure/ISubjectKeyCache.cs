namespace Gdpr.Keys.Infrastructure;

/// <summary>
/// This node's cache of data keys, for key stores shared by several nodes: when a store learns that another node
/// destroyed a key (a notification, a change feed), it drops the cached copy here so the next use asks the store and
/// finds the tombstone.
/// </summary>
/// <remarks>
/// Infrastructure for store authors, not the everyday API (which is <see cref="ISubjectKeyManager"/>). <c>AddGdpr</c>
/// registers the SDK's key manager as this cache.
/// </remarks>
public interface ISubjectKeyCache
{
    /// <summary>Drops a subject's cached keys of one scope, or of all scopes, without destroying them (another node shredded them).</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="scope">The scope, or <see langword="null"/> for every scope.</param>
    void Evict(SubjectPseudonym subject, string? scope = null);
}
