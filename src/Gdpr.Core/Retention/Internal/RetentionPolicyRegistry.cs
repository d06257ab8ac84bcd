using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace Gdpr.Retention;

/// <summary>
/// The configured retention policies by name (= key scope), with the implicit default policy: a scope no policy
/// names is kept until the subject is erased and protected by no obligation.
/// </summary>
internal sealed class RetentionPolicyRegistry
{
    private readonly FrozenDictionary<string, RetentionPolicy> _byName;

    public RetentionPolicyRegistry(IOptions<GdprOptions> options)
    {
        // Options are validated at start (names unique); the last one wins here only if validation was bypassed.
        var byName = new Dictionary<string, RetentionPolicy>(StringComparer.Ordinal);
        foreach (var policy in options.Value.RetentionPolicies)
        {
            byName[policy.Name] = policy;
        }

        _byName = byName.ToFrozenDictionary(StringComparer.Ordinal);
        All = [.. _byName.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];
    }

    public IReadOnlyList<RetentionPolicy> All { get; }

    /// <summary>Returns the policy of a scope; an unlisted scope gets an implicit policy like the default one.</summary>
    public RetentionPolicy Get(string scope)
        => _byName.TryGetValue(scope, out var policy) ? policy : new RetentionPolicy { Name = scope };

    public bool TryGetConfigured(string scope, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RetentionPolicy? policy)
        => _byName.TryGetValue(scope, out policy);

    /// <summary>Whether values under the policy expire on their own (see <see cref="RetentionPolicy.HasPeriod"/>).</summary>
    public static bool ExpiresAutomatically(RetentionPolicy policy)
        => policy.Clock != RetentionClock.Collection || policy.HasPeriod;
}
