using Microsoft.Extensions.Hosting;

namespace Gdpr.DependencyInjection;

/// <summary>
/// Runs <see cref="GdprStartupCheck"/> when the host starts, before any hosted service's <c>StartAsync</c> (the
/// retention sweeper, the shred listener): a host with a wrong pseudonym key, missing key-encryption keys or
/// in-memory stores it did not opt in to does not start.
/// </summary>
internal sealed class GdprStartupService(GdprStartupCheck check) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => check.EnsureAsync(cancellationToken).AsTask();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
