using Gdpr.Retention;
using Microsoft.Extensions.Options;

namespace Gdpr.DependencyInjection;

/// <summary>
/// Validates <see cref="GdprOptions"/> when the host starts, with messages that name the setting: the attributes on
/// the options (source-generated, <see cref="Attributes"/>) and the rules no attribute can say, here the retention
/// policies, so that a policy typo fails the deployment rather than an erasure years later.
/// </summary>
internal sealed partial class GdprOptionsValidator : IValidateOptions<GdprOptions>
{
    private readonly Attributes _attributes = new();

    public ValidateOptionsResult Validate(string? name, GdprOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(_attributes.Validate(name, options));
        ValidatePolicies(options.RetentionPolicies, builder);
        return builder.Build();
    }

    private static void ValidatePolicies(IList<RetentionPolicy> policies, ValidateOptionsResultBuilder builder)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < policies.Count; i++)
        {
            var policy = policies[i];
            if (policy is null)
            {
                builder.AddError($"GdprOptions.RetentionPolicies[{i}] is null.");
                continue;
            }

            var label = string.IsNullOrWhiteSpace(policy.Name) ? $"GdprOptions.RetentionPolicies[{i}]" : $"Retention policy '{policy.Name}'";
            if (string.IsNullOrWhiteSpace(policy.Name))
            {
                builder.AddError($"{label} has no name; the name is the key scope and is required.");
            }
            else if (!seen.Add(policy.Name))
            {
                builder.AddError($"{label} is configured more than once; policy names must be unique.");
            }

            if (policy.Years < 0 || policy.Months < 0 || policy.Days < 0)
            {
                builder.AddError($"{label} has a negative period; years, months and days must be zero or more.");
            }

            if (!Enum.IsDefined(policy.Clock))
            {
                builder.AddError($"{label} has an unknown clock '{policy.Clock}'.");
            }

            if (policy.IsLegalObligation && string.IsNullOrWhiteSpace(policy.LegalBasis))
            {
                builder.AddError($"{label} is a legal obligation but names no legal basis; say which law requires keeping the data.");
            }

            if (policy.IsLegalObligation && policy.Clock == RetentionClock.Collection && !policy.HasPeriod)
            {
                builder.AddError($"{label} is a legal obligation without a period; give the period the law requires.");
            }
        }
    }

    /// <summary>Checks the DataAnnotations attributes of <see cref="GdprOptions"/> and its <see cref="KeyCacheOptions"/>.</summary>
    [OptionsValidator]
    private sealed partial class Attributes : IValidateOptions<GdprOptions>;
}
