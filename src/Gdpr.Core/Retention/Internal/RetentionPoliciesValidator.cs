using Microsoft.Extensions.Options;

namespace Gdpr.Retention;

/// <summary>
/// Validates <see cref="GdprOptions.RetentionPolicies"/> when the host starts, so that a policy typo fails the
/// deployment rather than an erasure years later.
/// </summary>
internal sealed class RetentionPoliciesValidator : IValidateOptions<GdprOptions>
{
    public ValidateOptionsResult Validate(string? name, GdprOptions options)
    {
        var failures = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.RetentionPolicies.Count; i++)
        {
            var policy = options.RetentionPolicies[i];
            if (policy is null)
            {
                failures.Add($"GdprOptions.RetentionPolicies[{i}] is null.");
                continue;
            }

            var label = string.IsNullOrWhiteSpace(policy.Name) ? $"GdprOptions.RetentionPolicies[{i}]" : $"Retention policy '{policy.Name}'";
            if (string.IsNullOrWhiteSpace(policy.Name))
            {
                failures.Add($"{label} has no name; the name is the key scope and is required.");
            }
            else if (!seen.Add(policy.Name))
            {
                failures.Add($"{label} is configured more than once; policy names must be unique.");
            }

            if (policy.Years < 0 || policy.Months < 0 || policy.Days < 0)
            {
                failures.Add($"{label} has a negative period; years, months and days must be zero or more.");
            }

            if (!Enum.IsDefined(policy.Clock))
            {
                failures.Add($"{label} has an unknown clock '{policy.Clock}'.");
            }

            if (policy.IsLegalObligation && string.IsNullOrWhiteSpace(policy.LegalBasis))
            {
                failures.Add($"{label} is a legal obligation but names no legal basis; say which law requires keeping the data.");
            }

            if (policy.IsLegalObligation && policy.Clock == RetentionClock.Collection && !policy.HasPeriod)
            {
                failures.Add($"{label} is a legal obligation without a period; give the period the law requires.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
