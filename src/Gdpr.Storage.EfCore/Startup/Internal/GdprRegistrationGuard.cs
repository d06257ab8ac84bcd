using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gdpr.Storage.EfCore.Startup;

/// <summary>
/// Added to every DbContext the SDK is told about (whether or not its registration calls <c>UseGdpr</c>), so that
/// without a host the first save runs <see cref="EfCoreStartupCheck"/> and a context set up wrong writes nothing.
/// </summary>
internal sealed class GdprRegistrationGuard(EfCoreStartupCheck check) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        check.EnsureValid();
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        check.EnsureValid();
        return ValueTask.FromResult(result);
    }
}
