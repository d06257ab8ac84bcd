using Gdpr.Audit;
using Gdpr.DataSources;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Gdpr.Core.Tests.Erasure;

/// <summary>The one scope-destruction step erasure and the sweeper share, and what the sources are told.</summary>
public class ScopeDestructionTests
{
    private const string Subject = "cust-0815";

    // Sources learn from the request which destroyed scopes delete rows: the policies are looked up once, by the SDK.
    [Fact]
    public async Task EraseAsync_TellsEverySourceWhichDestroyedScopesDeleteRows()
    {
        DataSourceErasureRequest? seen = null;
        await using var host = ErasureTestHost.Create(wrapCrm: (_, crm) =>
        {
            var recording = new Mock<IPersonalDataSource>();
            recording.SetupGet(s => s.Name).Returns(crm.Name);
            recording.Setup(s => s.ExportAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
                .Returns((string id, CancellationToken ct) => crm.ExportAsync(id, ct));
            recording.Setup(s => s.EraseAsync(It.IsAny<string>(), It.IsAny<DataSourceErasureRequest>(), It.IsAny<CancellationToken>()))
                .Returns((string id, DataSourceErasureRequest request, CancellationToken ct) => crm.EraseAsync(id, seen = request, ct));
            return recording.Object;
        });
        await host.SeedCustomerAsync(Subject);

        await host.Erasure.EraseAsync(Subject);

        Assert.NotNull(seen);
        Assert.Equal([PersonalDataAttribute.DefaultRetentionPolicy, Policies.Marketing], seen.DestroyedScopes.Order(StringComparer.Ordinal));
        Assert.Equal([Policies.Marketing], seen.RowDeletingScopes); // "default" has no policy that says delete; "tax" is retained
        Assert.Equal([Policies.Tax], seen.RetainedScopes);
    }

    // Keys first, then the audit, then the schedule: an audit failure leaves the key destroyed and its schedule entry
    // in place, so the sweeper (or a retry) finds it and nothing is forgotten that the trail does not show.
    [Fact]
    public async Task EraseAsync_AuditAppendFails_KeyStaysDestroyed_ScheduleEntryKept_SweepResolvesIt()
    {
        var audit = new FailingAuditStore();
        await using var host = ErasureTestHost.Create(services: s => s.AddSingleton<IAuditStore>(audit));
        await host.SeedCustomerAsync(Subject);
        await host.Scheduler.RecordRelationshipEndedAsync(Subject, ErasureTestHost.Day0); // schedules "tax" seven years on
        host.Time.SetUtcNow(ErasureTestHost.Day0.AddYears(7)); // the obligation has ended: erasure destroys "tax" too
        var pseudonym = host.Services.GetRequiredService<ISubjectKeyManager>().GetPseudonym(Subject);
        var schedule = host.Services.GetRequiredService<IRetentionScheduleStore>();
        audit.FailuresLeft = 1;

        await Assert.ThrowsAsync<TimeoutException>(async () => await host.Erasure.EraseAsync(Subject));

        Assert.False(await host.IsReadableAsync(Subject, Policies.Tax));
        Assert.NotNull(await schedule.GetAsync(pseudonym, Policies.Tax));

        var sweep = await host.Sweeper.SweepAsync();

        Assert.Equal((0, 1), (sweep.Destroyed, sweep.AlreadyDestroyed));
        Assert.Null(await schedule.GetAsync(pseudonym, Policies.Tax));
        var retry = await host.Erasure.EraseAsync(Subject);
        Assert.True(retry.IsComplete);
        Assert.NotNull(retry.Certificate);
    }

    // The shred events of an erasure and its summary chain in one append, in scope order, with the reason named.
    [Fact]
    public async Task EraseAsync_AppendsOneShredEventPerDestroyedScope_ThenTheSummary()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync(Subject);

        var result = await host.Erasure.EraseAsync(Subject);

        var entries = new List<AuditEntry>();
        await foreach (var entry in host.Audit.ReadAsync())
        {
            entries.Add(entry);
        }

        Assert.Equal([AuditKinds.KeyShredded, AuditKinds.KeyShredded, AuditKinds.ErasureCompleted], entries.Select(e => e.Kind));
        Assert.Equal([PersonalDataAttribute.DefaultRetentionPolicy, Policies.Marketing], entries.Take(2).Select(e => e.Details["scope"]));
        Assert.All(entries.Take(2), e => Assert.Equal(("erasure", "1"), (e.Details["reason"], e.Details["keyVersion"])));
        Assert.Equal(entries[^1].Sequence, result.AuditSequence);
    }

    private sealed class FailingAuditStore : IAuditStore
    {
        private readonly InMemoryAuditStore _inner = new();

        public int FailuresLeft { get; set; }

        public ValueTask<AuditEntry?> GetLastAsync(CancellationToken cancellationToken = default) => _inner.GetLastAsync(cancellationToken);

        public ValueTask<bool> TryAppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
            => FailuresLeft-- > 0 ? throw new TimeoutException("audit store unavailable") : _inner.TryAppendAsync(entries, cancellationToken);

        public IAsyncEnumerable<AuditEntry> ReadAsync(long fromSequence, CancellationToken cancellationToken = default) => _inner.ReadAsync(fromSequence, cancellationToken);
    }
}
