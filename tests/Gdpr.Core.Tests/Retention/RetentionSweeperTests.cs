using Gdpr.Audit;
using Gdpr.Core.Tests.Erasure;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Tests.Shared;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gdpr.Core.Tests.Retention;

public class RetentionSweeperTests
{
    // Art. 5(1)(e): relationship ends recorded for many subjects are destroyed in batches; a second sweep finds nothing.
    [Fact]
    public async Task SweepAsync_ManyExpiredScopes_DestroysAllInBatches_AndIsIdempotent()
    {
        await using var host = ErasureTestHost.Create(b => b.AddRetentionSweeper(o => o.BatchSize = 100));
        for (var i = 0; i < 250; i++)
        {
            var id = $"cust-{i}";
            await host.Crm.AddAsync(id, "Invoice", "BillingName", Policies.Tax, $"name {i}");
            await host.Scheduler.RecordRelationshipEndedAsync(id, ErasureTestHost.Day0);
        }

        host.Time.SetUtcNow(ErasureTestHost.Day0.AddYears(7));
        var first = await host.Sweeper.SweepAsync();

        Assert.Equal(250, first.Destroyed);
        Assert.Equal(3, first.Batches);
        Assert.Equal(0, first.Failed);
        Assert.False(await host.IsReadableAsync("cust-0", Policies.Tax));
        Assert.False(await host.IsReadableAsync("cust-249", Policies.Tax));

        var second = await host.Sweeper.SweepAsync();

        Assert.Equal(0, second.Destroyed);
        Assert.Equal(0, second.AlreadyDestroyed);
        Assert.Equal(0, second.Batches);
    }

    [Fact]
    public async Task SweepAsync_ScheduleEntryWhoseKeyIsAlreadyGone_CountsAlreadyDestroyed()
    {
        await using var host = ErasureTestHost.Create();
        await host.Crm.AddAsync("cust-1", "Invoice", "BillingName", Policies.Tax, "name");
        await host.Scheduler.RecordRelationshipEndedAsync("cust-1", ErasureTestHost.Day0);
        await host.Services.GetRequiredService<Gdpr.Keys.ISubjectKeyManager>().ShredAsync("cust-1", Policies.Tax);
        host.Time.SetUtcNow(ErasureTestHost.Day0.AddYears(7));

        var report = await host.Sweeper.SweepAsync();

        Assert.Equal(0, report.Destroyed);
        Assert.Equal(1, report.AlreadyDestroyed);
        Assert.Equal(0, (await host.Sweeper.SweepAsync()).AlreadyDestroyed);
    }

    // Art. 5(1)(e): a marketing profile kept two years from collection goes then, without any erasure request.
    [Fact]
    public async Task SweepAsync_CollectionClock_DestroysTheScopeWhenThePeriodSinceKeyCreationEnds()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync("cust-m");
        var expiry = ErasureTestHost.Day0.AddYears(2);

        host.Time.SetUtcNow(expiry.AddTicks(-1));
        Assert.Equal(0, (await host.Sweeper.SweepAsync()).Destroyed);
        Assert.True(await host.IsReadableAsync("cust-m", Policies.Marketing));

        host.Time.SetUtcNow(expiry);
        Assert.Equal(1, (await host.Sweeper.SweepAsync()).Destroyed);
        Assert.False(await host.IsReadableAsync("cust-m", Policies.Marketing));
        Assert.True(await host.IsReadableAsync("cust-m", PersonalDataAttribute.DefaultRetentionPolicy)); // no period: kept until erasure
        Assert.True(await host.IsReadableAsync("cust-m", Policies.Tax)); // the relationship has not ended
    }

    [Fact]
    public async Task SweepAsync_AppendsOneShredEntryPerDestroyedScopeAndASummary()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync("cust-a");
        host.Time.SetUtcNow(ErasureTestHost.Day0.AddYears(2));

        await host.Sweeper.SweepAsync();

        var entries = new List<AuditEntry>();
        await foreach (var e in host.Audit.ReadAsync())
        {
            entries.Add(e);
        }

        var shred = Assert.Single(entries, e => e.Kind == AuditKinds.KeyShredded);
        Assert.Equal(Policies.Marketing, shred.Details["scope"]);
        Assert.Equal("retention", shred.Details["reason"]);
        Assert.Equal("1", Assert.Single(entries, e => e.Kind == AuditKinds.SweepCompleted).Details["destroyed"]);
        Assert.True((await host.Audit.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task HostedSweeper_RunsAtStartAndAgainAfterEachInterval()
    {
        var interval = TimeSpan.FromHours(6);
        var time = new TimerWatchingTimeProvider(ErasureTestHost.Day0);
        await using var host = ErasureTestHost.Create(b => b.AddRetentionSweeper(o => o.Interval = interval), time: time);
        var service = Assert.Single(host.Services.GetServices<IHostedService>(), s => s is RetentionSweeperService);
        await service.StartAsync(CancellationToken.None);
        try
        {
            // The loop sweeps, then waits one interval on the clock: its timer is the signal that the sweep is done.
            await time.WaitForTimerAsync(interval);
            Assert.Equal(1, await CountSweepsAsync(host));

            // Not a tick early: the loop is still parked on the same timer.
            time.Advance(interval - TimeSpan.FromTicks(1));
            Assert.Equal(1, await CountSweepsAsync(host));

            // At the interval it sweeps once more and parks again (the clock does not move, so no third sweep).
            time.Advance(TimeSpan.FromTicks(1));
            await time.WaitForTimerAsync(interval);
            Assert.Equal(2, await CountSweepsAsync(host));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task SetRetentionStartAsync_PolicyWithAnotherClock_ThrowsArgumentException()
    {
        await using var host = ErasureTestHost.Create();
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await host.Scheduler.SetRetentionStartAsync("cust-1", Policies.Tax, ErasureTestHost.Day0));
        Assert.Contains("RelationshipEnd", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await host.Scheduler.SetRetentionStartAsync("cust-1", "unknown", ErasureTestHost.Day0));
    }

    [Fact]
    public async Task SetRetentionStartAsync_ApplicationDate_DestroysExactlyAtTheEndOfThePeriodFromThatDate()
    {
        var warranty = new RetentionPolicy { Name = "warranty", Years = 2, Clock = RetentionClock.ApplicationDate, IsLegalObligation = true, LegalBasis = "BW 7:23 warranty claims" };
        await using var host = ErasureTestHost.Create(b => b.AddRetentionPolicy(warranty));
        await host.Crm.AddAsync("cust-w", "Order", "DeliveryAddress", "warranty", "street 1");
        var delivered = ErasureTestHost.Day0.AddDays(10);
        await host.Scheduler.SetRetentionStartAsync("cust-w", "warranty", delivered);

        var erasure = await host.Erasure.EraseAsync("cust-w");

        Assert.Equal(delivered.AddYears(2), erasure.Scopes.Single(s => s.Scope == "warranty").RetainedUntil);
        host.Time.SetUtcNow(delivered.AddYears(2).AddTicks(-1));
        await host.Sweeper.SweepAsync();
        Assert.True(await host.IsReadableAsync("cust-w", "warranty"));
        host.Time.SetUtcNow(delivered.AddYears(2));
        await host.Sweeper.SweepAsync();
        Assert.False(await host.IsReadableAsync("cust-w", "warranty"));
    }

    private static async Task<int> CountSweepsAsync(ErasureTestHost host)
    {
        var count = 0;
        await foreach (var e in host.Audit.ReadAsync())
        {
            count += e.Kind == AuditKinds.SweepCompleted ? 1 : 0;
        }

        return count;
    }
}
