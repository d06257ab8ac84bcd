using Microsoft.Extensions.Options;

namespace Gdpr.Storage.EfCore.Startup;

/// <summary>Marker options whose validation on start (<c>ValidateOnStart</c>) runs <see cref="EfCoreStartupCheck"/> when a host starts.</summary>
internal sealed class EfCoreStartupCheckOptions
{
}

/// <summary>
/// Runs the DbContext check when a generic host starts, before any hosted service. Its failure is thrown as is (a
/// <see cref="GdprException"/> naming the context, type, member or policy), not as an options failure.
/// </summary>
internal sealed class EfCoreStartupValidator(EfCoreStartupCheck check) : IValidateOptions<EfCoreStartupCheckOptions>
{
    public ValidateOptionsResult Validate(string? name, EfCoreStartupCheckOptions options)
    {
        check.EnsureValid();
        return ValidateOptionsResult.Success;
    }
}
