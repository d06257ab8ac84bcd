using Gdpr.Audit;
using Gdpr.Core.Tests.Erasure;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Core.Tests.Retention;

/// <summary>
/// A sweep that destroys keys reports, like an erasure, whether their bytes are known to be gone from the key store's
/// files (Art. 5(1)(e) and 17: destroyed must mean gone), and a removal a sweep left pending is retried by the next.
/// </summary>
public class SweepPhysicalRemovalTests
{
    [Fact]
    public async Task SweepAsync_DestroyingKeys_CompletesTheirRemoval_AndReportsIt_InTheReportAndTheAuditTrail()
    {
        RemovalReportingKeyStore? store = null;
        await using var host = ErasureTestHost.Create(services: s => s.AddSingleton<ISubjectKeyStore>(_ => store = new RemovalReportingKeyStore(new InMemorySubjectKeyStore())));
        await host.Crm.AddAsync("cust-1", "Invoice", "BillingName", Policies.Tax, "name");
        await host.Scheduler.RecordRelationshipEndedAsync("cust-1", ErasureTestHost.Day0);
        store!.Next = KeyRemovalStatus.Removed;
        host.Time.SetUtcNow(ErasureTestHost.Day0.AddYears(7));

        var report = await host.Sweeper.SweepAsync();

        Assert.Equal(1, report.Destroyed);
        Assert.Equal(1, store.Calls);
        Assert.Equal(KeyRemovalStatus.Removed, report.PhysicalRemoval);
        var summaries = new List<AuditEntry>();
        await foreach (var e in host.Audit.ReadAsync())
        {
            if (e.Kind == AuditKinds.SweepCompleted)
            {
                summaries.Add(e);
            }
        }

        Assert.Equal("Removed", Assert.Single(summaries).Details["physicalRemoval"]);
    }

    [Fact]
    public async Task SweepAsync_RemovalFails_ReportsPending_AndTheNextSweepRetries()
    {
        RemovalReportingKeyStore? store = null;
        await using var host = ErasureTestHost.Create(services: s => s.AddSingleton<ISubjectKeyStore>(_ => store = new RemovalReportingKeyStore(new InMemorySubjectKeyStore())));
        await host.Crm.AddAsync("cust-1", "Invoice", "BillingName", Policies.Tax, "name");
        await host.Scheduler.RecordRelationshipEndedAsync("cust-1", ErasureTestHost.Day0);
        store!.Failure = new IOException("disk busy");
        host.Time.SetUtcNow(ErasureTestHost.Day0.AddYears(7));

        var first = await host.Sweeper.SweepAsync();

        Assert.Equal(1, first.Destroyed);
        Assert.Equal(KeyRemovalStatus.Pending, first.PhysicalRemoval);

        // The key is destroyed either way; the next sweep, with nothing left to destroy, finishes the removal.
        store.Failure = null;
        store.Next = KeyRemovalStatus.Removed;
        var second = await host.Sweeper.SweepAsync();
        Assert.Equal(2, store.Calls);
        Assert.Equal(KeyRemovalStatus.Removed, second.PhysicalRemoval);
    }

    [Fact]
    public async Task SweepAsync_NothingDue_DoesNotTouchTheStore_AndReportsNotApplicable()
    {
        RemovalReportingKeyStore? store = null;
        await using var host = ErasureTestHost.Create(services: s => s.AddSingleton<ISubjectKeyStore>(_ => store = new RemovalReportingKeyStore(new InMemorySubjectKeyStore())));
        await host.Crm.AddAsync("cust-1", "Invoice", "BillingName", Policies.Tax, "name");

        var report = await host.Sweeper.SweepAsync();

        Assert.Equal(0, store!.Calls);
        Assert.Equal(KeyRemovalStatus.NotApplicable, report.PhysicalRemoval);
    }
}
