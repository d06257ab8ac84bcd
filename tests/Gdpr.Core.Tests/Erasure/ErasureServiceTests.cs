using Gdpr.DataSources;
using Gdpr.Erasure;
using Gdpr.Keys;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Gdpr.Testing;

namespace Gdpr.Core.Tests.Erasure;

public class ErasureServiceTests
{
    private const string Subject = "cust-4711";

    // GDPR Art. 17(3)(b) + Dutch AWR art. 52: marketing goes at once, the invoice exactly seven years after the
    // relationship ended (here: the erasure request on day 0 ends it), not a day or a tick earlier.
    [Fact]
    public async Task EraseAsync_OnDay0_DestroysMarketingAtOnce_AndTaxExactlySevenYearsLater_Art17_3_b()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync(Subject);

        var result = await host.Erasure.EraseAsync(Subject);

        Assert.True(result.IsComplete);
        var marketing = Assert.Single(result.Scopes, s => s.Scope == Policies.Marketing);
        Assert.Equal(ScopeErasureStatus.Destroyed, marketing.Status);
        Assert.Equal(1, marketing.KeyVersion);
        Assert.Equal(ErasureTestHost.Day0, marketing.DestroyedAt);
        var tax = Assert.Single(result.Scopes, s => s.Scope == Policies.Tax);
        Assert.Equal(ScopeErasureStatus.Retained, tax.Status);
        var sevenYears = ErasureTestHost.Day0.AddYears(7);
        Assert.Equal(sevenYears, tax.RetainedUntil);
        Assert.Equal(Policies.TaxBasis, tax.LegalBasis);
        Assert.False(await host.IsReadableAsync(Subject, Policies.Marketing));
        Assert.False(await host.IsReadableAsync(Subject, PersonalDataAttribute.DefaultRetentionPolicy));
        Assert.True(await host.IsReadableAsync(Subject, Policies.Tax));

        host.Time.SetUtcNow(sevenYears.AddDays(-1));
        Assert.Equal(0, (await host.Sweeper.SweepAsync()).Destroyed);
        Assert.True(await host.IsReadableAsync(Subject, Policies.Tax));

        host.Time.SetUtcNow(sevenYears.AddTicks(-1));
        Assert.Equal(0, (await host.Sweeper.SweepAsync()).Destroyed);
        Assert.True(await host.IsReadableAsync(Subject, Policies.Tax));

        host.Time.SetUtcNow(sevenYears);
        var sweep = await host.Sweeper.SweepAsync();
        Assert.Equal(1, sweep.Destroyed);
        Assert.False(await host.IsReadableAsync(Subject, Policies.Tax));
        Assert.Empty(await host.ReadableAsync(Subject));
    }

    // Art. 17(3)(b): the seven years count from the recorded end of the relationship, not from the later erasure request.
    [Fact]
    public async Task EraseAsync_AfterRecordedRelationshipEnd_RetainsTaxUntilSevenYearsAfterThatEnd()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync(Subject);
        var ended = ErasureTestHost.Day0.AddDays(-40);
        var scheduled = await host.Scheduler.RecordRelationshipEndedAsync(Subject, ended);
        Assert.Equal(ended.AddYears(7), Assert.Single(scheduled).DestroyAfter);

        var result = await host.Erasure.EraseAsync(Subject);

        Assert.Equal(ended.AddYears(7), result.Scopes.Single(s => s.Scope == Policies.Tax).RetainedUntil);
        host.Time.SetUtcNow(ended.AddYears(7).AddTicks(-1));
        await host.Sweeper.SweepAsync();
        Assert.True(await host.IsReadableAsync(Subject, Policies.Tax));
        host.Time.SetUtcNow(ended.AddYears(7));
        await host.Sweeper.SweepAsync();
        Assert.False(await host.IsReadableAsync(Subject, Policies.Tax));
    }

    [Fact]
    public async Task EraseAsync_DeletesRowsReplacesValuesAndRemovesDerivedIndexEntries()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync(Subject);
        Assert.NotEmpty(host.Crm.SearchIndexTokens(Subject));

        var result = await host.Erasure.EraseAsync(Subject);

        var crm = Assert.Single(result.Sources);
        Assert.True(crm.Succeeded);
        Assert.Equal(1, crm.RowsDeleted);      // the marketing profile: its policy deletes rows
        Assert.Equal(1, crm.ValuesReplaced);   // the nickname: ErasureAction.Replace
        Assert.Empty(host.Crm.SearchIndexTokens(Subject));
        Assert.Equal(3, host.Crm.RowCount);
    }

    [Fact]
    public async Task EraseAsync_Twice_IsIdempotent_AndReportsTheSameKeyVersionsAndDates()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync(Subject);
        var first = await host.Erasure.EraseAsync(Subject);
        host.Time.Advance(TimeSpan.FromDays(3));

        var second = await host.Erasure.EraseAsync(Subject);

        Assert.Equal(
            first.Scopes.Select(s => (s.Scope, s.Status, s.KeyVersion, s.DestroyedAt, s.RetainedUntil)),
            second.Scopes.Select(s => (s.Scope, s.Status, s.KeyVersion, s.DestroyedAt, s.RetainedUntil)));
        Assert.True(second.IsComplete);
    }

    // A source that fails mid-erasure: the result names it, nothing it did not do is reported, a retry completes it.
    [Fact]
    public async Task EraseAsync_SourceFailsOnce_ReportsTheSourceAndRetryLeavesNothingReadable()
    {
        var calls = 0;
        await using var host = ErasureTestHost.Create(wrapCrm: (_, crm) =>
        {
            var failing = new Mock<IPersonalDataSource>();
            failing.SetupGet(s => s.Name).Returns(crm.Name);
            failing.Setup(s => s.ExportAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
                .Returns((string id, CancellationToken ct) => crm.ExportAsync(id, ct));
            failing.Setup(s => s.EraseAsync(It.IsAny<string>(), It.IsAny<DataSourceErasureRequest>(), It.IsAny<CancellationToken>()))
                .Returns((string id, DataSourceErasureRequest request, CancellationToken ct) =>
                    ++calls == 1 ? throw new TimeoutException($"timeout deleting rows of {id}") : crm.EraseAsync(id, request, ct));
            return failing.Object;
        });
        await host.SeedCustomerAsync(Subject);

        var first = await host.Erasure.EraseAsync(Subject);

        Assert.False(first.IsComplete);
        Assert.Null(first.Certificate);
        var failed = Assert.Single(first.Sources);
        Assert.False(failed.Succeeded);
        Assert.Equal("System.TimeoutException", failed.FailureType);
        Assert.NotEmpty(host.Crm.SearchIndexTokens(Subject)); // the derived plaintext is still there: not reported erased
        Assert.Equal(ScopeErasureStatus.Destroyed, first.Scopes.Single(s => s.Scope == Policies.Marketing).Status);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Message.Contains(Subject, StringComparison.Ordinal));

        var retry = await host.Erasure.EraseAsync(Subject);

        Assert.True(retry.IsComplete);
        Assert.NotNull(retry.Certificate);
        Assert.True(Assert.Single(retry.Sources).Succeeded);
        Assert.Empty(host.Crm.SearchIndexTokens(Subject));
        Assert.Equal(first.Scopes.Single(s => s.Scope == Policies.Marketing).KeyVersion, retry.Scopes.Single(s => s.Scope == Policies.Marketing).KeyVersion);
        Assert.Equal([Policies.Tax], (await host.ReadableAsync(Subject)).Select(i => i.RetentionPolicy).Distinct());
    }

    // Nothing is reported erased that is not: a scope whose shred failed is "Failed" and still readable until the retry.
    [Fact]
    public async Task EraseAsync_KeyStoreShredFails_ReportsScopeFailedNotDestroyed_AndRetryDestroysIt()
    {
        FaultInjectingSubjectKeyStore? flaky = null;
        await using var host = ErasureTestHost.Create(services: s => s.AddSingleton<ISubjectKeyStore>(_ => flaky = new FaultInjectingSubjectKeyStore(new InMemorySubjectKeyStore())));
        await host.SeedCustomerAsync(Subject);
        flaky!.FailBefore(SubjectKeyStoreCall.Shred, () => new IOException("simulated key store outage"));

        var first = await host.Erasure.EraseAsync(Subject);

        var failedScope = Assert.Single(first.Scopes, s => s.Status == ScopeErasureStatus.Failed);
        Assert.Equal("Gdpr.KeyUnavailableException", failedScope.FailureType); // the key manager fails closed with its own type
        Assert.Null(failedScope.KeyVersion);
        Assert.False(first.IsComplete);
        Assert.True(await host.IsReadableAsync(Subject, failedScope.Scope));
        Assert.DoesNotContain(first.Scopes, s => s.Scope == failedScope.Scope && s.Status == ScopeErasureStatus.Destroyed);

        var retry = await host.Erasure.EraseAsync(Subject);

        Assert.True(retry.IsComplete);
        Assert.Equal(ScopeErasureStatus.Destroyed, retry.Scopes.Single(s => s.Scope == failedScope.Scope).Status);
        Assert.False(await host.IsReadableAsync(Subject, failedScope.Scope));
    }

    [Fact]
    public async Task EraseAsync_ResultAuditAndLogs_CarryThePseudonymNeverTheSubjectId()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync(Subject);

        var result = await host.Erasure.EraseAsync(Subject);

        var pseudonym = host.Services.GetRequiredService<ISubjectKeyManager>().GetPseudonym(Subject);
        Assert.Equal(pseudonym, result.Subject);
        Assert.DoesNotContain(Subject, result.Certificate!.ToString(), StringComparison.Ordinal);
        await foreach (var entry in host.Audit.ReadAsync())
        {
            Assert.DoesNotContain(Subject, string.Join('|', entry.Details.Values.Append(entry.Subject?.Value ?? "")), StringComparison.Ordinal);
        }

        Assert.NotEmpty(host.Logs.GetSnapshot());
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Message.Contains(Subject, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EraseAsync_EmptySubjectId_ThrowsArgumentException()
    {
        await using var host = ErasureTestHost.Create();
        await Assert.ThrowsAsync<ArgumentException>(async () => await host.Erasure.EraseAsync(" "));
    }
}
