using Microsoft.Extensions.Options;

namespace Gdpr.DependencyInjection;

/// <summary>Validates <see cref="GdprOptions"/> at start, with messages that say which setting is wrong.</summary>
internal sealed class GdprOptionsValidator : IValidateOptions<GdprOptions>
{
    internal const int MinPseudonymKeyLength = 32;

    public ValidateOptionsResult Validate(string? name, GdprOptions options)
    {
        var failures = new List<string>();
        if (options.PseudonymKey is null || options.PseudonymKey.Length < MinPseudonymKeyLength)
        {
            failures.Add($"GdprOptions.PseudonymKey must be a secret of at least {MinPseudonymKeyLength} bytes.");
        }

        if (!Enum.IsDefined(options.Algorithm))
        {
            failures.Add($"GdprOptions.Algorithm '{options.Algorithm}' is not a supported algorithm.");
        }

        if (options.KeyCache.MaxEntries < 1)
        {
            failures.Add("GdprOptions.KeyCache.MaxEntries must be at least 1.");
        }

        if (options.KeyCache.MaxAge <= TimeSpan.Zero)
        {
            failures.Add("GdprOptions.KeyCache.MaxAge must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
