using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace Gdpr.Retention;

/// <summary>
/// The one place the SDK looks up retention policies: the configured policies by name (= key scope), read once
/// from the options (validated at start by <c>GdprOptionsValidator</c>) and frozen, with the implicit default
/// policy: a scope no policy names is kept until the subject is erased and protected by no obligation. Erasure,
/// the sweeper, the scheduler and the exporter read it; data sources get what they need from it in the request
/// (<see cref="Gdpr.DataSources.DataSourceErasureRequest.RowDeletingScopes"/>).
/// </summary>
internal sealed class RetentionPolicyCatalog
{
    private readonly FrozenDictionary<string, RetentionPolicy> _byName;

    public RetentionPolicyCatalog(IOptions<GdprOptions> options)
    {
        // Later changes to the options (IOptionsMonitor) are not seen: policies decide what is destroyed, so one
        // process applies one validated set from start to end.
        // Options are validated at start (names unique); the last one wins here only if validation was bypassed.
        var byName = new Dictionary<string, RetentionPolicy>(StringComparer.Ordinal);
        foreach (var policy in options.Value.RetentionPolicies)
        {
            if (policy?.Name is { } name)
            {
                byName[name] = policy; // A null entry or name is the validator's to report, not a crash here.
            }
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

    /// <summary>The scopes among <paramref name="destroyedScopes"/> whose policy deletes rows on erasure.</summary>
    public IReadOnlySet<string> RowDeletingScopes(IEnumerable<string> destroyedScopes)
        => destroyedScopes.Where(s => _byName.TryGetValue(s, out var p) && p.DeleteRowsOnErasure).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether values under the policy expire on their own (see <see cref="RetentionPolicy.HasPeriod"/>).</summary>
    public static bool ExpiresAutomatically(RetentionPolicy policy)
        => policy.Clock != RetentionClock.Collection || policy.HasPeriod;
}
